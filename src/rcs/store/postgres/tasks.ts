import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Task, TaskFilter, TaskHistoryEntry, TaskPage, TaskState } from '../../tasks/types.ts';
import { eventMatches } from '../../webhooks/filter.ts';
import { StoreConflictError } from '../errors.ts';
import { webhookBody } from '../sqlite/outbox.ts';
import { decodeCursor, encodeCursor, pageLimit, toEntry, toTask, type HistoryRow, type TaskRow } from '../task-rows.ts';
import type { IdempotentTask, TaskChangeRecord, TaskRepository } from '../types.ts';
import { inTransaction, isUniqueViolation, type Queryable } from './db.ts';
import type { PgSiteLeadershipRepository } from './leadership.ts';

/** Writes one outbox row per matching subscription, on the caller's transaction. */
export async function fanOutPg(db: Queryable, type: string, payload: unknown, at: number): Promise<number> {
  const subs = await db.query<{ id: string; events: string[] }>('SELECT id, events FROM webhook_subscriptions');
  const matching = subs.rows.filter((s) => eventMatches(s.events, type));
  if (matching.length === 0) return 0;
  const eventId = `evt_${randomUUID()}`;
  const body = webhookBody(eventId, type, payload, at);
  for (const s of matching) {
    await db.query(
      `INSERT INTO webhook_outbox (subscription_id, event_id, event_type, body, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $5)`,
      [s.id, eventId, type, body, at],
    );
  }
  return matching.length;
}

export class PgTaskRepository implements TaskRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly leadership: PgSiteLeadershipRepository,
  ) {}

  async saveChange(change: TaskChangeRecord): Promise<void> {
    const { task: t, entry } = change;
    await inTransaction(this.pool, async (db) => {
      if (change.fence) await this.leadership.check(db, change.fence.siteId, change.fence.epoch);
      if (change.expectedVersion === null) {
        try {
          await db.query(
            `INSERT INTO tasks (id, state, pick, drop_station, priority, deadline, preferred_vendor, agv_type, external_ref,
                                agv_id, client_request_id, request_fingerprint, created_at, updated_at, reason, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
            [t.id, t.state, t.pick, t.drop, t.priority, t.deadline, t.preferredVendor, t.agvType, t.externalRef, t.agvId,
              t.clientRequestId, change.requestFingerprint ?? null, t.createdAt, t.updatedAt, t.reason, t.version],
          );
        } catch (err) {
          if (isUniqueViolation(err)) throw new StoreConflictError(`task '${t.id}' or its idempotency key already exists`);
          throw err;
        }
      } else {
        const result = await db.query(
          `UPDATE tasks SET state = $2, agv_id = $3, updated_at = $4, reason = $5, version = $6, priority = $7, deadline = $8
           WHERE id = $1 AND version = $9`,
          [t.id, t.state, t.agvId, t.updatedAt, t.reason, t.version, t.priority, t.deadline, change.expectedVersion],
        );
        if (result.rowCount !== 1) throw new StoreConflictError(`task '${t.id}' changed concurrently; retry`);
      }
      await db.query(
        `INSERT INTO task_history (task_id, seq, at, from_state, to_state, agv_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [entry.taskId, entry.seq, entry.at, entry.from, entry.to, entry.agvId, entry.detail],
      ).catch((err: unknown) => {
        if (isUniqueViolation(err)) throw new StoreConflictError(`task '${t.id}' history changed concurrently; retry`);
        throw err;
      });
      await db.query(
        `INSERT INTO events (at, agv_id, task_id, severity, type, message) VALUES ($1, $2, $3, $4, $5, $6)`,
        [entry.at, t.agvId, t.id, t.state === 'failed' ? 'warning' : 'info', change.eventType,
          `task ${t.id} ${entry.from ?? 'new'} → ${entry.to}${entry.detail ? `: ${entry.detail}` : ''}`],
      );
      await fanOutPg(db, change.eventType, change.eventPayload, entry.at);
    });
  }

  async get(id: string): Promise<Task | undefined> {
    const { rows } = await this.pool.query<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id]);
    return rows[0] ? toTask(rows[0]) : undefined;
  }

  async history(id: string): Promise<TaskHistoryEntry[]> {
    const { rows } = await this.pool.query<HistoryRow>('SELECT * FROM task_history WHERE task_id = $1 ORDER BY seq', [id]);
    return rows.map(toEntry);
  }

  async byClientRequestId(key: string): Promise<IdempotentTask | undefined> {
    const { rows } = await this.pool.query<TaskRow>('SELECT * FROM tasks WHERE client_request_id = $1', [key]);
    return rows[0] ? { task: toTask(rows[0]), requestFingerprint: rows[0].request_fingerprint } : undefined;
  }

  async list(filter: TaskFilter): Promise<TaskPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => `$${params.push(v)}`;
    if (filter.state !== undefined) {
      const states = Array.isArray(filter.state) ? filter.state : [filter.state];
      if (states.length === 0) return { items: [] };
      where.push(`state = ANY(${param(states)})`);
    }
    if (filter.agvId !== undefined) where.push(`agv_id = ${param(filter.agvId)}`);
    if (filter.vendor !== undefined) {
      const v = param(filter.vendor);
      where.push(`(agv_id IN (SELECT id FROM agvs WHERE vendor = ${v}) OR (agv_id IS NULL AND preferred_vendor = ${v}))`);
    }
    if (filter.since !== undefined) where.push(`created_at >= ${param(filter.since)}`);
    if (filter.cursor !== undefined) {
      const [createdAt, id] = decodeCursor(filter.cursor);
      where.push(`(created_at, id) < (${param(createdAt)}, ${param(id)})`);
    }
    const limit = pageLimit(filter.limit);
    const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`;
    const { rows } = await this.pool.query<TaskRow>(sql, params);
    const items = rows.slice(0, limit).map(toTask);
    return rows.length > limit ? { items, nextCursor: encodeCursor(items[items.length - 1]!) } : { items };
  }

  async inStates(states: TaskState[]): Promise<Task[]> {
    if (states.length === 0) return [];
    const { rows } = await this.pool.query<TaskRow>('SELECT * FROM tasks WHERE state = ANY($1) ORDER BY created_at, id', [states]);
    return rows.map(toTask);
  }

  async queue(limit: number): Promise<Task[]> {
    const { rows } = await this.pool.query<TaskRow>(
      `SELECT * FROM tasks WHERE state = 'queued' ORDER BY priority DESC, deadline ASC NULLS LAST, created_at, id LIMIT $1`,
      [Math.min(limit, 2 ** 31 - 1)],
    );
    return rows.map(toTask);
  }
}
