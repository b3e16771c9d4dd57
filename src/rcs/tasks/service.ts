// Task lifecycle: validates requests against the site, enforces allowed transitions, and persists each change
// (row + history + event + webhook outbox) as one atomic store write before telling listeners.

import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { SiteMap } from '../site/types.ts';
import { StaleLeadershipError, StoreConflictError } from '../store/errors.ts';
import type { LeadershipFence, Store, TaskChangeRecord } from '../store/types.ts';
import { IdempotencyConflictError, TaskNotFoundError, TaskRejectedError, TaskStateConflictError } from './errors.ts';
import { taskToJson } from './serialize.ts';
import {
  canTransition,
  isTerminal,
  TASK_STATES,
  type CreateTaskResult,
  type ResolveOutcome,
  type Task,
  type TaskChangeListener,
  type TaskFilter,
  type TaskHistoryEntry,
  type TaskInput,
  type TaskPage,
  type TaskServiceApi,
  type TaskState,
  type TaskWithHistory,
} from './types.ts';

export interface TaskServiceOptions {
  store: Store;
  site: SiteMap;
  clock: Clock;
  /** A listener that throws is logged here; listeners must not break the write path. */
  logger?: Logger;
  /**
   * The leader's fencing token, read at each write: every task write carries it, so once another process claimed the
   * site the store refuses them (StaleLeadershipError, which `stale` hears before the caller does). Without it task
   * writes are unfenced (tools, tests, single-process set-ups that never share the store).
   */
  fence?: { current: () => LeadershipFence; stale: (err: StaleLeadershipError) => void };
}

const DEFAULT_PRIORITY = 5;
const ACTIVE_STATES = TASK_STATES.filter((s) => !isTerminal(s));

/** Time-ordered, unguessable task ids: sortable by creation in logs, no coordination needed. */
function newTaskId(now: number): string {
  return `tsk_${now.toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
}

function fingerprint(input: TaskInput): string {
  const canonical = [
    input.pick,
    input.drop,
    input.priority ?? DEFAULT_PRIORITY,
    input.deadline ?? null,
    input.preferredVendor ?? null,
    input.agvType ?? null,
    input.externalRef ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export class TaskService implements TaskServiceApi {
  private readonly store: Store;
  private readonly site: SiteMap;
  private readonly clock: Clock;
  private readonly listeners = new Set<TaskChangeListener>();
  private readonly logger: Logger;
  /** Per task, the last change asked for, settled or not (see change()). */
  private readonly pendingChanges = new Map<string, Promise<void>>();
  private readonly stations: Map<string, SiteMap['stations'][number]>;
  private readonly fence: TaskServiceOptions['fence'];

  constructor(options: TaskServiceOptions) {
    this.fence = options.fence;
    this.store = options.store;
    this.site = options.site;
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger();
    this.stations = new Map(options.site.stations.map((s) => [s.id, s]));
  }

  async create(input: TaskInput, idempotencyKey?: string): Promise<CreateTaskResult> {
    this.checkAgainstSite(input);
    const print = fingerprint(input);
    if (idempotencyKey !== undefined) {
      const repeat = await this.idempotentRepeat(idempotencyKey, print);
      if (repeat) return repeat;
    }
    const now = this.clock.now();
    const task: Task = {
      id: newTaskId(now),
      state: 'queued',
      pick: input.pick,
      drop: input.drop,
      priority: input.priority ?? DEFAULT_PRIORITY,
      deadline: input.deadline ?? null,
      preferredVendor: input.preferredVendor ?? null,
      agvType: input.agvType ?? null,
      externalRef: input.externalRef ?? null,
      agvId: null,
      clientRequestId: idempotencyKey ?? null,
      createdAt: now,
      updatedAt: now,
      reason: null,
      version: 1,
    };
    const entry: TaskHistoryEntry = { taskId: task.id, seq: 1, at: now, from: null, to: 'queued', agvId: null, detail: null };
    try {
      await this.save({
        task,
        entry,
        expectedVersion: null,
        requestFingerprint: print,
        eventType: 'task.queued',
        eventPayload: { task: taskToJson(task), from: null, to: 'queued' },
      });
    } catch (err) {
      // Two identical requests raced: the loser answers like a repeat.
      if (err instanceof StoreConflictError && idempotencyKey !== undefined) {
        const repeat = await this.idempotentRepeat(idempotencyKey, print);
        if (repeat) return repeat;
      }
      throw err;
    }
    this.emit(task, entry);
    return { task: { ...task, history: [entry] }, created: true };
  }

  async get(id: string): Promise<TaskWithHistory | undefined> {
    const task = await this.store.tasks.get(id);
    if (!task) return undefined;
    return { ...task, history: await this.store.tasks.history(id) };
  }

  list(filter: TaskFilter = {}): Promise<TaskPage> {
    return this.store.tasks.list(filter);
  }

  async resolve(id: string, outcome: ResolveOutcome, by: string, note?: string): Promise<Task> {
    const current = await this.store.tasks.get(id);
    if (!current) throw new TaskNotFoundError(id);
    const to: TaskState = outcome === 'requeue' ? 'queued' : outcome;
    if (current.state !== 'exception') throw new TaskStateConflictError(id, current.state, to);
    return this.transition(id, to, `resolved by ${by}: ${outcome}${note ? ` (${note})` : ''}`);
  }

  cancel(id: string, reason?: string): Promise<Task> {
    return this.transition(id, 'cancelled', reason ?? 'cancelled by request');
  }

  queued(limit?: number): Promise<Task[]> {
    return this.store.tasks.queue(limit ?? Number.MAX_SAFE_INTEGER);
  }

  active(): Promise<Task[]> {
    return this.store.tasks.inStates([...ACTIVE_STATES]);
  }

  assign(taskId: string, agvId: string, detail?: string): Promise<Task> {
    return this.change(taskId, 'assigned', detail ?? null, agvId);
  }

  transition(taskId: string, state: TaskState, detail?: string): Promise<Task> {
    if (state === 'assigned') throw new TypeError('use assign(taskId, agvId) to assign a task');
    return this.change(taskId, state, detail ?? null, undefined);
  }

  onChange(listener: TaskChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a task's changes in the order they were asked for. The fleet asks for the next state as soon as it sees
   * it (arrived, then loaded a moment later); with a store that answers over the network the second request would
   * otherwise read the task before the first one is written, and be refused as an invalid transition.
   */
  private change(taskId: string, to: TaskState, detail: string | null, agvId: string | undefined): Promise<Task> {
    return this.serialised(taskId, () => this.changeOnce(taskId, to, detail, agvId));
  }

  private serialised(taskId: string, once: () => Promise<Task>): Promise<Task> {
    const before = this.pendingChanges.get(taskId) ?? Promise.resolve();
    const result = before.then(() => this.withRetry(once));
    const settled = result.then(
      () => {},
      () => {},
    );
    this.pendingChanges.set(taskId, settled);
    void settled.then(() => {
      if (this.pendingChanges.get(taskId) === settled) this.pendingChanges.delete(taskId);
    });
    return result;
  }

  private async withRetry(once: () => Promise<Task>): Promise<Task> {
    // A concurrent change to the same task makes the versioned write fail; re-read and re-check rather than lose it.
    for (let attempt = 1; ; attempt++) {
      try {
        return await once();
      } catch (err) {
        if (!(err instanceof StoreConflictError) || attempt >= 3) throw err;
      }
    }
  }

  setPriority(taskId: string, priority: number, by: string): Promise<Task> {
    if (!(Number.isInteger(priority) && priority >= 0 && priority <= 9)) {
      throw new TaskRejectedError(`priority must be an integer from 0 to 9, got ${priority}`, 'priority');
    }
    return this.serialised(taskId, () => this.priorityOnce(taskId, priority, by));
  }

  private async priorityOnce(taskId: string, priority: number, by: string): Promise<Task> {
    const current = await this.store.tasks.get(taskId);
    if (!current) throw new TaskNotFoundError(taskId);
    if (current.state !== 'queued') {
      throw new TaskStateConflictError(taskId, current.state, current.state, `task '${taskId}' is ${current.state}; its priority can change only while queued`);
    }
    const now = Math.max(this.clock.now(), current.updatedAt);
    const task: Task = { ...current, priority, updatedAt: now, version: current.version + 1 };
    const detail = `priority ${current.priority} → ${priority} by ${by}`;
    const seq = (await this.store.tasks.history(taskId)).length + 1;
    const entry: TaskHistoryEntry = { taskId, seq, at: now, from: 'queued', to: 'queued', agvId: null, detail };
    await this.save({
      task,
      entry,
      expectedVersion: current.version,
      eventType: 'task.priority_changed',
      eventPayload: { task: taskToJson(task), from: current.priority, to: priority, detail },
    });
    this.emit(task, entry);
    return task;
  }

  private async changeOnce(taskId: string, to: TaskState, detail: string | null, agvId: string | undefined): Promise<Task> {
    const current = await this.store.tasks.get(taskId);
    if (!current) throw new TaskNotFoundError(taskId);
    if (!canTransition(current.state, to)) throw new TaskStateConflictError(taskId, current.state, to);
    const now = Math.max(this.clock.now(), current.updatedAt);
    const nextAgv = to === 'queued' ? null : (agvId ?? current.agvId);
    const task: Task = {
      ...current,
      state: to,
      agvId: nextAgv,
      updatedAt: now,
      // An exception's reason goes once the task leaves it: a resumed task is no longer in trouble.
      reason: to === 'failed' || to === 'cancelled' || to === 'exception' ? detail : current.state === 'exception' ? null : current.reason,
      version: current.version + 1,
    };
    const seq = (await this.store.tasks.history(taskId)).length + 1;
    const entry: TaskHistoryEntry = { taskId, seq, at: now, from: current.state, to, agvId: nextAgv, detail };
    await this.save({
      task,
      entry,
      expectedVersion: current.version,
      eventType: `task.${to}`,
      eventPayload: { task: taskToJson(task), from: current.state, to, detail },
    });
    this.emit(task, entry);
    return task;
  }

  /** Every task write goes through here, so each carries the leader's fencing token. */
  private async save(change: TaskChangeRecord): Promise<void> {
    if (!this.fence) return this.store.tasks.saveChange(change);
    try {
      await this.store.tasks.saveChange({ ...change, fence: this.fence.current() });
    } catch (err) {
      if (err instanceof StaleLeadershipError) this.fence.stale(err);
      throw err;
    }
  }

  private async idempotentRepeat(key: string, print: string): Promise<CreateTaskResult | undefined> {
    const existing = await this.store.tasks.byClientRequestId(key);
    if (!existing) return undefined;
    if (existing.requestFingerprint !== print) throw new IdempotencyConflictError(key, existing.task.id);
    return { task: { ...existing.task, history: await this.store.tasks.history(existing.task.id) }, created: false };
  }

  private checkAgainstSite(input: TaskInput): void {
    // The HTTP schema checks these too; other callers (scripts, the demo feeder) get the same typed error.
    if (input.priority !== undefined && !(Number.isInteger(input.priority) && input.priority >= 0 && input.priority <= 9)) {
      throw new TaskRejectedError(`priority must be an integer from 0 to 9, got ${input.priority}`, 'priority');
    }
    if (input.deadline !== undefined && !Number.isFinite(input.deadline)) {
      throw new TaskRejectedError('deadline must be a finite epoch-millisecond time', 'deadline');
    }
    const pick = this.stations.get(input.pick);
    const drop = this.stations.get(input.drop);
    if (!pick) throw new TaskRejectedError(`pick station '${input.pick}' does not exist on site '${this.site.id}'`, 'pick');
    if (!drop) throw new TaskRejectedError(`drop station '${input.drop}' does not exist on site '${this.site.id}'`, 'drop');
    if (pick.kind === 'drop') throw new TaskRejectedError(`station '${pick.id}' is a drop-only station; it cannot be a pick`, 'pick');
    if (drop.kind === 'pick') throw new TaskRejectedError(`station '${drop.id}' is a pick-only station; it cannot be a drop`, 'drop');
    if (input.deadline !== undefined && input.deadline <= this.clock.now()) {
      throw new TaskRejectedError(`deadline ${new Date(input.deadline).toISOString()} is already past`, 'deadline');
    }
    if (pick.id === drop.id) throw new TaskRejectedError('pick and drop must be different stations', 'drop');
  }

  private emit(task: Task, entry: TaskHistoryEntry): void {
    for (const listener of this.listeners) {
      try {
        listener({ task, entry });
      } catch (err) {
        this.logger.error({ err, taskId: task.id, state: task.state }, 'task change listener failed');
      }
    }
  }
}
