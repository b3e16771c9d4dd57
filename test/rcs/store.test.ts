import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_WAREHOUSE_PATH } from '../../src/rcs/site/index.ts';
import { openStore, StoreConflictError } from '../../src/rcs/store/index.ts';
import { migrate } from '../../src/rcs/store/sqlite/migrate.ts';
import { MIGRATIONS } from '../../src/rcs/store/sqlite/migrations.ts';
import type { Task } from '../../src/rcs/tasks/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'unifleet-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `db-${++n}.sqlite`);

function task(id: string, createdAt: number, extra: Partial<Task> = {}): Task {
  return {
    id,
    state: 'queued',
    pick: 'PICK-01',
    drop: 'DROP-01',
    priority: 5,
    deadline: null,
    preferredVendor: null,
    agvType: null,
    externalRef: null,
    agvId: null,
    clientRequestId: null,
    createdAt,
    updatedAt: createdAt,
    reason: null,
    version: 1,
    ...extra,
  };
}

const entry = (t: Task, seq = 1) => ({ taskId: t.id, seq, at: t.updatedAt, from: null, to: t.state, agvId: t.agvId, detail: null });

describe('SQLite store', () => {
  it('runs migrations once, in WAL mode, and records the schema version', async () => {
    const path = freshPath();
    const store = openStore({ path });
    expect(store.schemaVersion).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    await store.close();
    const again = openStore({ path });
    expect(again.schemaVersion).toBe(store.schemaVersion);
    await again.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT COUNT(*) AS c FROM schema_migrations').get()).toEqual({ c: MIGRATIONS.length });
    db.close();
  });

  it('refuses a database written by a newer schema', async () => {
    const path = freshPath();
    await openStore({ path }).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('future');
    db.close();
    expect(() => openStore({ path })).toThrow(/newer than this build/);
  });

  it('opens a database written before the operations tables existed and adds them, keeping its rows', async () => {
    const path = freshPath();
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 1));
    old.prepare("INSERT INTO agvs (id, vendor) VALUES ('a1', 'acme')").run();
    old.close();
    const store = openStore({ path });
    expect(store.schemaVersion).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    expect(await store.agvs.get('a1')).toMatchObject({ vendor: 'acme' });
    await store.users.create({ username: 'admin', role: 'admin', passwordHash: 'h', createdAt: 1 });
    expect((await store.alarms.insert({ key: 'k', source: 'platform', code: 'C', severity: 'info', agvId: 'a1', taskId: null, message: 'm' }, 2)).id).toBe(1);
    await store.close();
  });

  it('keeps the AGV registry: enrolment, sightings, keys', async () => {
    const store = openStore({ path: ':memory:' });
    await store.agvs.enrol({ id: 'a1', publicKeyHex: '04ab', vendor: 'acme' });
    let a1 = await store.agvs.upsertSeen({ id: 'a1', at: 1000, model: 'M1', capabilities: { maxSpeed: 1500 }, mode: 'secure', lastNode: 'n1' });
    expect(a1).toMatchObject({ vendor: 'acme', model: 'M1', publicKeyHex: '04ab', mode: 'secure', firstSeen: 1000, lastSeen: 1000, lastNode: 'n1' });
    a1 = await store.agvs.upsertSeen({ id: 'a1', at: 2000 });
    expect(a1).toMatchObject({ firstSeen: 1000, lastSeen: 2000, lastNode: 'n1', capabilities: { maxSpeed: 1500 } });
    a1 = await store.agvs.enrol({ id: 'a1', publicKeyHex: '04cd' });
    expect(a1).toMatchObject({ publicKeyHex: '04cd', vendor: 'acme', lastSeen: 2000 });
    await store.agvs.upsertSeen({ id: 'b2', at: 5, vendor: 'other' });
    expect((await store.agvs.list()).map((a) => a.id)).toEqual(['a1', 'b2']);
    expect(await store.agvs.get('zz')).toBeUndefined();
    await store.close();
  });

  it('batches concurrent sightings into one commit and lets reads see them at once', async () => {
    const path = freshPath();
    const store = openStore({ path });
    const writes = Array.from({ length: 500 }, (_, i) => store.agvs.upsertSeen({ id: `agv-${i}`, at: 10 + i, vendor: 'acme', lastNode: `n${i}` }));
    // A read issued before the batch would have run still sees every queued sighting.
    expect((await store.agvs.list()).length).toBe(500);
    const records = await Promise.all(writes);
    expect(records[499]).toMatchObject({ id: 'agv-499', lastNode: 'n499', firstSeen: 509 });
    void store.agvs.upsertSeen({ id: 'agv-late', at: 1 });
    await store.close();
    const reopened = openStore({ path });
    expect(await reopened.agvs.get('agv-late')).toBeDefined();
    await reopened.close();
  });

  it('writes task, history, event and outbox rows together, and rolls all back on a conflict', async () => {
    const store = openStore({ path: ':memory:' });
    await store.webhooks.create({ id: 'w1', url: 'http://127.0.0.1:1/hook', secret: 's'.repeat(16), events: ['task.*'], createdAt: 0 });
    await store.webhooks.create({ id: 'w2', url: 'http://127.0.0.1:1/other', secret: 's'.repeat(16), events: ['alarm.*'], createdAt: 0 });
    const t = task('t1', 100);
    const change = { task: t, entry: entry(t), expectedVersion: null, eventType: 'task.queued', eventPayload: { id: 't1' } };
    await store.tasks.saveChange(change);
    expect(await store.outbox.list()).toHaveLength(1);
    expect((await store.outbox.list())[0]).toMatchObject({ subscriptionId: 'w1', eventType: 'task.queued', status: 'pending' });
    expect(JSON.parse((await store.outbox.list())[0]!.body)).toMatchObject({ type: 'task.queued', data: { id: 't1' } });
    expect(await store.events.query({ taskId: 't1' })).toHaveLength(1);

    // A stale version: nothing of the change may land.
    const stale = { ...t, state: 'assigned' as const, agvId: 'a', version: 2, updatedAt: 200 };
    await expect(store.tasks.saveChange({ ...change, task: stale, entry: entry(stale, 2), expectedVersion: 7 })).rejects.toBeInstanceOf(StoreConflictError);
    expect((await store.tasks.get('t1'))!.state).toBe('queued');
    expect(await store.tasks.history('t1')).toHaveLength(1);
    expect(await store.outbox.list()).toHaveLength(1);
    expect(await store.events.query({ taskId: 't1' })).toHaveLength(1);
    await store.close();
  });

  it('pages through tasks newest first with a cursor, and filters', async () => {
    const store = openStore({ path: ':memory:' });
    for (let i = 0; i < 25; i++) {
      const t = task(`t${String(i).padStart(2, '0')}`, 1000 + Math.floor(i / 2), i % 3 === 0 ? { state: 'assigned', agvId: 'a1' } : {});
      await store.tasks.saveChange({ task: t, entry: entry(t), expectedVersion: null, eventType: 'task.queued', eventPayload: null });
    }
    await store.agvs.upsertSeen({ id: 'a1', at: 1, vendor: 'acme' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.tasks.list({ limit: 10, cursor });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen[0]).toBe('t24');
    expect((await store.tasks.list({ state: 'assigned' })).items).toHaveLength(9);
    expect((await store.tasks.list({ vendor: 'acme' })).items).toHaveLength(9);
    expect((await store.tasks.list({ agvId: 'a1', since: 1010 })).items.map((t) => t.id)).toEqual(['t24', 't21']);
    await expect(store.tasks.list({ cursor: 'garbage' })).rejects.toThrow(/cursor/);
    await store.close();
  });

  it('keeps the outbox schedule and event log', async () => {
    const store = openStore({ path: ':memory:' });
    await store.webhooks.create({ id: 'w1', url: 'http://127.0.0.1:1/', secret: 'x'.repeat(16), events: ['*'], createdAt: 0 });
    expect(await store.outbox.enqueue('alarm.raised', { code: 1 }, 50)).toBe(1);
    const [row] = await store.outbox.due(50, 10);
    await store.outbox.reschedule(row!.id, 1, 500, 'HTTP 500');
    expect(await store.outbox.due(499, 10)).toEqual([]);
    expect(await store.outbox.nextDueAt()).toBe(500);
    await store.outbox.markDead(row!.id, 2, 'gave up');
    expect(await store.outbox.get(row!.id)).toMatchObject({ status: 'dead', attempts: 2, lastError: 'gave up' });
    expect(await store.outbox.nextDueAt()).toBeNull();
    expect(await store.outbox.prune(50)).toBe(0);
    expect(await store.outbox.prune(51)).toBe(1);
    await store.events.append({ at: 1, severity: 'info', type: 'x', message: 'm', agvId: 'a' });
    await store.events.append({ at: 2, severity: 'error', type: 'y', message: 'm2', data: { k: 1 } });
    expect((await store.events.query({ severity: 'warning' })).map((e) => e.type)).toEqual(['y']);
    expect((await store.events.query({ agvId: 'a' })).map((e) => e.type)).toEqual(['x']);
    expect(await store.webhooks.delete('w1')).toBe(true);
    expect(await store.outbox.list()).toEqual([]);
    await store.close();
  });

  it('loses nothing acknowledged when the writing process is killed with SIGKILL', async () => {
    const path = freshPath();
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'store-crash-child.ts'), path, DEMO_WAREHOUSE_PATH], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: { taskId: string; agvId: string; node: string }[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const [, taskId, agvId, node] = line.split(' ');
          acked.push({ taskId: taskId!, agvId: agvId!, node: node! });
        }
        if (acked.length >= 200 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
        }
      });
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited on its own: ${stderr}`))));
    });

    const store = openStore({ path });
    for (const { taskId, agvId } of acked) {
      const t = await store.tasks.get(taskId);
      expect(t, taskId).toMatchObject({ state: 'assigned', agvId });
      expect((await store.tasks.history(taskId)).map((h) => h.to)).toEqual(['queued', 'assigned']);
    }
    const last = acked[acked.length - 1]!;
    const agv = await store.agvs.get(last.agvId);
    expect(Number(agv!.lastNode!.slice(1))).toBeGreaterThanOrEqual(Number(last.node.slice(1)));
    // Whatever was in flight at the kill is either fully there or not at all.
    const all = await store.tasks.inStates(['queued', 'assigned']);
    for (const t of all) expect((await store.tasks.history(t.id)).length).toBe(t.state === 'queued' ? 1 : 2);
    await store.close();
  });
});
