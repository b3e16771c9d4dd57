// The coordinator's side of the protocol gateways: forks N gateway processes, hands each accepted TCP connection to
// one of them (round robin, as the socket handle over IPC) and gives the session server a FrameChannel for it.
// Sessions (src/rcs/session) stay here, in the one process that writes the site's state; per-frame work on the
// wire (socket reads and writes, and in secure mode SM2/SM4) runs in the gateways, over as many cores as there are.
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BaseChannel, type FrameChannel } from '../../agv/transport/channel.ts';
import { ProtocolError } from '../../protocol/index.ts';
import type { Sm2KeyPair } from '../../protocol/secure/index.ts';
import type { Logger } from '../logger.ts';
import type { SecureSessionKeys, SecureTerminatingChannel } from '../session/secure-handshake.ts';
import { TurnBatch, type FromGateway, type GatewayEvent, type GatewayOp, type GatewayUsage, type ToGateway } from './wire.ts';

export interface GatewayPoolOptions {
  /** Gateway processes (≥ 1). */
  readonly count: number;
  readonly platformKeys: Sm2KeyPair;
  readonly maxBufferedBytes: number;
  readonly logger?: Logger;
}

// From TypeScript sources (tsx) the entry is the .ts file, from a build the emitted .js next to this one.
const ENTRY = fileURLToPath(new URL(`./gateway-process.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));

/** One gateway process and the channels of the connections it holds. */
class GatewayLink {
  readonly channels = new Map<number, GatewayChannel>();
  private readonly ops: TurnBatch<GatewayOp>;
  private usageWaiters: ((usage: GatewayUsage) => void)[] = [];

  constructor(readonly child: ChildProcess, logger: Logger | undefined) {
    this.ops = new TurnBatch((ops) => this.post({ t: 'ops', ops }));
    child.on('message', (message: FromGateway) => {
      if (message.t === 'events') for (const event of message.events) this.channels.get(event[0])?.deliver(event);
      else for (const waiter of this.usageWaiters.splice(0)) waiter(message);
    });
    child.on('exit', (code, signal) => {
      if (this.channels.size > 0) logger?.error({ code, signal, connections: this.channels.size }, 'protocol gateway exited; its connections are closed');
      for (const channel of [...this.channels.values()]) channel.deliver([0, 'closed', 'error']);
      for (const waiter of this.usageWaiters.splice(0)) waiter({ t: 'usage', cpuUs: 0, rss: 0 });
    });
  }

  post(message: ToGateway, handle?: Socket): void {
    if (this.child.connected) this.child.send(message, handle);
  }

  op(op: GatewayOp): void {
    this.ops.push(op);
  }

  usage(): Promise<GatewayUsage> {
    if (!this.child.connected) return Promise.resolve({ t: 'usage', cpuUs: 0, rss: 0 });
    return new Promise((resolve) => {
      this.usageWaiters.push(resolve);
      if (this.usageWaiters.length === 1) this.post({ t: 'usage' });
    });
  }
}

/** The session server's view of a connection a gateway holds: plain frames in, plain frames out. */
class GatewayChannel extends BaseChannel implements SecureTerminatingChannel {
  private readonly rejectedListeners: ((error: ProtocolError) => void)[] = [];
  private remotelyClosed = false;

  constructor(
    readonly peer: string,
    private readonly id: number,
    private readonly link: GatewayLink,
  ) {
    super();
  }

  /** Queued in the gateway, where the socket is; the gateway enforces the limit and closes with 'backpressure'. */
  get bufferedBytes(): number {
    return 0;
  }

  send(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    this.link.op([this.id, 'send', bytes]);
    return true;
  }

  pause(): void {
    if (!this.closed) this.link.op([this.id, 'pause']);
  }

  resume(): void {
    if (!this.closed) this.link.op([this.id, 'resume']);
  }

  installSecureSession(keys: SecureSessionKeys): void {
    if (!this.closed) this.link.op([this.id, 'secure', keys]);
  }

  onRejectedFrame(listener: (error: ProtocolError) => void): void {
    this.rejectedListeners.push(listener);
  }

  deliver(event: GatewayEvent): void {
    if (event[1] === 'data') this.emitData(event[2]);
    else if (event[1] === 'rejected') {
      const { code, message, ...details } = event[2];
      const error = new ProtocolError(code, message, details);
      for (const listener of this.rejectedListeners) listener(error);
    } else {
      this.remotelyClosed = true;
      this.finish(event[2]);
    }
  }

  protected doClose(): void {
    this.link.channels.delete(this.id);
    if (!this.remotelyClosed) this.link.op([this.id, 'close']);
  }
}

export class GatewayPool {
  private readonly links: GatewayLink[];
  private nextLink = 0;
  private nextId = 1;

  private constructor(links: GatewayLink[]) {
    this.links = links;
  }

  static start(options: GatewayPoolOptions): GatewayPool {
    if (!Number.isInteger(options.count) || options.count < 1) throw new RangeError('a gateway pool needs at least one gateway');
    // Running from TypeScript sources (tsx), the children need the same loader.
    const execArgv = ENTRY.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const links = Array.from({ length: options.count }, () => {
      const child = fork(ENTRY, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const link = new GatewayLink(child, options.logger);
      link.post({ t: 'init', platformKeys: options.platformKeys, maxBufferedBytes: options.maxBufferedBytes });
      return link;
    });
    return new GatewayPool(links);
  }

  get size(): number {
    return this.links.length;
  }

  /** Hands an accepted (paused) socket to the next gateway; the socket must not be read or resumed here afterwards. */
  adopt(socket: Socket): FrameChannel {
    const link = this.links[this.nextLink++ % this.links.length]!;
    const id = this.nextId++;
    const channel = new GatewayChannel(`${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, id, link);
    link.channels.set(id, channel);
    link.post({ t: 'adopt', id }, socket);
    return channel;
  }

  /** CPU (ms since start) and RSS of each gateway process, for benchmarks and metrics. */
  async usage(): Promise<{ cpuMs: number; rss: number }[]> {
    const all = await Promise.all(this.links.map((link) => link.usage()));
    return all.map((u) => ({ cpuMs: u.cpuUs / 1000, rss: u.rss }));
  }

  async close(): Promise<void> {
    await Promise.all(this.links.map((link) => new Promise<void>((resolve) => {
      if (link.child.exitCode !== null || link.child.signalCode !== null) return resolve();
      link.child.once('exit', () => resolve());
      link.child.kill();
    })));
  }
}
