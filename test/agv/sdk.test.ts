import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import { AgvClient, FramePeer, memoryChannelPair, type FrameChannel } from '../../src/agv/index.ts';
import { FleetRegistry } from '../../src/rcs/fleet/registry.ts';
import { SessionServer } from '../../src/rcs/session/server.ts';
import { SiteNumbering } from '../../src/rcs/session/site-numbering.ts';
import { openStore } from '../../src/rcs/store/index.ts';
import type { Store } from '../../src/rcs/store/types.ts';
import { demoSite } from '../rcs/e2e-harness.ts';
import { registration, status } from './fixtures.ts';

// The SDK against the real session server over in-memory channels (the session is transport-agnostic), on a
// ManualClock so periods and backoff can be checked exactly.

async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

async function advance(clock: ManualClock, ms: number, step = 50): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle();
  }
}

describe('AgvClient', () => {
  let store: Store | undefined;
  let server: SessionServer | undefined;
  let client: AgvClient | undefined;
  afterEach(async () => {
    client?.stop();
    await server?.close();
    await store?.close();
  });

  async function setUp(clock: ManualClock) {
    store = openStore({ path: ':memory:' });
    const site = await demoSite();
    const registry = new FleetRegistry();
    const statuses: number[] = [];
    registry.onEvent((e) => {
      if (e.type === 'status') statuses.push(clock.now());
    });
    server = new SessionServer({ clock, store, registry, numbering: new SiteNumbering(site), settings: { autoEnrol: true, autoApprove: true, statusPeriodMs: 500, heartbeatPeriodMs: 1000, heartbeatTimeoutMs: 3000 } });
    return { registry, statuses, serverRef: server };
  }

  it('registers over an in-memory channel, applies the global config and reports at its period', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { registry, statuses } = await setUp(clock);
    const states: string[] = [];
    client = new AgvClient({ agvId: 'MEM-1', registration, status, connect: async () => {
      const [agvEnd, platformEnd] = memoryChannelPair();
      server!.attach(platformEnd);
      return agvEnd;
    } }, clock);
    client.on('state', (s) => states.push(s));
    client.start();
    await advance(clock, 200);
    expect(states).toEqual(['connecting', 'accessing', 'registering', 'configuring', 'active']);
    expect(client.globalConfig).toMatchObject({ statusPeriod: 500, heartbeatTimeout: 3000 });
    expect(registry.get('MEM-1')).toMatchObject({ connection: 'online', vendor: 'Test', state: 'idle' });
    const before = statuses.length;
    await advance(clock, 5_000);
    expect(statuses.length - before).toBeGreaterThanOrEqual(9);
    expect(statuses.length - before).toBeLessThanOrEqual(11);
  });

  it('acks commands its handler accepts and nacks the ones it refuses, with the code', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { registry } = await setUp(clock);
    client = new AgvClient({ agvId: 'MEM-2', registration, status, connect: async () => {
      const [agvEnd, platformEnd] = memoryChannelPair();
      server!.attach(platformEnd);
      return agvEnd;
    } }, clock);
    let charging = false;
    client.onCharging((c) => {
      charging = c.action === 'start';
    });
    client.onActuator(() => ({ ok: false, code: 'BUSY', detail: 'lift jammed' }));
    client.start();
    await advance(clock, 200);
    const link = registry.live('MEM-2')!.link!;
    const charge = link.sendCharging(true);
    await advance(clock, 100);
    expect(await charge).toMatchObject({ ok: true });
    expect(charging).toBe(true);
    const pick = link.sendLoadAction('pick', 'PICK-01');
    await advance(clock, 100);
    expect(await pick).toMatchObject({ ok: false, code: 'BUSY', message: 'lift jammed' });
    const unhandled = link.sendControl('pause');
    await advance(clock, 100);
    expect(await unhandled).toMatchObject({ ok: false, code: 'UNSUPPORTED_ACTION' });
  });

  it('reconnects with exponential backoff while the platform is unreachable, and again after it goes silent', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { registry } = await setUp(clock);
    const attempts: number[] = [];
    let reachable = false;
    let lastPlatformEnd: FrameChannel | undefined;
    client = new AgvClient({ agvId: 'MEM-3', registration, status, initialBackoffMs: 500, maxBackoffMs: 4_000, connect: async () => {
      attempts.push(clock.now());
      if (!reachable) throw new Error('ECONNREFUSED');
      const [agvEnd, platformEnd] = memoryChannelPair();
      lastPlatformEnd = platformEnd;
      server!.attach(platformEnd);
      return agvEnd;
    } }, clock);
    client.start();
    await advance(clock, 12_000);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // 500, 1000, 2000, 4000, 4000 ms, each ±20 % jitter (plus the 50 ms stepping of the test clock).
    for (const [i, gap] of gaps.entries()) {
      const nominal = Math.min(500 * 2 ** i, 4_000);
      expect(gap).toBeGreaterThanOrEqual(nominal * 0.8 - 50);
      expect(gap).toBeLessThanOrEqual(nominal * 1.2 + 50);
    }
    reachable = true;
    await advance(clock, 5_000);
    expect(client.state).toBe('active');
    expect(registry.get('MEM-3')?.connection).toBe('online');

    // The platform end stops reading and writing (a half-dead link): the AGV notices the silence and reconnects.
    const count = attempts.length;
    lastPlatformEnd!.onData(() => {});
    (lastPlatformEnd as unknown as { other: unknown }).other = undefined;
    await advance(clock, 8_000);
    expect(attempts.length).toBeGreaterThan(count);
    expect(client.state).toBe('active');
  });

  it('after accessResponse(busy) waits the platform\'s retry hint, spread by jitter, instead of its short backoff', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const attempts: number[] = [];
    const refusals: string[] = [];
    // A platform that is always busy and says so: come back in 2 s.
    client = new AgvClient({ agvId: 'MEM-4', registration, status, initialBackoffMs: 200, maxBackoffMs: 400, connect: async () => {
      attempts.push(clock.now());
      const [agvEnd, platformEnd] = memoryChannelPair();
      const platform = new FramePeer(platformEnd, { clock });
      platform.onFrame((frame) => {
        if (frame.message.kind !== 'accessRequest') return;
        // The AGV closes after a refusal (the memory channel would drop the answer if this end closed first).
        platform.send({ kind: 'accessResponse', result: 'busy', version: 0, sessionId: 2_000, serverTime: clock.now(), detail: 'too many AGVs connecting; retry after 2000 ms' });
      });
      return agvEnd;
    } }, clock);
    client.on('refused', (stage, reason) => refusals.push(`${stage}: ${reason}`));
    client.start();
    await advance(clock, 12_000);
    expect(refusals[0]).toBe('access: busy: too many AGVs connecting; retry after 2000 ms');
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    // hint × (1 + U[0, 0.5)), plus the 50 ms stepping of the test clock; never the 200–400 ms backoff.
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(2_000);
      expect(gap).toBeLessThanOrEqual(3_000 + 50);
    }
    expect(new Set(gaps).size).toBeGreaterThan(1);
  });
});
