// The same behaviour from every Store implementation: embedded SQLite, and PostgreSQL when one is reachable
// (127.0.0.1:5432 or $UNIFLEET_TEST_PG; .ci/run starts it). Each PostgreSQL run uses its own schema.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../../src/rcs/site/index.ts';
import { openPostgresStore, openStore, openStoreFrom, StoreConflictError, type Store } from '../../src/rcs/store/index.ts';
import { TaskService } from '../../src/rcs/tasks/index.ts';
import { dropSchemas, PG_URL, postgresReachable } from './postgres.ts';

const pgAvailable = await postgresReachable();

const dir = mkdtempSync(join(tmpdir(), 'unifleet-contract-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchemas(schemas);
});

interface Backend {
  name: string;
  available: boolean;
  /** Opens a fresh, empty store; `reopen` opens the same one again (a restart). */
  fresh(): Promise<{ store: Store; reopen: () => Promise<Store> }>;
}

let n = 0;
const backends: Backend[] = [
  {
    name: 'sqlite',
    available: true,
    async fresh() {
      const path = join(dir, `c-${++n}.sqlite`);
      return { store: await openStoreFrom({ path }), reopen: async () => openStore({ path }) };
    },
  },
  {
    name: 'postgres',
    available: pgAvailable,
    async fresh() {
      const schema = `uf_test_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      const open = () => openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 });
      // The first open goes through the configuration entry point, the reopen through the direct one.
      const viaUrl = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
      return { store: await openStoreFrom({ url: viaUrl }), reopen: open };
    },
  },
];

const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);

describe.each(backends)('Store contract: $name', (backend) => {
  if (!backend.available) it.skip(`${backend.name} is not reachable at ${PG_URL}: skipped`, () => {});
  const test = backend.available ? it : it.skip;

  test('migrates, keeps the registry, and finds everything again after a restart', async () => {
    const { store, reopen } = await backend.fresh();
    expect(store.schemaVersion).toBeGreaterThanOrEqual(1);
    await store.agvs.enrol({ id: 'a1', publicKeyHex: '04ab', vendor: 'acme' });
    await store.agvs.upsertSeen({ id: 'a1', at: 1000, model: 'M1', capabilities: { maxSpeed: 1500, actuators: ['lift'] }, mode: 'secure', lastNode: 'n1' });
    await store.agvs.upsertSeen({ id: 'a1', at: 900 });
    await store.agvs.upsertSeen({ id: 'b2', at: 5, vendor: 'bolt' });
    // One credential at a time: a secret verifier replaces the key, and a later enrolment without one keeps it.
    await store.agvs.enrol({ id: 's3', publicKeyHex: '04cd' });
    await store.agvs.enrol({ id: 's3', publicKeyHex: null, secretVerifierHex: 'ee'.repeat(32) });
    await store.agvs.enrol({ id: 's3', vendor: 'sly' });
    await store.settings.set('k', 'v1');
    await store.settings.set('k', 'v2');
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const tasks = new TaskService({ store, site, clock });
    const { task } = await tasks.create({ pick: 'PICK-01', drop: 'DROP-01' }, 'key-1');
    await tasks.assign(task.id, 'a1');
    await store.close();

    const again = await reopen();
    expect(again.schemaVersion).toBe(store.schemaVersion);
    expect(await again.agvs.get('a1')).toMatchObject({
      vendor: 'acme', model: 'M1', publicKeyHex: '04ab', mode: 'secure', firstSeen: 1000, lastSeen: 1000, lastNode: 'n1',
      capabilities: { maxSpeed: 1500, actuators: ['lift'] },
    });
    expect(await again.agvs.get('s3')).toMatchObject({ vendor: 'sly', publicKeyHex: null, secretVerifierHex: 'ee'.repeat(32), admission: 'approved' });
    expect((await again.agvs.get('a1'))!.secretVerifierHex).toBeNull();
    expect((await again.agvs.list()).map((a) => a.id)).toEqual(['a1', 'b2', 's3']);
    expect(await again.settings.get('k')).toBe('v2');
    const t2 = new TaskService({ store: again, site, clock });
    expect((await t2.active()).map((t) => t.id)).toEqual([task.id]);
    expect((await t2.get(task.id))!.history.map((h) => h.to)).toEqual(['queued', 'assigned']);
    expect((await t2.create({ pick: 'PICK-01', drop: 'DROP-01' }, 'key-1')).created).toBe(false);
    await again.close();
  });

  test('keeps a task in exception across a restart, lists it as active and by state, and resolves it', async () => {
    const { store, reopen } = await backend.fresh();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const tasks = new TaskService({ store, site, clock });
    const { task } = await tasks.create({ pick: 'PICK-01', drop: 'DROP-01' });
    await tasks.assign(task.id, 'a1');
    for (const s of ['to_pick', 'picking', 'to_drop'] as const) await tasks.transition(task.id, s);
    await tasks.transition(task.id, 'exception', 'load is on a1, lost');
    await store.close();

    const again = await reopen();
    const t2 = new TaskService({ store: again, site, clock });
    expect(await t2.get(task.id)).toMatchObject({ state: 'exception', agvId: 'a1', reason: 'load is on a1, lost' });
    expect((await t2.active()).map((t) => t.id)).toEqual([task.id]);
    expect((await t2.list({ state: 'exception' })).items.map((t) => t.id)).toEqual([task.id]);
    const resolved = await t2.resolve(task.id, 'completed', 'op', 'delivered by hand');
    expect(resolved).toMatchObject({ state: 'completed', reason: null });
    expect((await t2.get(task.id))!.history.at(-1)).toMatchObject({ from: 'exception', to: 'completed', detail: 'resolved by op: completed (delivered by hand)' });
    await expect(t2.resolve(task.id, 'requeue', 'op')).rejects.toThrow(/completed; it cannot become queued/);
    await again.close();
  });

  test('writes a task change with its outbox rows atomically, or not at all', async () => {
    const { store } = await backend.fresh();
    await store.webhooks.create({ id: 'w1', url: 'http://127.0.0.1:1/', secret: 's'.repeat(16), events: ['task.*'], createdAt: 0 });
    await store.webhooks.create({ id: 'w2', url: 'http://127.0.0.1:1/', secret: 's'.repeat(16), events: ['alarm.*'], createdAt: 0 });
    const clock = new ManualClock(1_000);
    const tasks = new TaskService({ store, site, clock });
    const { task } = await tasks.create({ pick: 'PICK-01', drop: 'DROP-01' });
    expect((await store.outbox.list()).map((r) => [r.subscriptionId, r.eventType])).toEqual([['w1', 'task.queued']]);
    const stale = { ...task, state: 'assigned' as const, agvId: 'x', version: 2 };
    await expect(
      store.tasks.saveChange({
        task: stale,
        entry: { taskId: task.id, seq: 2, at: 2, from: 'queued', to: 'assigned', agvId: 'x', detail: null },
        expectedVersion: 5,
        eventType: 'task.assigned',
        eventPayload: null,
      }),
    ).rejects.toBeInstanceOf(StoreConflictError);
    expect((await store.tasks.get(task.id))!.state).toBe('queued');
    expect(await store.tasks.history(task.id)).toHaveLength(1);
    expect(await store.outbox.list()).toHaveLength(1);
    // Concurrent transitions of one task: exactly one wins each step, none is half-written.
    const results = await Promise.allSettled([tasks.assign(task.id, 'a'), tasks.assign(task.id, 'b')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await store.tasks.history(task.id)).map((h) => h.seq)).toEqual([1, 2]);
    expect(await store.outbox.list()).toHaveLength(2);
    await store.close();
  });

  test("applies one task's changes in the order they were asked for, without waiting in between", async () => {
    const { store } = await backend.fresh();
    const tasks = new TaskService({ store, site, clock: new ManualClock(7) });
    const { task } = await tasks.create({ pick: 'PICK-01', drop: 'DROP-01' });
    const steps = await Promise.all([
      tasks.assign(task.id, 'a1'),
      tasks.transition(task.id, 'to_pick'),
      tasks.transition(task.id, 'picking'),
      tasks.transition(task.id, 'to_drop'),
    ]);
    expect(steps.map((t) => t.state)).toEqual(['assigned', 'to_pick', 'picking', 'to_drop']);
    expect((await store.tasks.history(task.id)).map((h) => h.to)).toEqual(['queued', 'assigned', 'to_pick', 'picking', 'to_drop']);
    await store.close();
  });

  test('makes one task for racing identical idempotent requests', async () => {
    const { store } = await backend.fresh();
    const tasks = new TaskService({ store, site, clock: new ManualClock(5) });
    const results = await Promise.all([1, 2, 3, 4].map(() => tasks.create({ pick: 'PICK-02', drop: 'DROP-02' }, 'same')));
    expect(new Set(results.map((r) => r.task.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    await store.close();
  });

  test('lists with filters and keyset pages; orders the queue', async () => {
    const { store } = await backend.fresh();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const tasks = new TaskService({ store, site, clock });
    await store.agvs.upsertSeen({ id: 'a1', at: 1, vendor: 'acme' });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      if (i % 2) clock.advance(1000);
      const { task } = await tasks.create({ pick: 'PICK-01', drop: 'DROP-01', priority: i % 3, deadline: i === 4 ? clock.now() + 5000 : undefined });
      ids.push(task.id);
    }
    await tasks.assign(ids[0]!, 'a1');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await tasks.list({ limit: 5, cursor });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort((a, b) => (a < b ? 1 : -1)));
    expect((await tasks.list({ vendor: 'acme' })).items.map((t) => t.id)).toEqual([ids[0]]);
    expect((await tasks.list({ state: ['assigned'] })).items).toHaveLength(1);
    expect((await tasks.list({ since: Date.UTC(2026, 0, 1) + 5000 })).items).toHaveLength(3);
    const queue = await tasks.queued();
    expect(queue).toHaveLength(11);
    expect(queue[0]!.priority).toBe(2);
    expect(queue.filter((t) => t.priority === 1)[0]!.id).toBe(ids[4]);
    expect((await tasks.queued(3)).map((t) => t.id)).toEqual(queue.slice(0, 3).map((t) => t.id));
    await expect(tasks.list({ cursor: 'nonsense' })).rejects.toThrow(/cursor/);
    await store.close();
  });

  test('keeps the outbox schedule, event log, subscriptions and API keys', async () => {
    const { store } = await backend.fresh();
    await store.webhooks.create({ id: 'w1', url: 'http://127.0.0.1:1/', secret: 'x'.repeat(16), events: ['*'], createdAt: 0 });
    expect(await store.outbox.enqueue('alarm.raised', { code: 1 }, 50)).toBe(1);
    const [row] = await store.outbox.due(50, 10);
    expect(row).toMatchObject({ url: 'http://127.0.0.1:1/', secret: 'x'.repeat(16), eventType: 'alarm.raised' });
    expect(JSON.parse(row!.body)).toMatchObject({ type: 'alarm.raised', data: { code: 1 } });
    await store.outbox.reschedule(row!.id, 1, 500, 'HTTP 500');
    expect(await store.outbox.due(499, 10)).toEqual([]);
    expect(await store.outbox.nextDueAt()).toBe(500);
    await store.outbox.markDead(row!.id, 2, 'gave up');
    expect(await store.outbox.get(row!.id)).toMatchObject({ status: 'dead', attempts: 2 });
    expect(await store.outbox.prune(51)).toBe(1);

    await store.events.append({ at: 1, severity: 'info', type: 'x', message: 'm', agvId: 'a' });
    const e = await store.events.append({ at: 2, severity: 'error', type: 'y', message: 'm2', data: { k: [1, 2] } });
    expect((await store.events.query({ severity: 'warning' }))[0]).toEqual(e);
    expect((await store.events.query({ agvId: 'a' })).map((x) => x.type)).toEqual(['x']);

    await store.apiKeys.create({ id: 'k1', name: 'wms', role: 'operator', hash: 'h', createdAt: 3, revokedAt: null });
    expect(await store.apiKeys.revoke('k1', 9)).toBe(true);
    expect(await store.apiKeys.revoke('k1', 10)).toBe(false);
    expect(await store.apiKeys.byId('k1')).toMatchObject({ role: 'operator', revokedAt: 9 });

    await store.outbox.enqueue('task.queued', {}, 60);
    expect(await store.webhooks.delete('w1')).toBe(true);
    expect(await store.webhooks.delete('w1')).toBe(false);
    expect(await store.outbox.list()).toEqual([]);
    await store.close();
  });

  test('keeps alarms: one open per key, lifecycle changes saved together, queries newest first', async () => {
    const { store, reopen } = await backend.fresh();
    const condition = { key: 'agv:a1:LOW_BATTERY', source: 'platform' as const, code: 'LOW_BATTERY', severity: 'warning' as const, agvId: 'a1', taskId: null, message: 'battery 15%' };
    const low = await store.alarms.insert(condition, 100);
    expect(low).toMatchObject({ ...condition, state: 'raised', occurrences: 1, raisedAt: 100, lastSeenAt: 100, clearedAt: null });
    await expect(store.alarms.insert(condition, 101)).rejects.toBeInstanceOf(StoreConflictError);
    const estop = await store.alarms.insert({ ...condition, key: 'agv:a2:EMERGENCY_STOP', code: 'EMERGENCY_STOP', severity: 'error', agvId: 'a2' }, 110);
    const other = await store.alarms.insert({ ...condition, key: 'agv:a3:LOW_BATTERY', agvId: 'a3', source: 'agv' }, 120);
    await store.alarms.save([
      { ...low, severity: 'error', message: 'battery 5%', state: 'acknowledged', occurrences: 2, lastSeenAt: 150, acknowledgedAt: 140, acknowledgedBy: 'op' },
      { ...estop, state: 'cleared', clearedAt: 160 },
    ]);
    await store.close();

    const again = await reopen();
    expect((await again.alarms.open()).map((a) => a.id)).toEqual([low.id, other.id]);
    expect(await again.alarms.get(low.id)).toMatchObject({ severity: 'error', message: 'battery 5%', state: 'acknowledged', occurrences: 2, lastSeenAt: 150, acknowledgedBy: 'op' });
    expect(await again.alarms.get(9999)).toBeUndefined();
    // A cleared key may be raised again as a new alarm.
    const back = await again.alarms.insert({ ...condition, key: 'agv:a2:EMERGENCY_STOP', code: 'EMERGENCY_STOP', agvId: 'a2' }, 200);
    const ids = async (q: Parameters<Store['alarms']['query']>[0]) => (await again.alarms.query(q)).map((a) => a.id);
    expect(await ids({})).toEqual([back.id, other.id, estop.id, low.id]);
    expect(await ids({ state: 'open' })).toEqual([back.id, other.id, low.id]);
    expect(await ids({ state: 'cleared' })).toEqual([estop.id]);
    expect(await ids({ severity: 'error' })).toEqual([estop.id, low.id]);
    expect(await ids({ agvId: 'a2', code: 'EMERGENCY_STOP' })).toEqual([back.id, estop.id]);
    expect(await ids({ before: other.id, limit: 1 })).toEqual([estop.id]);
    await again.close();
  });

  test('keeps dashboard users and their login sessions; deleting a user ends its sessions', async () => {
    const { store } = await backend.fresh();
    const alice = { username: 'alice', role: 'operator' as const, passwordHash: 'scrypt$h1', createdAt: 5 };
    await store.users.create(alice);
    await store.users.create({ username: 'Bob', role: 'viewer', passwordHash: 'scrypt$h2', createdAt: 6 });
    await expect(store.users.create({ ...alice, role: 'admin' })).rejects.toBeInstanceOf(StoreConflictError);
    expect(await store.users.get('alice')).toEqual(alice);
    expect(await store.users.get('nobody')).toBeUndefined();
    expect((await store.users.list()).map((u) => u.username)).toEqual(['Bob', 'alice']);
    expect(await store.users.setRole('alice', 'admin')).toBe(true);
    expect(await store.users.setRole('nobody', 'admin')).toBe(false);
    expect((await store.users.get('alice'))!.role).toBe('admin');

    await store.loginSessions.create({ tokenHash: 't-old', username: 'alice', createdAt: 10, expiresAt: 20 });
    await store.loginSessions.create({ tokenHash: 't-new', username: 'alice', createdAt: 30, expiresAt: 90 });
    await store.loginSessions.create({ tokenHash: 't-bob', username: 'Bob', createdAt: 30, expiresAt: 90 });
    expect(await store.loginSessions.get('t-new')).toEqual({ tokenHash: 't-new', username: 'alice', createdAt: 30, expiresAt: 90 });
    expect(await store.loginSessions.deleteExpired(25)).toBe(1);
    expect(await store.loginSessions.get('t-old')).toBeUndefined();
    await store.loginSessions.delete('t-bob');
    expect(await store.loginSessions.get('t-bob')).toBeUndefined();
    await store.loginSessions.create({ tokenHash: 't-bob', username: 'Bob', createdAt: 40, expiresAt: 90 });

    expect(await store.users.delete('alice')).toBe(true);
    expect(await store.users.delete('alice')).toBe(false);
    expect(await store.loginSessions.get('t-new')).toBeUndefined();
    expect(await store.loginSessions.get('t-bob')).toBeDefined();
    await store.close();
  });

  test('keeps health runs with their findings, newest first', async () => {
    const { store } = await backend.fresh();
    const findings = [{ check: 'agv.offline', risk: 'high', subjects: ['a1'] }];
    const first = await store.healthRuns.insert({ startedAt: 1, finishedAt: 2, trigger: 'manual', score: 90, checksRun: 19, findings: [] });
    const second = await store.healthRuns.insert({ startedAt: 3, finishedAt: 4, trigger: 'schedule', score: 60, checksRun: 19, findings });
    expect(second.id).toBeGreaterThan(first.id);
    expect(await store.healthRuns.get(second.id)).toEqual({ id: second.id, startedAt: 3, finishedAt: 4, trigger: 'schedule', score: 60, checksRun: 19, findings });
    expect(await store.healthRuns.get(second.id + 100)).toBeUndefined();
    expect((await store.healthRuns.list(50)).map((r) => r.id)).toEqual([second.id, first.id]);
    expect((await store.healthRuns.list(1)).map((r) => r.id)).toEqual([second.id]);
    await store.close();
  });

  test('queries the event log by task, type, time and limit, newest first', async () => {
    const { store } = await backend.fresh();
    await store.events.append({ at: 10, severity: 'debug', type: 'session.frame', message: 'noise' });
    await store.events.append({ at: 20, severity: 'info', type: 'task.queued', message: 'q', taskId: 't1' });
    await store.events.append({ at: 30, severity: 'critical', type: 'alarm.raised', message: 'a', agvId: 'a1', taskId: 't1' });
    await store.events.append({ at: 40, severity: 'warning', type: 'task.failed', message: 'f', taskId: 't2' });
    const types = async (q: Parameters<Store['events']['query']>[0]) => (await store.events.query(q)).map((e) => e.type);
    expect(await types({})).toEqual(['task.failed', 'alarm.raised', 'task.queued', 'session.frame']);
    expect(await types({ taskId: 't1' })).toEqual(['alarm.raised', 'task.queued']);
    expect(await types({ type: 'task.failed' })).toEqual(['task.failed']);
    expect(await types({ since: 30 })).toEqual(['task.failed', 'alarm.raised']);
    expect(await types({ severity: 'info' })).toEqual(['task.failed', 'alarm.raised', 'task.queued']);
    expect(await types({ severity: 'critical' })).toEqual(['alarm.raised']);
    expect(await types({ limit: 2 })).toEqual(['task.failed', 'alarm.raised']);
    await store.close();
  });

  test('keeps zones, AGV holds and running data across a restart', async () => {
    const { store, reopen } = await backend.fresh();
    const zone = { id: 'z1', type: 'blocked' as const, name: 'spill at aisle 3', definition: { nodes: ['n1'], edges: [], polygon: [], mode: 'leave' }, createdBy: 'ann', createdAt: 10 };
    await store.zones.create(zone);
    await store.zones.create({ ...zone, id: 'z2', type: 'speedLimit', definition: { edges: ['e1'], maxSpeed: 0.5 }, createdAt: 11 });
    await expect(store.zones.create(zone)).rejects.toBeInstanceOf(StoreConflictError);
    expect(await store.zones.delete('z2')).toBe(true);
    expect(await store.zones.delete('z2')).toBe(false);
    await store.holds.set('a1', 'paused', 'ann', 5);
    await store.holds.set('a1', 'stopped', 'bob', 6);
    await store.holds.set('a2', 'paused', 'ann', 7);
    await store.holds.set('a2', null, 'ann', 8);
    for (let i = 0; i < 5; i++) {
      await store.runningData.append({ agvId: 'a1', at: 100 + i, odometerM: i, operatingS: 10 * i, drivingS: i, liftCycles: 0, chargeCycles: 1, batteryHealth: 970, batteryTemperature: -15, diagnostics: [{ key: 1, value: i }] });
    }
    await store.close();

    const again = await reopen();
    expect(await again.zones.list()).toEqual([zone]);
    expect(await again.zones.get('z1')).toEqual(zone);
    expect(await again.holds.list()).toEqual([{ agvId: 'a1', hold: 'stopped', by: 'bob', at: 6 }]);
    const newest = await again.runningData.list('a1', 0, 2);
    expect(newest.map((s) => s.at)).toEqual([103, 104]);
    expect(newest[1]).toEqual({ agvId: 'a1', at: 104, odometerM: 4, operatingS: 40, drivingS: 4, liftCycles: 0, chargeCycles: 1, batteryHealth: 970, batteryTemperature: -15, diagnostics: [{ key: 1, value: 4 }] });
    expect((await again.runningData.list('a1', 103, 10)).length).toBe(2);
    expect(await again.runningData.prune(102)).toBe(2);
    expect((await again.runningData.list('a1', 0, 10)).length).toBe(3);
    await again.close();
  });

  test('keeps each site\'s last released nodes per AGV, newest first, across a restart; one setting value for racing first writers', async () => {
    const { store, reopen } = await backend.fresh();
    await store.trafficHolds.record('site-1', 'AGV-1', ['a', 'b', 'c'], 100);
    await store.trafficHolds.record('site-1', 'AGV-2', ['d'], 200);
    await store.trafficHolds.record('site-2', 'AGV-1', ['x'], 300);
    await store.trafficHolds.record('site-1', 'AGV-1', ['c', 'e'], 300);
    await store.trafficHolds.record('site-1', 'AGV-3', ['f'], 50);
    await store.trafficHolds.record('site-1', 'AGV-3', [], 400);
    await store.close();
    const again = await reopen();
    expect([...(await again.trafficHolds.forSite('site-1'))]).toEqual([['AGV-1', ['c', 'e']], ['AGV-2', ['d']]]);
    expect([...(await again.trafficHolds.forSite('site-2'))]).toEqual([['AGV-1', ['x']]]);
    expect((await again.trafficHolds.forSite('site-3')).size).toBe(0);

    const kept = await Promise.all([again.settings.setIfAbsent('k', 'first'), again.settings.setIfAbsent('k', 'second')]);
    expect(kept[0]).toBe(kept[1]);
    expect(await again.settings.get('k')).toBe(kept[0]);
    await again.close();
  });
});
