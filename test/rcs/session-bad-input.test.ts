import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import type { Message } from '../../src/protocol/index.ts';
import { AgvClient } from '../../src/agv/index.ts';
import { SimAgv, VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { demoSite, waitFor } from './e2e-harness.ts';
import { CentralTrafficController } from '../../src/rcs/traffic/central/index.ts';
import { capturingLogger, LEVEL } from './log-capture.ts';
import { testConfig } from './test-config.ts';
import { frame, rawConnect } from './raw-peer.ts';

// Bad input from one AGV must get a clear answer (nack, refusal, close) and never disturb the others.

describe('session server under bad input', () => {
  let platform: PlatformHandle;
  let good: SimAgv;
  const log = capturingLogger();

  beforeAll(async () => {
    const site = await demoSite();
    platform = await startPlatform(testConfig({ autoEnrol: false, demoKey: true, webhooks: false, statusPeriodMs: 100 }), { site, logger: log.logger });
    await platform.store.agvs.enrol({ id: 'GOOD-1' });
    const node = site.nodes[0]!;
    good = new SimAgv({ id: 'GOOD-1', profile: VENDOR_PROFILES[0]!, serial: 'S1', start: { nodeNumber: 1, x: node.x, y: node.y }, mapNumber: 1, clock: systemClock, port: platform.rcsPort, selfTickMs: 50 });
    good.start();
    await waitFor('good AGV online', () => platform.registry.get('GOOD-1')?.connection === 'online', 10_000);
  });

  afterAll(async () => {
    good.stop();
    await platform.stop();
  });

  it('nacks garbage and frames sent before access, and closes a session that keeps sending garbage', async () => {
    const raw = await rawConnect(platform.rcsPort);
    raw.socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    raw.socket.write(frame({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 }));
    raw.socket.write(frame({ kind: 'registerAck', result: 'accepted', detail: '' }));
    await waitFor('answers', () => raw.messages.length >= 3, 5_000);
    const nacks = raw.messages.filter((m): m is Extract<Message, { kind: 'nack' }> => m.kind === 'nack');
    // Before access a heartbeat is no exception: nacked, not answered with a pong.
    expect(nacks.map((n) => n.errorCode)).toEqual(['BAD_MAGIC', 'NOT_ACCESSED', 'NOT_ACCESSED']);
    expect(raw.messages.some((m) => m.kind === 'heartbeat')).toBe(false);

    const seenBefore = platform.registry.get('GOOD-1')!.lastSeen;
    for (let i = 0; i < 30 && !raw.socket.destroyed; i++) {
      raw.socket.write(Buffer.from([0x55, 0x46, ...Array.from({ length: 40 }, () => i)]));
      await new Promise((r) => setTimeout(r, 5));
    }
    await raw.closed;
    await waitFor('good AGV keeps reporting', () => platform.registry.get('GOOD-1')!.lastSeen > seenBefore, 5_000);
    expect(platform.registry.get('GOOD-1')!.connection).toBe('online');
  });

  it('nacks a frame whose fields break the declaration (bad enum value) with a typed code', async () => {
    const raw = await rawConnect(platform.rcsPort);
    const bytes = frame({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 });
    // Payload byte 0 is the role enum: 0x7f is not a HeartbeatRole. Fix the CRC so only the field is wrong.
    const bad = Uint8Array.from(bytes);
    bad[24] = 0x7f;
    const { crc32 } = await import('../../src/protocol/index.ts');
    new DataView(bad.buffer).setUint32(bad.length - 4, crc32(bad, 0, bad.length - 4));
    raw.socket.write(bad);
    await waitFor('nack', () => raw.messages.some((m) => m.kind === 'nack'), 5_000);
    const nack = raw.messages.find((m) => m.kind === 'nack') as Extract<Message, { kind: 'nack' }>;
    expect(nack.errorCode).toBe('BAD_ENUM');
    raw.socket.destroy();
  });

  it('refuses an AGV that is not enrolled while auto-enrolment is off', async () => {
    const refusals: string[] = [];
    const client = new AgvClient({
      agvId: 'STRANGER-9',
      port: platform.rcsPort,
      registration: { vendor: 'X', model: 'Y', serial: 'Z', agvType: 'other', softwareVersion: '1', capabilities: { kinematics: 'differential', length: 1, width: 1, height: 1, maxSpeed: 1, maxAcceleration: 1, maxDeceleration: 1, maxAngularSpeed: 1, maxPayload: 1, actuators: [], navigationTypes: [], maps: [] } },
      status: () => {
        throw new Error('never active');
      },
      initialBackoffMs: 60_000,
    });
    client.on('refused', (stage, reason) => refusals.push(`${stage} ${reason}`));
    client.start();
    await waitFor('refusal', () => refusals.length > 0, 5_000);
    client.stop();
    expect(refusals[0]).toMatch(/^access unknownAgv/);
    expect(platform.registry.get('STRANGER-9')).toBeUndefined();
    const events = await platform.store.events.query({ type: 'access.refused' });
    expect(events.some((e) => e.message.includes('STRANGER-9'))).toBe(true);
  });

  it('refuses secure access for an AGV without an enrolled key, and normal access for one that has a key', async () => {
    const raw = await rawConnect(platform.rcsPort);
    raw.socket.write(frame({ kind: 'accessRequest', agvId: 'GOOD-1', mode: 'secure', versionMin: 0x10, versionMax: 0x10, vendor: 'X' }));
    await raw.closed;
    const response = raw.messages.find((m) => m.kind === 'accessResponse') as Extract<Message, { kind: 'accessResponse' }>;
    expect(response.result).toBe('refused');
    expect(response.detail).toMatch(/enrolled SM2 public key/);

    await platform.store.agvs.enrol({ id: 'KEYED-1', publicKeyHex: '04' + 'ab'.repeat(64) });
    const raw2 = await rawConnect(platform.rcsPort);
    raw2.socket.write(frame({ kind: 'accessRequest', agvId: 'KEYED-1', mode: 'normal', versionMin: 0x10, versionMax: 0x10, vendor: 'X' }));
    await raw2.closed;
    expect((raw2.messages.find((m) => m.kind === 'accessResponse') as Extract<Message, { kind: 'accessResponse' }>).result).toBe('secureRequired');
  });

  it('answers unknown task ids and invalid task payloads with clear 4xx errors and stores nothing', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': platform.demoApiKey! };
    const missing = await fetch(`${platform.apiUrl}/api/v1/tasks/tsk_nope`, { headers });
    expect(missing.status).toBe(404);
    const cancelMissing = await fetch(`${platform.apiUrl}/api/v1/tasks/tsk_nope/cancel`, { method: 'POST', headers, body: '{}' });
    expect(cancelMissing.status).toBe(404);
    const bad = await fetch(`${platform.apiUrl}/api/v1/tasks`, { method: 'POST', headers, body: JSON.stringify({ pick: 'NOWHERE', drop: 'DROP-01' }) });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/NOWHERE/);
    expect((await platform.tasks.list()).items).toHaveLength(0);
  });

  it('logs a command the AGV does not carry out, with the AGV it concerns', async () => {
    const link = platform.registry.live('GOOD-1')!.link!;
    expect(await link.sendControl('estop')).toMatchObject({ ok: true });
    try {
      const node = platform.site.nodes[0]!;
      const refused = await link.sendMotion({ orderId: 99, updateId: 0, released: [{ nodeId: node.id, x: node.x, y: node.y }], announced: [] });
      expect(refused).toMatchObject({ ok: false, code: 'INVALID_STATE' });
      expect(log.lines).toContainEqual(expect.objectContaining({ level: LEVEL.warn, agvId: 'GOOD-1', command: 'motionCommand', code: 'INVALID_STATE' }));
    } finally {
      await link.sendControl('release-estop');
    }
    // The acknowledged commands' round trips and the planning steps reached the metrics through declared hooks.
    const metrics = await (await fetch(`${platform.apiUrl}/metrics`)).text();
    expect(Number(/^unifleet_command_latency_seconds_count\{command="motionControl"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^unifleet_planner_step_seconds_count (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('lets an operator clear the reservations of an offline AGV only', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': platform.demoApiKey! };
    const url = `${platform.apiUrl}/api/v1/agvs/GOOD-1/clear-reservations`;
    await waitFor('GOOD-1 placed', () => platform.traffic.held('GOOD-1').length > 0, 5_000);
    expect((await fetch(url, { method: 'POST', headers, body: '{}' })).status).toBe(409);
    good.stop();
    await waitFor('GOOD-1 offline', () => platform.registry.get('GOOD-1')?.connection === 'offline', 10_000);
    expect(platform.traffic.held('GOOD-1').length).toBeGreaterThan(0);
    // The platform told traffic control, which now plans around it.
    expect((platform.traffic as CentralTrafficController).events()).toContainEqual(expect.objectContaining({ kind: 'agv.offline', agvIds: ['GOOD-1'] }));
    expect(await (await fetch(`${platform.apiUrl}/metrics`)).text()).toMatch(/^unifleet_traffic_events_total\{kind="agv.offline"\} 1$/m);
    const cleared = await fetch(url, { method: 'POST', headers, body: '{}' });
    expect(cleared.status).toBe(200);
    expect(platform.traffic.held('GOOD-1')).toEqual([]);
  });
});
