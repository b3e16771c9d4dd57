// Fencing tokens on leader writes: every process that takes a site over claims the next leadership epoch, and the
// store refuses a fenced write (traffic holds, task creates and transitions) from an older epoch in the same
// transaction, on both backends. On
// PostgreSQL the whole takeover is run: the old leader's lock session is terminated, the standby acquires and
// claims, and the old leader's late write is refused. The platform steps down on such a refusal.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { startPlatform } from '../../src/rcs/platform.ts';
import type { SiteMap } from '../../src/rcs/site/types.ts';
import { openPostgresStore, openSiteLease, openStore, StaleLeadershipError, type Store } from '../../src/rcs/store/index.ts';
import { siteLockId } from '../../src/rcs/store/postgres/site-lease.ts';
import { TaskService } from '../../src/rcs/tasks/index.ts';
import { demoSite, e2eConfig, submitTask, taskPairs } from './e2e-harness.ts';
import { dropSchemas, PG_URL, postgresReachable } from './postgres.ts';

const pgAvailable = await postgresReachable();
const dir = mkdtempSync(join(tmpdir(), 'unifleet-fencing-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchemas(schemas);
});

function pgSchema(): string {
  const schema = `uf_fence_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

const backends = [
  { name: 'sqlite', available: true, open: (): Promise<Store[]> => { const path = join(dir, `f-${randomBytes(4).toString('hex')}.sqlite`); return Promise.resolve([openStore({ path }), openStore({ path })]); } },
  {
    name: 'postgres',
    available: pgAvailable,
    open: async (): Promise<Store[]> => {
      const schema = pgSchema();
      const first = await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 2 });
      return [first, await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 2 })];
    },
  },
];

describe.each(backends)('leadership epochs: $name', (backend) => {
  const test = backend.available ? it : it.skip;

  test('each claim takes the next epoch; a write of a stale epoch is refused and writes nothing', async () => {
    // Two handles on one database: two processes of one site.
    const [old, successor] = await backend.open();
    try {
      expect(await old!.leadership.current('site-1')).toBeUndefined();
      const first = await old!.leadership.claim('site-1', 10);
      expect(first).toBe(1);
      await old!.trafficHolds.record('site-1', 'AGV-1', ['a', 'b'], 11, first);
      expect(await successor!.leadership.claim('site-1', 20)).toBe(2);
      expect(await old!.leadership.current('site-1')).toBe(2);
      // Another site's epoch is its own.
      expect(await old!.leadership.claim('site-2', 21)).toBe(1);

      const refused = await old!.trafficHolds.record('site-1', 'AGV-1', ['b', 'c'], 30, first).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(StaleLeadershipError);
      expect((refused as StaleLeadershipError).message).toMatch(/epoch 1 is stale.*now 2/);
      // A release (empty list) is a write too.
      expect(await old!.trafficHolds.record('site-1', 'AGV-1', [], 31, first).catch((err: unknown) => err)).toBeInstanceOf(StaleLeadershipError);
      expect([...(await successor!.trafficHolds.forSite('site-1'))]).toEqual([['AGV-1', ['a', 'b']]]);
      // An epoch never claimed for the site is refused as well.
      expect(await successor!.trafficHolds.record('site-3', 'AGV-1', ['x'], 32, 1).catch((err: unknown) => err)).toBeInstanceOf(StaleLeadershipError);

      await successor!.trafficHolds.record('site-1', 'AGV-1', ['b', 'c'], 40, 2);
      expect([...(await old!.trafficHolds.forSite('site-1'))]).toEqual([['AGV-1', ['b', 'c']]]);
    } finally {
      await old!.close();
      await successor!.close();
    }
  });

  test('task creates, transitions and priority changes of a stale epoch are refused and write nothing', async () => {
    const site = await demoSite();
    const [old, successor] = await backend.open();
    try {
      const first = await old!.leadership.claim(site.id, 10);
      const heard: string[] = [];
      const oldTasks = fencedTasks(old!, site, first, heard);
      const [a, b] = taskPairs(site, 2);
      const kept = (await oldTasks.create(a!)).task;
      const assigned = (await oldTasks.create(b!)).task;
      await oldTasks.assign(assigned.id, 'AGV-1');

      const second = await successor!.leadership.claim(site.id, 20);
      // The old leader has not noticed: each of its task writes is refused, and it hears why.
      for (const write of [
        () => oldTasks.create(a!, 'late-create'),
        () => oldTasks.assign(kept.id, 'AGV-2'),
        () => oldTasks.setPriority(kept.id, 9, 'old-leader'),
        () => oldTasks.transition(assigned.id, 'to_pick'),
        () => oldTasks.cancel(assigned.id),
      ]) expect(await write().catch((err: unknown) => err)).toBeInstanceOf(StaleLeadershipError);
      expect(heard).toHaveLength(5);
      expect(heard[0]).toMatch(/epoch 1 is stale.*now 2/);
      expect(await successor!.tasks.byClientRequestId('late-create')).toBeUndefined();
      expect((await successor!.tasks.list({ limit: 10 })).items).toHaveLength(2);
      expect(await successor!.tasks.get(kept.id)).toMatchObject({ state: 'queued', agvId: null, priority: kept.priority, version: 1 });
      expect(await successor!.tasks.get(assigned.id)).toMatchObject({ state: 'assigned', agvId: 'AGV-1', version: 2 });
      expect(await successor!.tasks.history(assigned.id)).toHaveLength(2);

      // The successor's writes, with its own epoch, go through.
      const newTasks = fencedTasks(successor!, site, second, heard);
      await newTasks.assign(kept.id, 'AGV-2');
      expect(await old!.tasks.get(kept.id)).toMatchObject({ state: 'assigned', agvId: 'AGV-2' });
      expect(heard).toHaveLength(5);
    } finally {
      await old!.close();
      await successor!.close();
    }
  });
});

/** The task service as a leader of `epoch` runs it: every write fenced, a refusal reported to `heard`. */
function fencedTasks(store: Store, site: SiteMap, epoch: number, heard: string[]): TaskService {
  return new TaskService({ store, site, clock: systemClock, fence: { current: () => ({ siteId: site.id, epoch }), stale: (err) => heard.push(err.message) } });
}

async function admin(sql: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql, values);
  } finally {
    await client.end();
  }
}

describe.skipIf(!pgAvailable)('fencing across a takeover on PostgreSQL', () => {
  it('the old leader, its lock session terminated, cannot write after the new leader claimed the site', async () => {
    const schema = pgSchema();
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
    const siteId = `site-${randomBytes(4).toString('hex')}`;
    const [oldStore, newStore] = [await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 2 }), await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 2 })];
    const [oldLease, newLease] = [openSiteLease({ url }, siteId, { pollMs: 50 }), openSiteLease({ url }, siteId, { pollMs: 50 })];
    try {
      await oldLease.acquire();
      const oldEpoch = await oldStore.leadership.claim(siteId, 1);
      await oldStore.trafficHolds.record(siteId, 'AGV-1', ['n1', 'n2'], 2, oldEpoch);
      const taken = newLease.acquire();
      // The server ends the session holding this site's lock (and only it), as when the leader's network path dies.
      await admin(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2 AND objsubid = 2`,
        [0x55465354, siteLockId(`${schema}/${siteId}`) >>> 0],
      );
      await taken;
      const newEpoch = await newStore.leadership.claim(siteId, 3);
      expect(newEpoch).toBe(oldEpoch + 1);
      // The old leader has not noticed yet and writes with the token it had: the database refuses it.
      const refused = await oldStore.trafficHolds.record(siteId, 'AGV-1', ['n2', 'n3'], 4, oldEpoch).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(StaleLeadershipError);
      expect([...(await newStore.trafficHolds.forSite(siteId))]).toEqual([['AGV-1', ['n1', 'n2']]]);
      await newStore.trafficHolds.record(siteId, 'AGV-1', ['n2'], 5, newEpoch);
      expect([...(await oldStore.trafficHolds.forSite(siteId))]).toEqual([['AGV-1', ['n2']]]);
    } finally {
      await Promise.all([oldLease.close(), newLease.close()]);
      await oldStore.close();
      await newStore.close();
    }
  }, 30_000);
});

describe('a platform whose write is refused as stale', () => {
  it('steps down: stops commanding, closes its AGV sessions and reports the leadership lost', async () => {
    const site = await demoSite();
    const path = join(dir, 'platform.sqlite');
    // A hold left by an earlier leader, so the operator action below has something to release.
    const setup = openStore({ path });
    await setup.trafficHolds.record(site.id, 'AGV-1', [site.nodes[0]!.id], 1);
    const platform = await startPlatform(e2eConfig({ dbPath: path }), { site, ops: false });
    try {
      const lost = new Promise<string>((resolve) => platform.onLeadershipLost(resolve));
      // Another process took the site over: its claim makes this platform's epoch stale.
      await setup.leadership.claim(site.id, 2);
      expect(platform.coordinator.clearReservations('AGV-1')).toBe('cleared');
      expect(await lost).toMatch(/stale/);
      expect(platform.role).toBe('standby');
      expect([...(await setup.trafficHolds.forSite(site.id)).keys()]).toEqual(['AGV-1']);
    } finally {
      await platform.stop();
      await setup.close();
    }
  }, 30_000);

  it('a task create refused as stale: the API answers 503 standby, nothing is stored, and the platform steps down', async () => {
    const site = await demoSite();
    const path = join(dir, 'platform-tasks.sqlite');
    const platform = await startPlatform(e2eConfig({ dbPath: path }), { site, ops: false });
    const other = openStore({ path });
    try {
      const lost = new Promise<string>((resolve) => platform.onLeadershipLost(resolve));
      const [pair] = taskPairs(site, 1);
      expect((await submitTask(platform.apiUrl, platform.demoApiKey!, pair!, 'before')).status).toBe(201);
      // Another process took the site over.
      await other.leadership.claim(site.id, 2);
      const refused = await submitTask(platform.apiUrl, platform.demoApiKey!, pair!, 'after');
      expect(refused.status).toBe(503);
      expect(refused.json).toMatchObject({ error: { code: 'standby' } });
      expect(await lost).toMatch(/stale/);
      expect(platform.role).toBe('standby');
      expect(await other.tasks.byClientRequestId('after')).toBeUndefined();
      expect(await other.tasks.byClientRequestId('before')).toBeDefined();
    } finally {
      await platform.stop();
      await other.close();
    }
  }, 30_000);
});
