import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { AgvController, type OrderNode, type VendorAdapter } from '../../src/agv/index.ts';
import { FramePeer } from '../../src/agv/transport/frame-peer.ts';
import { connectTcp, TcpChannel } from '../../src/agv/transport/tcp.ts';
import type { Frame, MessageOfKind } from '../../src/protocol/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { demoSite, waitFor } from '../rcs/e2e-harness.ts';
import { testConfig } from '../rcs/test-config.ts';
import { registration } from './fixtures.ts';

// Heartbeats in both directions over real sockets: the platform pings every AGV past access, and an AGV that hears
// nothing from the platform for the heartbeat timeout reports the loss, brakes and reconnects.

/** A vehicle that never arrives on its own: it records what it was told to do. */
class RecordingVehicle implements VendorAdapter {
  readonly driving: number[] = [];
  stops = 0;
  driveToNode(node: OrderNode): Promise<void> {
    this.driving.push(node.nodeId);
    return new Promise(() => {});
  }
  stop(): void {
    this.stops++;
  }
  runAction(): Promise<void> {
    return Promise.resolve();
  }
  pose() {
    return { x: 0, y: 1000, theta: 0 };
  }
  battery() {
    return { level: 800, charging: false };
  }
  load() {
    return 'empty' as const;
  }
}

const NODE = (nodeId: number, sequenceId: number): OrderNode => ({ nodeId, sequenceId, pose: { x: 0, y: 0, theta: -32768 }, mapId: 1, allowedDeviation: 0, attribute: 'passThrough', actions: [] });
const EDGE = (edgeId: number, sequenceId: number, startNodeId: number, endNodeId: number) => ({ edgeId, sequenceId, startNodeId, endNodeId, maxSpeed: 500, maxAngularSpeed: 0, movement: 'forward' as const, orientation: -32768, trajectory: 'line' as const, controlPoints: [], actions: [] });
const ORDER: MessageOfKind<'motionCommand'> = { kind: 'motionCommand', orderId: 5, orderUpdateId: 0, taskType: 'move', nodes: [NODE(1, 0), NODE(2, 2), NODE(3, 4)], edges: [EDGE(1, 1, 1, 2), EDGE(2, 3, 2, 3)], releasedNodeCount: 3 };

/**
 * A platform that completes access, registration and config, sends one order (on the first connection), and then hangs: it keeps the socket
 * open but never sends another frame (a stuck process or a half-dead network path).
 */
function hangingPlatform(onConnection: () => number): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    const first = onConnection() === 1;
    const peer = new FramePeer(new TcpChannel(socket), { clock: systemClock });
    let hung = false;
    peer.onFrame((frame: Frame) => {
      if (hung) return;
      const m = frame.message;
      if (m.kind === 'accessRequest') peer.send({ kind: 'accessResponse', result: 'accepted', version: 0x10, sessionId: 1, serverTime: Date.now(), detail: '' });
      else if (m.kind === 'registerRequest') {
        peer.send({ kind: 'registerAck', result: 'accepted', detail: '' });
        peer.send({ kind: 'globalConfig', statusPeriod: 1000, heartbeatPeriod: 100, heartbeatTimeout: 400, runningDataPeriod: 0, batteryLow: 200, batteryCritical: 100, localisationScoreMin: 50, maxClockSkew: 30_000 });
      } else if (m.kind === 'globalConfigAck' && first) {
        peer.send(ORDER, true);
      } else if (m.kind === 'ack') {
        hung = true;
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

describe('heartbeats both ways', () => {
  let platform: PlatformHandle | undefined;
  let server: Server | undefined;
  let controller: AgvController | undefined;
  let raw: FramePeer | undefined;
  afterEach(async () => {
    controller?.stop();
    raw?.close();
    await platform?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    platform = undefined;
    server = undefined;
  });

  it('the platform pings an AGV that never pings itself, and keeps it online while it answers', async () => {
    platform = await startPlatform(testConfig({ autoEnrol: true, heartbeatPeriodMs: 100, heartbeatTimeoutMs: 1_000 }), { site: await demoSite(), ops: false });
    raw = new FramePeer(await connectTcp('127.0.0.1', platform.rcsPort), { clock: systemClock });
    const pings: Frame[] = [];
    const peer = raw;
    peer.onFrame((frame) => {
      const m = frame.message;
      if (m.kind === 'accessResponse') peer.send({ kind: 'registerRequest', ...registration });
      else if (m.kind === 'globalConfig') peer.send({ kind: 'globalConfigAck', result: 'ok' });
      else if (m.kind === 'heartbeat' && m.role === 'ping') {
        pings.push(frame);
        peer.send({ kind: 'heartbeat', role: 'pong', origin: 'agv', echoSeq: frame.seq });
      }
    });
    peer.send({ kind: 'accessRequest', agvId: 'QUIET-1', mode: 'normal', versionMin: 0x10, versionMax: 0x10, vendor: 'Test' });
    // Answering the platform's pings is enough to stay online well past the heartbeat timeout.
    await waitFor('pings over more than two heartbeat timeouts', () => pings.length >= 12, 10_000);
    expect(pings.every((f) => f.message.kind === 'heartbeat' && f.message.origin === 'platform' && f.message.echoSeq === 0)).toBe(true);
    expect(platform.registry.get('QUIET-1')?.connection).toBe('online');
  });

  it('an AGV whose platform falls silent reports the loss, brakes at its next node and reconnects', async () => {
    let connections = 0;
    const hanging = await hangingPlatform(() => ++connections);
    server = hanging.server;
    const vehicle = new RecordingVehicle();
    const lost: string[] = [];
    controller = new AgvController({ agvId: 'LOST-1', port: hanging.port, registration, adapter: vehicle, mapId: 1, navMode: 'qrCode', startNodeId: 1, initialBackoffMs: 50 });
    controller.client.on('linkLost', (reason) => lost.push(reason));
    controller.start();
    await waitFor('the order handed to the vehicle', () => vehicle.driving.length === 2, 5_000);
    expect(vehicle.stops).toBe(0);
    await waitFor('the loss reported', () => lost.length > 0, 5_000);
    expect(lost[0]).toBe('heartbeatTimeout');
    expect(vehicle.stops).toBe(1);
    // Only the node it was driving to is kept: nothing beyond it is handed over while the platform is gone.
    expect(vehicle.driving).toEqual([2, 3]);
    await waitFor('a reconnect', () => connections >= 2, 5_000);
  });

  it('an AGV whose platform stops reports the loss and brakes', async () => {
    platform = await startPlatform(testConfig({ autoEnrol: true }), { site: await demoSite(), ops: false });
    const vehicle = new RecordingVehicle();
    const lost: string[] = [];
    controller = new AgvController({ agvId: 'LOST-2', port: platform.rcsPort, registration, adapter: vehicle, mapId: 1, navMode: 'qrCode', startNodeId: 1, initialBackoffMs: 50 });
    controller.client.on('linkLost', (reason) => lost.push(reason));
    controller.start();
    await waitFor('the AGV online', () => platform!.registry.live('LOST-2')?.link !== undefined, 5_000);
    const site = platform.site;
    const [a, b] = [site.nodes[0]!, site.nodes[1]!];
    await platform.registry.live('LOST-2')!.link!.sendMotion({ orderId: 3, updateId: 0, released: [{ nodeId: a.id, x: a.x, y: a.y }, { nodeId: b.id, x: b.x, y: b.y }], announced: [] });
    expect(vehicle.driving).toEqual([2]);
    await platform.stop();
    platform = undefined;
    await waitFor('the loss reported', () => lost.length > 0, 5_000);
    expect(lost).toEqual(['closed']);
    expect(vehicle.stops).toBe(1);
  });
});
