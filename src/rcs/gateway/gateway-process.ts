// A protocol gateway: a child process of the platform that accepts AGV connections on the platform's listening
// socket (shared with the other gateways; the kernel spreads the accepts), reads a connection only once the platform
// admitted it, and terminates TCP and, for secure sessions, the secure channel: SM2 verification, SM4 decryption, encryption and
// signing run here, in parallel with the coordinator and the other gateways. The coordinator keeps every session's
// logic (src/rcs/session) and sees plain frames; plain-mode bytes pass through untouched.
//
// Started by GatewayPool (gateway-pool.ts); exits when the coordinator goes away.
import type { Server, Socket } from 'node:net';
import { systemClock } from '../../core/index.ts';
import { TcpChannel } from '../../agv/transport/tcp.ts';
import { createSecureProtector, decodeFrame, encodeFrame, FrameDecoder, type FrameProtector, type ProtocolError } from '../../protocol/index.ts';
import { SecureSession, Sm2Signer } from '../../protocol/secure/index.ts';
import type { SecureSessionKeys } from '../session/secure-handshake.ts';
import { TurnBatch, type FromGateway, type GatewayEvent, type GatewayInit, type GatewayOp, type ToGateway } from './wire.ts';

let init: GatewayInit | undefined;
/** One signer for every session: the platform's key is the same for all of them. */
let platformSigner: Sm2Signer | undefined;
const connections = new Map<number, GatewayConnection>();
/** Accepted, not read, waiting for the platform's admission decision. */
const waiting = new Map<number, { socket: Socket; onClose: () => void }>();
let nextId = 1;
/** This gateway's copy of the platform's listening socket, while the platform takes connections. */
let listener: Server | undefined;
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
      case 'admit':
        break;
    }
  }

  private installSecure(keys: SecureSessionKeys): void {
    platformSigner ??= new Sm2Signer(init!.platformKeys);
    const session = new SecureSession({ ...keys, localKeyPair: init!.platformKeys, localSigner: platformSigner, clock: systemClock });
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

function ignoreError(): void {}

function accept(socket: Socket): void {
  const id = nextId++;
  const onClose = () => {
    if (waiting.delete(id)) events.push([id, 'closed', 'remote']);
  };
  waiting.set(id, { socket, onClose });
  socket.on('error', ignoreError);
  socket.once('close', onClose);
  events.push([id, 'connected', { address: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 }]);
}

function admit(id: number): void {
  const entry = waiting.get(id);
  if (!entry || !init) return;
  waiting.delete(id);
  const { socket, onClose } = entry;
  // Only this file's listeners: Node tracks a socket adopted from the coordinator by its own 'close' listener.
  socket.off('close', onClose);
  socket.off('error', ignoreError);
  connections.set(id, new GatewayConnection(id, socket, init.maxBufferedBytes));
}

process.on('message', (message: ToGateway, handle?: Server | Socket) => {
  switch (message.t) {
    case 'init':
      init = message;
      break;
    case 'unlisten':
      listener?.close();
      listener = undefined;
      break;
    case 'adopt':
      if (handle) accept(handle as Socket);
      break;
    case 'listen':
      if (handle) {
        // Accepted sockets stay unread until admitted, as on the platform's own listener (a refused source costs an
        // accept and a close). The option is only settable on the server object Node rebuilt from the handle.
        const server = handle as Server & { pauseOnConnect: boolean };
        server.pauseOnConnect = true;
        server.on('connection', accept);
        listener = server;
        send({ t: 'listening' });
      }
      break;
    case 'ops':
      for (const op of message.ops) {
        if (op[1] === 'admit') admit(op[0]);
        else if (op[1] === 'close' && waiting.has(op[0])) waiting.get(op[0])!.socket.destroy();
        else connections.get(op[0])?.apply(op);
      }
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
