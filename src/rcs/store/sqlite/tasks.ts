import type { Database, Statement } from 'better-sqlite3';
import type { Task, TaskFilter, TaskHistoryEntry, TaskPage, TaskState } from '../../tasks/types.ts';
import { StoreConflictError } from '../errors.ts';
import type { IdempotentTask, TaskChangeRecord, TaskRepository } from '../types.ts';
import { fanOut } from './outbox.ts';
import type { SqliteSiteLeadershipRepository } from './leadership.ts';
import { isUniqueViolation } from './rows.ts';
import { decodeCursor, encodeCursor, pageLimit, toEntry, toTask, type HistoryRow, type TaskRow } from '../task-rows.ts';

export class SqliteTaskRepository implements TaskRepository {
  private readonly select: Statement<[string], TaskRow>;
  private readonly selectHistory: Statement<[string], HistoryRow>;
  private readonly selectByKey: Statement<[string], TaskRow>;
  private readonly insertTask: Statement;
  private readonly updateTask: Statement;
  private readonly insertHistory: Statement;
  private readonly insertEvent: Statement;
  private readonly save: (change: TaskChangeRecord) => void;
  private readonly queueStmt: Statement<[number], TaskRow>;

  constructor(
    private readonly db: Database,
    leadership: SqliteSiteLeadershipRepository,
  ) {
    this.select = db.prepare('SELECT * FROM tasks WHERE id = ?');
    this.selectHistory = db.prepare('SELECT * FROM task_history WHERE task_id = ? ORDER BY seq');
    this.selectByKey = db.prepare('SELECT * FROM tasks WHERE client_request_id = ?');
    this.insertTask = db.prepare(`
      INSERT INTO tasks (id, state, pick, drop_station, priority, deadline, preferred_vendor, agv_type, external_ref,
                         agv_id, client_request_id, request_fingerprint, created_at, updated_at, reason, version)
      VALUES (@id, @state, @pick, @drop, @priority, @deadline, @preferredVendor, @agvType, @externalRef,
              @agvId, @clientRequestId, @fingerprint, @createdAt, @updatedAt, @reason, @version)`);
    this.updateTask = db.prepare(`
      UPDATE tasks SET state = @state, agv_id = @agvId, updated_at = @updatedAt, reason = @reason, version = @version,
                       priority = @priority, deadline = @deadline
      WHERE id = @id AND version = @expectedVersion`);
    this.insertHistory = db.prepare(`
      INSERT INTO task_history (task_id, seq, at, from_state, to_state, agv_id, detail)
      VALUES (@taskId, @seq, @at, @from, @to, @agvId, @detail)`);
    this.insertEvent = db.prepare(`
      INSERT INTO events (at, agv_id, task_id, severity, type, message, data)
      VALUES (@at, @agvId, @taskId, @severity, @type, @message, 'null')`);

    this.queueStmt = db.prepare(`
      SELECT * FROM tasks WHERE state = 'queued'
      ORDER BY priority DESC, deadline IS NULL, deadline, created_at, id LIMIT ?`);
    const fan = fanOut(db);
    this.save = db.transaction((change: TaskChangeRecord) => {
      const { task, entry } = change;
      if (change.fence) leadership.check(change.fence.siteId, change.fence.epoch);
      if (change.expectedVersion === null) {
        try {
          this.insertTask.run({ ...task, fingerprint: change.requestFingerprint ?? null });
        } catch (err) {
          if (isUniqueViolation(err)) throw new StoreConflictError(`task '${task.id}' or its idempotency key already exists`);
          throw err;
        }
      } else {
        const result = this.updateTask.run({ ...task, expectedVersion: change.expectedVersion });
        if (result.changes !== 1) throw new StoreConflictError(`task '${task.id}' changed concurrently; retry`);
      }
      this.insertHistory.run(entry);
      this.insertEvent.run({
        at: entry.at,
        agvId: task.agvId,
        taskId: task.id,
        severity: task.state === 'failed' ? 'warning' : 'info',
        type: change.eventType,
        message: `task ${task.id} ${entry.from ?? 'new'} → ${entry.to}${entry.detail ? `: ${entry.detail}` : ''}`,
      });
      fan(change.eventType, change.eventPayload, entry.at);
    });
  }

  async saveChange(change: TaskChangeRecord): Promise<void> {
    this.save(change);
  }

  async get(id: string): Promise<Task | undefined> {
    const row = this.select.get(id);
    return row ? toTask(row) : undefined;
  }

  async history(id: string): Promise<TaskHistoryEntry[]> {
    return this.selectHistory.all(id).map(toEntry);
  }

  async byClientRequestId(key: string): Promise<IdempotentTask | undefined> {
    const row = this.selectByKey.get(key);
    return row ? { task: toTask(row), requestFingerprint: row.request_fingerprint } : undefined;
  }

  async list(filter: TaskFilter): Promise<TaskPage> {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.state !== undefined) {
      const states = Array.isArray(filter.state) ? filter.state : [filter.state];
      if (states.length === 0) return { items: [] };
      where.push(`state IN (${states.map((_, i) => `@state${i}`).join(', ')})`);
      states.forEach((s, i) => (params[`state${i}`] = s));
    }
    if (filter.agvId !== undefined) {
      where.push('agv_id = @agvId');
      params.agvId = filter.agvId;
    }
    if (filter.vendor !== undefined) {
      where.push('(agv_id IN (SELECT id FROM agvs WHERE vendor = @vendor) OR (agv_id IS NULL AND preferred_vendor = @vendor))');
      params.vendor = filter.vendor;
    }
    if (filter.since !== undefined) {
      where.push('created_at >= @since');
      params.since = filter.since;
    }
    if (filter.cursor !== undefined) {
      const [createdAt, id] = decodeCursor(filter.cursor);
      where.push('(created_at < @cAt OR (created_at = @cAt AND id < @cId))');
      params.cAt = createdAt;
      params.cId = id;
    }
    const limit = pageLimit(filter.limit);
    params.take = limit + 1;
    const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC LIMIT @take`;
    const rows = this.db.prepare<[Record<string, unknown>], TaskRow>(sql).all(params);
    const items = rows.slice(0, limit).map(toTask);
    return rows.length > limit ? { items, nextCursor: encodeCursor(items[items.length - 1]!) } : { items };
  }

  async queue(limit: number): Promise<Task[]> {
    return this.queueStmt.all(limit).map(toTask);
  }

  async inStates(states: TaskState[]): Promise<Task[]> {
    if (states.length === 0) return [];
    const sql = `SELECT * FROM tasks WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY created_at, id`;
    return this.db.prepare<unknown[], TaskRow>(sql).all(...states).map(toTask);
  }
}
