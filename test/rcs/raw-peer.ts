import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, type Message, type MessageOfKind } from '../../src/protocol/index.ts';
import { waitFor } from './e2e-harness.ts';

// A hand-driven AGV connection for session tests: writes exactly the frames a test gives it and records every
// message the platform sends back, so tests can play a misbehaving or hostile client over real TCP.

export interface RawPeer {
  socket: Socket;
  messages: Message[];
  closed: Promise<void>;
  isClosed(): boolean;
  send(message: Message): void;
  find<K extends Message['kind']>(kind: K): MessageOfKind<K> | undefined;
}

let seq = 1;
export function frame(message: Message): Uint8Array {
  return encodeFrame(message, { seq: seq++, timestamp: Date.now() });
}

/** `localAddress` (another loopback address, e.g. 127.0.0.2) makes the connection a source of its own. */
export function rawConnect(port: number, localAddress?: string): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    const decoder = new FrameDecoder();
    const messages: Message[] = [];
    let closed = false;
    const closedPromise = new Promise<void>((r) => socket.on('close', () => {
      closed = true;
      r();
    }));
    socket.on('data', (chunk) => {
      for (const event of decoder.push(chunk)) if (event.ok) messages.push(event.frame.message);
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      // After connecting, a reset by the platform is an expected outcome of these tests, not a failure.
      socket.on('error', () => {});
      resolve({
        socket,
        messages,
        closed: closedPromise,
        isClosed: () => closed,
        send: (message) => {
          if (!socket.destroyed) socket.write(frame(message));
        },
        find: (kind) => messages.find((m) => m.kind === kind) as never,
      });
    });
  });
}

export const SANE_CAPABILITIES: MessageOfKind<'registerRequest'>['capabilities'] = {
  kinematics: 'differential', length: 900, width: 600, height: 300, maxSpeed: 1500, maxAcceleration: 500, maxDeceleration: 500,
  maxAngularSpeed: 1000, maxPayload: 500, actuators: [{ type: 'lift', index: 0, min: 0, max: 60 }], navigationTypes: ['qrCode'], maps: [{ mapId: 1, mapVersion: 1 }],
};

export function registerRequest(serial: string, capabilities = SANE_CAPABILITIES): MessageOfKind<'registerRequest'> {
  return { kind: 'registerRequest', vendor: 'Test', model: 'T1', serial, agvType: 'latentLifting', softwareVersion: '1.0', capabilities };
}

export function accessRequest(agvId: string, mode: 'normal' | 'secure' = 'normal'): MessageOfKind<'accessRequest'> {
  return { kind: 'accessRequest', agvId, mode, versionMin: 0x10, versionMax: 0x10, vendor: 'Test' };
}

/** Sends a normal-mode access request and waits until it is accepted. */
export async function accessed(peer: RawPeer, id: string): Promise<void> {
  peer.send(accessRequest(id));
  await waitFor('access accepted', () => peer.find('accessResponse')?.result === 'accepted', 5_000);
}

/** Access, registration and config by hand: the platform activates the session on the ack. */
export async function registered(peer: RawPeer, id: string): Promise<void> {
  await accessed(peer, id);
  peer.send(registerRequest(`SER-${id}`));
  await waitFor('globalConfig', () => peer.find('globalConfig') !== undefined, 5_000);
  peer.send({ kind: 'globalConfigAck', result: 'ok' });
}
