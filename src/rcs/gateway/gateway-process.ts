// A protocol gateway: a child process of the platform that terminates AGV connections handed to it (TCP sockets
// passed over IPC) and, for secure sessions, the secure channel: SM2 verification, SM4 decryption, encryption and
// signing run here, in parallel with the coordinator and the other gateways. The coordinator keeps every session's
// logic (src/rcs/session) and sees plain frames; plain-mode bytes pass through untouched.
//
// Started by GatewayPool (gateway-pool.ts); exits when the coordinator goes away.
import type { Socket } from 'node:net';
import { systemClock } from '../../core/index.ts';
import { TcpChannel } from '../../agv/transport/tcp.ts';
import { createSecureProtector, decodeFrame, encodeFrame, FrameDecoder, type FrameProtector, type ProtocolError } from '../../protocol/index.ts';
import { SecureSession, type Sm2KeyPair } from '../../protocol/secure/index.ts';
import type { SecureSessionKeys } from '../session/secure-handshake.ts';
import { TurnBatch, type FromGateway, type GatewayEvent, type GatewayInit, type GatewayOp, type ToGateway } from './wire.ts';

let init: GatewayInit | undefined;
const connections = new Map<number, GatewayConnection>();
const events = new TurnBatch<GatewayEvent>((batch) => send({ t: 'events', events: batch }));

function send(message: FromGateway): void {
  if (process.connected) process.send!(message);
}

/** One AGV connection: raw bytes both ways until the session is secure, then protected frames on the wire. */
class GatewayConnection {
  private readonly channel: TcpChannel;
  private secure: { protector: FrameProtector; decoder: FrameDecoder } | undefined;

  constructor(
    private readonly id: number,
    socket: Socket,
    maxBufferedBytes: number,
  ) {
    this.channel = new TcpChannel(socket, { maxBufferedBytes });
    this.channel.onData((chunk) => (this.secure ? this.openFrames(chunk) : events.push([id, 'data', chunk])));
    this.channel.onClose((reason) => {
      connections.delete(id);
      events.push([id, 'closed', reason]);
    });
    socket.resume();
  }

  apply(op: GatewayOp): void {
    switch (op[1]) {
      case 'send':
        this.sendFrame(op[2]);
        break;
      case 'secure':
        this.installSecure(op[2]);
        break;
      case 'pause':
        this.channel.pause();
        break;
      case 'resume':
        this.channel.resume();
        break;
      case 'close':
        this.channel.close();
        break;
    }
  }

  private installSecure(keys: SecureSessionKeys): void {
    const session = new SecureSession({ ...keys, localKeyPair: init!.platformKeys as Sm2KeyPair, clock: systemClock });
    const protector = createSecureProtector(session);
    this.secure = { protector, decoder: new FrameDecoder({ protector }) };
  }

  /** The coordinator sends one plain frame per op; in a secure session it is re-encoded protected, same header. */
  private sendFrame(frame: Uint8Array): void {
    if (!this.secure) {
      this.channel.send(frame);
      return;
    }
    const plain = decodeFrame(frame);
    if (!plain.ok) return; // the coordinator's own encoder produced it: cannot happen short of a bug
    const { message, seq, timestamp, flags, version } = plain.frame;
    try {
      this.channel.send(encodeFrame(message, { seq, timestamp, flags, version, protector: this.secure.protector }));
    } catch {
      // REKEY_REQUIRED after 2^32 frames: nothing more can be sent on this key, so the connection ends.
      this.channel.close();
    }
  }

  /** Verifies and decrypts; the coordinator gets each accepted frame plain, and each rejected one as its error. */
  private openFrames(chunk: Uint8Array): void {
    for (const event of this.secure!.decoder.push(chunk)) {
      if (event.ok) {
        const { message, seq, timestamp, flags, version } = event.frame;
        events.push([this.id, 'data', encodeFrame(message, { seq, timestamp, flags, version })]);
      } else {
        events.push([this.id, 'rejected', rejected(event.error)]);
      }
    }
  }
}

function rejected(error: ProtocolError): Extract<GatewayEvent, { 1: 'rejected' }>[2] {
  return { code: error.code, message: error.message, msgType: error.msgType, seq: error.seq, field: error.field };
}

process.on('message', (message: ToGateway, handle?: Socket) => {
  switch (message.t) {
    case 'init':
      init = message;
      break;
    case 'adopt':
      if (handle && init) connections.set(message.id, new GatewayConnection(message.id, handle, init.maxBufferedBytes));
      else {
        handle?.destroy();
        events.push([message.id, 'closed', 'error']);
      }
      break;
    case 'ops':
      for (const op of message.ops) connections.get(op[0])?.apply(op);
      break;
    case 'usage': {
      const cpu = process.cpuUsage();
      send({ t: 'usage', cpuUs: cpu.user + cpu.system, rss: process.memoryUsage.rss() });
      break;
    }
  }
});
// The coordinator is the only reason to exist: without it, the connections have no session behind them.
process.on('disconnect', () => process.exit(0));
