import { createServer, type Server } from 'node:net';
import { systemClock } from '../../core/index.ts';
import { createSecureProtector, type Message, type MessageOfKind } from '../../protocol/index.ts';
import { keyPairFromPrivateKey, KeyExchangeResponder, samePublicKey, SecureSession, type Sm2KeyPair } from '../../protocol/secure/index.ts';
import { FramePeer, TcpChannel } from '../../agv/transport/index.ts';
import { FrameLog } from '../frame-log.ts';
import type { RoutePoint } from './test-route.ts';

// The platform side of the kit: a TCP listener that takes the AGV under test's connection and speaks to it through
// the same FramePeer the project's platform and SDK use. It answers pings, pings on its own once configured (both
// sides do, §6) and holds what the scenarios learnt about the AGV along the way.

export interface PlatformSideOptions {
  port: number;
  host?: string;
  /** The kit's SM2 private key, playing the platform's; the AGV must have pinned its public key. */
  key?: Uint8Array;
  /** The AGV's enrolled public key; without it any key the AGV presents is accepted. */
  agvKey?: Uint8Array;
  statusPeriodMs: number;
  heartbeatPeriodMs: number;
  heartbeatTimeoutMs: number;
  /** Allowed relative deviation of the measured status period. */
  tolerance: number;
  connectTimeoutMs: number;
  /** Longest wait for a drive to one node or one action. */
  moveTimeoutMs: number;
  /** Distance between the nodes of the kit's test route. */
  stepMm: number;
  /** Told the bound port (useful with port 0). */
  onListening?: (port: number) => void;
}

/** User id of the kit in the SM2 key exchange (Z_B). */
export const KIT_USER_ID = 'UniFleet-Conformance';

export class PlatformSide {
  readonly log = new FrameLog();
  peer: FramePeer | undefined;
  access: MessageOfKind<'accessRequest'> | undefined;
  registration: MessageOfKind<'registerRequest'> | undefined;
  config: Omit<MessageOfKind<'globalConfig'>, 'kind'> | undefined;
  /** The node of the kit's route where the AGV last stopped. */
  here: RoutePoint | undefined;
  /** Wire ids handed out by the kit's commands (orders, nodes, actions, requests). */
  private nextId = 1;
  private connected: Promise<FramePeer>;
  private cancelPing: (() => void) | undefined;
  private responder: KeyExchangeResponder | undefined;
  private readonly keyPair: Sm2KeyPair | undefined;

  private constructor(
    private readonly server: Server,
    readonly options: PlatformSideOptions,
    readonly port: number,
  ) {
    this.keyPair = options.key ? keyPairFromPrivateKey(options.key) : undefined;
    this.connected = new Promise((resolve) => {
      // Only the first connection is under test; later ones are refused so a reconnecting AGV cannot confuse it.
      server.on('connection', (socket) => {
        if (this.peer) {
          socket.destroy();
          return;
        }
        const peer = new FramePeer(new TcpChannel(socket), { clock: systemClock, ackTimeoutMs: 5_000 });
        this.peer = peer;
        peer.onFrame((frame) => {
          const m = frame.message;
          if (m.kind === 'heartbeat' && m.role === 'ping') peer.send({ kind: 'heartbeat', role: 'pong', origin: 'platform', echoSeq: frame.seq });
          this.log.push(frame);
        });
        peer.onError((error) => this.log.pushError(error));
        resolve(peer);
      });
    });
  }

  static async listen(options: PlatformSideOptions): Promise<PlatformSide> {
    const server = createServer({ noDelay: true });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '0.0.0.0', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : options.port);
      });
    });
    options.onListening?.(port);
    return new PlatformSide(server, options, port);
  }

  /** The AGV's connection, once it arrived (undefined after timeoutMs). */
  async connection(timeoutMs: number): Promise<FramePeer | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    const peer = await Promise.race([this.connected, timeout]);
    clearTimeout(timer);
    return peer;
  }

  /** The live connection; scenarios after access fail clearly when there is none. */
  link(): FramePeer {
    if (!this.peer || this.peer.closed) throw new Error('the AGV is not connected');
    return this.peer;
  }

  id(): number {
    return this.nextId++;
  }

  send(message: Message): number {
    const seq = this.link().send(message);
    if (seq === undefined) throw new Error('the AGV connection is closed');
    return seq;
  }

  /** Answers the AGV's key exchange as a platform does; resolves with an error text, or undefined on success. */
  async keyExchange(timeoutMs: number): Promise<string | undefined> {
    const peer = this.link();
    if (!this.keyPair) return 'no --key given for the platform side';
    const init = await this.log.waitForKind('keyExchangeInit', timeoutMs);
    if (!init) return `no keyExchangeInit within ${timeoutMs} ms`;
    if (this.options.agvKey && !samePublicKey(init.staticPublicKey, this.options.agvKey)) return 'the AGV presented a key other than --agv-key';
    this.responder = new KeyExchangeResponder({ id: KIT_USER_ID, keyPair: this.keyPair });
    peer.send({ kind: 'keyExchangeReply', ...this.responder.handleInit(init) });
    const confirmAt = this.log.frames.findIndex((e) => e.frame.message.kind === 'keyExchangeInit') + 1;
    const confirm = await this.log.waitFor((f) => f.message.kind === 'keyExchangeConfirm', timeoutMs, confirmAt);
    if (!confirm || confirm.frame.message.kind !== 'keyExchangeConfirm') return `no keyExchangeConfirm within ${timeoutMs} ms`;
    try {
      const result = this.responder.handleConfirm(confirm.frame.message);
      peer.setProtector(createSecureProtector(SecureSession.fromKeyExchange(result, { localKeyPair: this.keyPair, clock: systemClock })));
    } catch (err) {
      peer.nack(confirm.frame.seq, confirm.frame.msgType, 'KEY_EXCHANGE_FAILED', String(err));
      return `key confirmation does not check out: ${err instanceof Error ? err.message : String(err)}`;
    }
    // The ack is the first protected frame: it tells the AGV the kit holds the keys.
    peer.ack(confirm.frame);
    return undefined;
  }

  /** Starts the kit's own heartbeat pings at the configured period. */
  startPinging(): void {
    const tick = () => {
      if (!this.peer || this.peer.closed) return;
      this.peer.send({ kind: 'heartbeat', role: 'ping', origin: 'platform', echoSeq: 0 });
      timer = setTimeout(tick, this.options.heartbeatPeriodMs);
    };
    let timer = setTimeout(tick, this.options.heartbeatPeriodMs);
    this.cancelPing = () => clearTimeout(timer);
  }

  /** Latest statusReport received. */
  lastStatus(): MessageOfKind<'statusReport'> | undefined {
    return this.log.ofKind('statusReport').at(-1)?.message;
  }

  async close(): Promise<void> {
    this.cancelPing?.();
    this.peer?.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
