import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../../src/rcs/site/index.ts';
import { openStore, type Store } from '../../src/rcs/store/index.ts';
import {
  IdempotencyConflictError,
  TASK_TRANSITIONS,
  TaskNotFoundError,
  TaskRejectedError,
  TaskService,
  TaskStateConflictError,
  type TaskChange,
} from '../../src/rcs/tasks/index.ts';
import { capturingLogger, LEVEL } from './log-capture.ts';

const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);

describe('TaskService', () => {
  let store: Store;
  let clock: ManualClock;
  let tasks: TaskService;

  beforeEach(() => {
    store = openStore({ path: ':memory:' });
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    tasks = new TaskService({ store, site, clock });
  });

  it('runs a task through its whole lifecycle with history and change notifications', async () => {
    const changes: TaskChange[] = [];
    tasks.onChange((c) => changes.push(c));
    const { task, created } = await tasks.create({ pick: 'PICK-01', drop: 'DROP-02', priority: 7 });
    expect(created).toBe(true);
    expect(task).toMatchObject({ state: 'queued', priority: 7, agvId: null, version: 1 });
    clock.advance(1000);
    await tasks.assign(task.id, 'agv-1');
    for (const state of ['to_pick', 'picking', 'to_drop', 'dropping', 'completed'] as const) {
      clock.advance(1000);
      await tasks.transition(task.id, state);
    }
    const done = (await tasks.get(task.id))!;
    expect(done.state).toBe('completed');
    expect(done.agvId).toBe('agv-1');
    expect(done.history.map((h) => h.to)).toEqual(['queued', 'assigned', 'to_pick', 'picking', 'to_drop', 'dropping', 'completed']);
    expect(done.history.map((h) => h.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(changes.map((c) => c.entry.to)).toEqual(done.history.map((h) => h.to));
    expect((await store.events.query({ taskId: task.id })).length).toBe(7);
  });

  it('refuses transitions the lifecycle does not allow', async () => {
    const { task } = await tasks.create({ pick: 'PICK-01', drop: 'DROP-02' });
    await expect(tasks.transition(task.id, 'picking')).rejects.toBeInstanceOf(TaskStateConflictError);
    await tasks.cancel(task.id, 'not needed');
    await expect(tasks.cancel(task.id)).rejects.toThrow(/is cancelled; it cannot become cancelled/);
    expect((await tasks.get(task.id))!).toMatchObject({ state: 'cancelled', reason: 'not needed' });
    await expect(tasks.transition('tsk_nope', 'cancelled')).rejects.toBeInstanceOf(TaskNotFoundError);
    for (const terminal of ['completed', 'failed', 'cancelled'] as const) expect(TASK_TRANSITIONS[terminal]).toEqual([]);
  });

  it('requeues a task whose AGV dropped out before picking, clearing the AGV', async () => {
    const { task } = await tasks.create({ pick: 'PICK-01', drop: 'DROP-02' });
    await tasks.assign(task.id, 'agv-1');
    await tasks.transition(task.id, 'to_pick');
    const requeued = await tasks.transition(task.id, 'queued', 'agv-1 went offline');
    expect(requeued).toMatchObject({ state: 'queued', agvId: null });
    await tasks.assign(task.id, 'agv-2');
    await tasks.transition(task.id, 'to_pick');
    await tasks.transition(task.id, 'picking');
    await expect(tasks.transition(task.id, 'queued')).rejects.toBeInstanceOf(TaskStateConflictError);
  });

  it('is idempotent per key: same request → same task, different request → conflict', async () => {
    const first = await tasks.create({ pick: 'PICK-01', drop: 'DROP-02', priority: 3 }, 'order-42');
    const again = await tasks.create({ pick: 'PICK-01', drop: 'DROP-02', priority: 3 }, 'order-42');
    expect(again.created).toBe(false);
    expect(again.task.id).toBe(first.task.id);
    await expect(tasks.create({ pick: 'PICK-01', drop: 'DROP-03', priority: 3 }, 'order-42')).rejects.toBeInstanceOf(IdempotencyConflictError);
    // Concurrent identical requests still make one task.
    const racing = await Promise.all([1, 2, 3].map(() => tasks.create({ pick: 'PICK-02', drop: 'DROP-01' }, 'order-43')));
    expect(new Set(racing.map((r) => r.task.id)).size).toBe(1);
    expect(racing.filter((r) => r.created)).toHaveLength(1);
    expect((await tasks.list()).items).toHaveLength(2);
  });

  it('rejects stations that do not exist or do not fit, and past deadlines', async () => {
    await expect(tasks.create({ pick: 'NOPE', drop: 'DROP-01' })).rejects.toThrow(/pick station 'NOPE' does not exist/);
    await expect(tasks.create({ pick: 'DROP-01', drop: 'DROP-02' })).rejects.toThrow(/drop-only/);
    await expect(tasks.create({ pick: 'PICK-01', drop: 'PICK-02' })).rejects.toThrow(/pick-only/);
    await expect(tasks.create({ pick: 'PICK-01', drop: 'DROP-01', deadline: clock.now() - 1 })).rejects.toBeInstanceOf(TaskRejectedError);
    await expect(tasks.create({ pick: 'PICK-01', drop: 'DROP-01', priority: 42 })).rejects.toThrow(/priority must be/);
    await expect(tasks.create({ pick: 'PICK-01', drop: 'DROP-01', deadline: Number.NaN })).rejects.toBeInstanceOf(TaskRejectedError);
    expect((await tasks.list()).items).toEqual([]);
  });

  it('orders the queue by priority, then deadline, then age', async () => {
    const now = clock.now();
    const make = async (priority: number, deadline?: number) => {
      clock.advance(10);
      return (await tasks.create({ pick: 'PICK-01', drop: 'DROP-01', priority, deadline })).task.id;
    };
    const low = await make(1);
    const highLate = await make(9, now + 100_000);
    const highSoon = await make(9, now + 50_000);
    const highNone = await make(9);
    const mid = await make(5);
    const assigned = await make(9);
    await tasks.assign(assigned, 'agv-1');
    expect((await tasks.queued()).map((t) => t.id)).toEqual([highSoon, highLate, highNone, mid, low]);
    expect((await tasks.queued(2)).map((t) => t.id)).toEqual([highSoon, highLate]);
    expect((await tasks.active()).map((t) => t.id).sort()).toEqual([low, highLate, highSoon, highNone, mid, assigned].sort());
  });

  it('survives a restart: tasks, history and idempotency keys come back', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'unifleet-tasks-'));
    try {
      const path = join(dir, 'db.sqlite');
      const s1 = openStore({ path });
      const t1 = new TaskService({ store: s1, site, clock });
      const { task } = await t1.create({ pick: 'PICK-01', drop: 'DROP-01' }, 'k1');
      await t1.assign(task.id, 'agv-9');
      await s1.close();
      const s2 = openStore({ path });
      const t2 = new TaskService({ store: s2, site, clock });
      expect((await t2.active()).map((t) => t.id)).toEqual([task.id]);
      expect((await t2.create({ pick: 'PICK-01', drop: 'DROP-01' }, 'k1')).task.id).toBe(task.id);
      expect((await t2.get(task.id))!.history.map((h) => h.to)).toEqual(['queued', 'assigned']);
      await s2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps writing when a change listener throws, and logs the failure with the task', async () => {
    const { logger, lines } = capturingLogger();
    const guarded = new TaskService({ store, site, clock, logger });
    guarded.onChange(() => {
      throw new Error('listener bug');
    });
    const { task } = await guarded.create({ pick: 'PICK-01', drop: 'DROP-01' });
    expect(task.state).toBe('queued');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: LEVEL.error, taskId: task.id, err: { message: 'listener bug' } });
  });
});
