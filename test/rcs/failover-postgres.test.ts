import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock, Simulator } from '../../src/agv/sim/index.ts';
import { systemClock } from '../../src/core/index.ts';
import { ApiKeyAuth } from '../../src/rcs/auth/index.ts';
import { startPlatform, type PlatformHandle, type TrafficFactory } from '../../src/rcs/platform.ts';
import { openSiteLease, openStoreFrom } from '../../src/rcs/store/index.ts';
import { CentralTrafficController } from '../../src/rcs/traffic/central/index.ts';
import { TERMINAL_STATES } from '../../src/rcs/tasks/types.ts';
import { readSiteMapFile } from '../../src/rcs/site/index.ts';
import { COMPACT_PROFILES, demoSite, e2eConfig, refusesConnections, OccupancyChecker, submitTask, taskPairs, TIME_FACTOR, waitFor, explainOpenTasks } from './e2e-harness.ts';
import { PG_URL, postgresReachable } from './postgres.ts';
import { freePort } from '../../bench/lib/free-port.ts';

// Site failover on a real PostgreSQL: two platform processes' worth of platforms (in this test process) share one
// database; one leads, the other stands by warm and takes over with the leader's released nodes held again before
// it grants anything. A database of its own per run, dropped afterwards.

const reachable = await postgresReachable();
if (!reachable) console.warn('PostgreSQL is not reachable at 127.0.0.1:5432 (or $UNIFLEET_TEST_PG): site failover tests skipped');

const database = `unifleet_failover_${randomBytes(4).toString('hex')}`;
const dbUrl = (schema: string) => {
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  url.searchParams.set('schema', schema);
  return url.toString();
};

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe.skipIf(!reachable)('site failover on PostgreSQL', () => {
  beforeAll(async () => admin(`CREATE DATABASE ${database}`));
  afterAll(async () => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

  it('a warm standby refuses AGVs, then takes over: held nodes restored before any grant, AGVs follow, every task done once', async () => {
    const site = await demoSite();
    const clock = new ScaledClock(TIME_FACTOR);
    const checker = new OccupancyChecker(site);
    const [portA, portB] = [await freePort(), await freePort()];
    const settings = e2eConfig({ dbUrl: dbUrl('site_a'), leaderElection: true, recoveryMs: 60_000 });
    // What the standby's traffic control is asked, in order: restores must all come before the first grant.
    const calls: string[] = [];
    const recording: TrafficFactory = (_graph, s, footprintOf) => {
      const central = new CentralTrafficController(s, { footprintOf });
      return new Proxy(central, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            if (prop === 'restore') calls.push(`restore ${String(args[0])}`);
            if (prop === 'request' && (result as { kind: string }).kind === 'go') calls.push(`go ${String(args[0])}`);
            return result;
          };
        },
      });
    };
    const leader = await startPlatform({ ...settings, rcsPort: portA }, { site, clock, tap: checker.tap });
    await leader.leading;
    const standby: PlatformHandle = await startPlatform({ ...settings, rcsPort: portB }, { site, clock, tap: checker.tap, traffic: recording });
    let sim: Simulator | undefined;
    try {
      expect(leader.role).toBe('leader');
      expect(standby.role).toBe('standby');
      const ready = await fetch(`${standby.apiUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { status: string }).status).toBe('standby');
      expect(await refusesConnections(portB)).toBe(true);
      // Changes go to the leader; the standby's coordinator holds nothing to act on.
      const apiKey = (await new ApiKeyAuth(leader.store.apiKeys, systemClock).issue('failover test', 'operator')).token;
      const atStandby = await submitTask(standby.apiUrl, apiKey, taskPairs(site, 1)[0]!, 'fo-standby');
      expect([atStandby.status, (atStandby.json.error as { code: string }).code]).toEqual([503, 'standby']);
      expect((await fetch(`${standby.apiUrl}/api/v1/tasks`, { headers: { 'x-api-key': apiKey } })).status).toBe(200);

      sim = new Simulator({
        clock,
        nodes: site.nodes,
        count: 8,
        startNodes: site.parking.map((p) => p.node),
        endpoints: [{ host: '127.0.0.1', port: portA }, { host: '127.0.0.1', port: portB }],
        // The small warehouse's 1 m grid is laid out for compact bodies, as in the other end-to-end tests on it.
        profiles: COMPACT_PROFILES,
        batteryPct: () => 90,
      });
      sim.start();
      await waitFor('AGVs online at the leader', () => leader.registry.onlineCount() === 8);
      const pairs = taskPairs(site, 16);
      for (const [i, pair] of pairs.entries()) expect((await submitTask(leader.apiUrl, apiKey, pair, `fo-${i}`)).status).toBe(201);
      await waitFor('releases recorded in the store', async () => (await leader.store.trafficHolds.forSite(site.id)).size >= 3);

      // The leader goes: its AGV sessions drop and its lock is released.
      await leader.stop();
      await standby.leading;
      expect(standby.role).toBe('leader');
      const firstGo = calls.findIndex((c) => c.startsWith('go '));
      const lastRestore = calls.findLastIndex((c) => c.startsWith('restore '));
      expect(lastRestore).toBeGreaterThanOrEqual(0);
      if (firstGo >= 0) expect(lastRestore).toBeLessThan(firstGo);

      await waitFor('AGVs back at the survivor', () => standby.registry.onlineCount() === 8, 60_000);
      expect((await fetch(`${standby.apiUrl}/readyz`)).status).toBe(200);
      // The same create repeated at the survivor is recognised, not duplicated.
      expect((await submitTask(standby.apiUrl, apiKey, pairs[0]!, 'fo-0')).status).toBe(200);
      await waitFor('every task completed', async () => (await standby.tasks.list({ limit: 100 })).items.every((t) => t.state === 'completed'), 120_000, () => explainOpenTasks(standby));
      const items = (await standby.tasks.list({ limit: 100 })).items;
      expect(items).toHaveLength(16);
      for (const task of items) {
        const history = (await standby.tasks.get(task.id))!.history.map((h) => h.to);
        expect(history.filter((s) => TERMINAL_STATES.has(s))).toEqual(['completed']);
      }
      expect(checker.violations).toEqual([]);
    } finally {
      sim?.stop();
      await leader.stop();
      await standby.stop();
    }
  }, 240_000);

  it('sites sharing a database lead independently and never see each other\'s holds', async () => {
    const [siteA, siteB] = [await demoSite(), await readSiteMapFile('maps/demo-warehouse-large.json')];
    // Each site in its own schema (its rows), each lock named after schema and site.
    const a1 = await startPlatform(e2eConfig({ dbUrl: dbUrl('two_a'), leaderElection: true }), { site: siteA, ops: false });
    const b1 = await startPlatform(e2eConfig({ dbUrl: dbUrl('two_b'), leaderElection: true }), { site: siteB, ops: false });
    const a2 = await startPlatform(e2eConfig({ dbUrl: dbUrl('two_a'), leaderElection: true }), { site: siteA, ops: false });
    try {
      await a1.leading;
      await b1.leading;
      expect([a1.role, b1.role, a2.role]).toEqual(['leader', 'leader', 'standby']);
      await a1.store.trafficHolds.record(siteA.id, 'AGV-1', ['n1', 'n2'], 1);
      expect((await b1.store.trafficHolds.forSite(siteB.id)).size).toBe(0);
      expect([...(await a2.store.trafficHolds.forSite(siteA.id)).keys()]).toEqual(['AGV-1']);
      // Closing site B's leader leaves site A's leadership as it was.
      await b1.stop();
      expect([a1.role, a2.role]).toEqual(['leader', 'standby']);
    } finally {
      await b1.stop();
      await a1.stop();
      await a2.stop();
    }
  }, 60_000);

  it('a leader whose lock connection is cut stops commanding at once, and the standby takes over', async () => {
    const site = await demoSite();
    const settings = e2eConfig({ dbUrl: dbUrl('cut'), leaderElection: true });
    const leader = await startPlatform(settings, { site, ops: false });
    await leader.leading;
    const standby = await startPlatform(settings, { site, ops: false });
    try {
      const lost = new Promise<string>((resolve) => leader.onLeadershipLost(resolve));
      const port = leader.rcsPort;
      expect(await refusesConnections(port)).toBe(false);
      // The server ends the session holding the site's lock, as it does when the leader's network path dies.
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = '${database}')`);
      expect(await lost).toMatch(/lock connection/);
      expect(leader.role).toBe('standby');
      await waitFor('the old leader closed its AGV listener', () => refusesConnections(port), 10_000);
      await standby.leading;
      expect(standby.role).toBe('leader');
    } finally {
      await leader.stop();
      await standby.stop();
    }
  }, 60_000);

  it('one schema, two site ids: separate locks and separate hold rows', async () => {
    const url = dbUrl('shared');
    const store = await openStoreFrom({ url });
    const [x, y, x2] = [openSiteLease({ url }, 'site-x', { pollMs: 50 }), openSiteLease({ url }, 'site-y', { pollMs: 50 }), openSiteLease({ url }, 'site-x', { pollMs: 50 })];
    try {
      await x.acquire();
      await y.acquire();
      let x2Leads = false;
      const waiting = x2.acquire().then(() => (x2Leads = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(x2Leads).toBe(false);
      await x.close();
      await waiting;
      expect(x2.held).toBe(true);

      await store.trafficHolds.record('site-x', 'AGV-1', ['a', 'b'], 1);
      await store.trafficHolds.record('site-y', 'AGV-1', ['c'], 2);
      expect([...(await store.trafficHolds.forSite('site-x'))]).toEqual([['AGV-1', ['a', 'b']]]);
      expect([...(await store.trafficHolds.forSite('site-y'))]).toEqual([['AGV-1', ['c']]]);
      await store.trafficHolds.record('site-x', 'AGV-1', [], 3);
      expect((await store.trafficHolds.forSite('site-x')).size).toBe(0);
    } finally {
      await Promise.all([x.close(), y.close(), x2.close()]);
      await store.close();
    }
  }, 30_000);
});
