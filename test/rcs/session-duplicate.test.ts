import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { generateSm2KeyPair } from '../../src/protocol/secure/index.ts';
import { SimAgv, VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { demoSite, waitFor } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';
import { accessed, accessRequest, rawConnect, registered, registerRequest, SANE_CAPABILITIES, type RawPeer } from './raw-peer.ts';

// A live session is never replaced by a newcomer that proves no more than it: a second normal-mode connection for
// an online AGV is refused with duplicateSession; a dead session (silent past the heartbeat timeout) or a newcomer
// that passed the SM2 key exchange with the enrolled key may take over. Registrations that make no physical sense
// are refused with rejectedCapabilities. Every refusal is counted in /metrics and logged.

const HEARTBEAT_TIMEOUT_MS = 1_500;

describe('duplicate sessions and registration checks', () => {
  let platform: PlatformHandle;
  const started: SimAgv[] = [];
  const raws: RawPeer[] = [];

  beforeAll(async () => {
    platform = await startPlatform(testConfig({ autoEnrol: true, webhooks: false, statusPeriodMs: 100, heartbeatPeriodMs: 300, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS }), { site: await demoSite() });
  });
  afterAll(async () => {
    for (const agv of started) agv.stop();
    for (const raw of raws) raw.socket.destroy();
    await platform.stop();
  });

  function simAgv(id: string, node: number, secure?: { privateKey: Uint8Array; publicKey: Uint8Array }): SimAgv {
    const n = platform.site.nodes[node]!;
    const agv = new SimAgv({
      id, profile: VENDOR_PROFILES[0]!, serial: `SER-${id}`, start: { nodeNumber: node + 1, x: n.x, y: n.y }, mapNumber: 1, clock: systemClock, port: platform.rcsPort, selfTickMs: 50,
      ...(secure ? { secure: { ...secure, platformPublicKey: platform.platformPublicKey } } : {}),
    });
    started.push(agv);
    return agv;
  }

  async function raw(): Promise<RawPeer> {
    const peer = await rawConnect(platform.rcsPort);
    raws.push(peer);
    return peer;
  }

  /** Access, registration and config by hand; the connection then stays silent (no heartbeats). */
  async function silentActiveAgv(id: string): Promise<RawPeer> {
    const peer = await raw();
    await registered(peer, id);
    await waitFor(`${id} online`, () => platform.registry.get(id)?.connection === 'online', 5_000);
    return peer;
  }

  it('refuses a normal-mode newcomer for an AGV that is online, and keeps the live session', async () => {
    const agv = simAgv('DUP-1', 0);
    agv.start();
    await waitFor('DUP-1 online', () => platform.registry.get('DUP-1')?.connection === 'online', 10_000);
    const link = platform.registry.live('DUP-1')!.link;

    const intruder = await raw();
    intruder.send(accessRequest('DUP-1'));
    await intruder.closed;
    const response = intruder.find('accessResponse')!;
    expect(response.result).toBe('duplicateSession');
    expect(response.detail).toMatch(/already has a live session/);
    expect(platform.registry.live('DUP-1')!.link).toBe(link);
    expect(platform.registry.get('DUP-1')!.connection).toBe('online');

    const events = await platform.store.events.query({ type: 'session.takeover_refused' });
    expect(events.some((e) => e.agvId === 'DUP-1')).toBe(true);
    const metrics = await platform.ops!.metrics.text();
    expect(metrics).toMatch(/unifleet_session_audit_total\{kind="takeover_refused",reason="duplicateSession"\} [1-9]/);
  });

  it('lets a newcomer take over once the first session has gone silent past the heartbeat timeout', async () => {
    const first = await silentActiveAgv('DUP-2');
    await new Promise((r) => setTimeout(r, HEARTBEAT_TIMEOUT_MS + 200));
    const second = await raw();
    second.send(accessRequest('DUP-2'));
    await waitFor('access answered', () => second.find('accessResponse') !== undefined, 5_000);
    expect(second.find('accessResponse')!.result).toBe('accepted');
    await first.closed;
  });

  it('refuses a normal-mode newcomer for a keyed AGV, and lets one that proves the enrolled key replace the live session', async () => {
    const keys = generateSm2KeyPair();
    await platform.store.agvs.enrol({ id: 'DUP-4', publicKeyHex: Buffer.from(keys.publicKey).toString('hex') });
    const first = simAgv('DUP-4', 4, keys);
    first.start();
    await waitFor('DUP-4 online', () => platform.registry.get('DUP-4')?.connection === 'online', 10_000);
    const firstLink = platform.registry.live('DUP-4')!.link!;

    const refused = await raw();
    refused.send(accessRequest('DUP-4', 'normal'));
    await refused.closed;
    expect(refused.find('accessResponse')!.result).toBe('secureRequired');
    expect(platform.registry.live('DUP-4')!.link).toBe(firstLink);

    const second = simAgv('DUP-4', 4, keys);
    second.start();
    await waitFor('old link closed by the takeover', () => platform.registry.live('DUP-4')?.link !== firstLink && (firstLink as unknown as { phase: string }).phase === 'closed', 10_000);
    first.stop();
    await waitFor('DUP-4 online', () => platform.registry.get('DUP-4')?.connection === 'online', 10_000);
  });

  it.each([
    ['a 1 mm body', { length: 1 }, /capabilities\.length 1 mm is outside 200\.\.10000 mm/],
    ['a speed of 0', { maxSpeed: 0 }, /capabilities\.maxSpeed 0 mm\/s is outside 1\.\.5000/],
    ['a speed of 65535', { maxSpeed: 65_535 }, /capabilities\.maxSpeed 65535 mm\/s/],
    ['an angular speed of 65535', { maxAngularSpeed: 65_535 }, /capabilities\.maxAngularSpeed 65535/],
    ['an actuator with min > max', { actuators: [{ type: 'lift' as const, index: 0, min: 10, max: -10 }] }, /actuator lift #0 has min 10 > max -10/],
  ])('refuses a registration with %s (rejectedCapabilities)', async (_what, change, reason) => {
    const peer = await raw();
    const id = `CAP-${Math.floor(Math.random() * 1e9)}`;
    await accessed(peer, id);
    peer.send(registerRequest(`SER-${id}`, { ...SANE_CAPABILITIES, ...change }));
    await peer.closed;
    const ack = peer.find('registerAck')!;
    expect(ack.result).toBe('rejectedCapabilities');
    expect(ack.detail).toMatch(reason);
    expect(platform.registry.get(id)).toBeUndefined();
  });

  it('refuses control characters in identity strings (rejectedCapabilities)', async () => {
    const peer = await raw();
    await accessed(peer, 'CAP-CTRL');
    peer.send({ ...registerRequest('SER-CTRL'), vendor: 'Evil\u001b[31mCorp' });
    await peer.closed;
    expect(peer.find('registerAck')).toMatchObject({ result: 'rejectedCapabilities', detail: expect.stringMatching(/vendor contains control characters/) });
    const metrics = await platform.ops!.metrics.text();
    expect(metrics).toMatch(/unifleet_session_audit_total\{kind="registration_refused",reason="rejectedCapabilities"\} [1-9]/);
  });
});
