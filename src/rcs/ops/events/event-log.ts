import type { Database, Statement } from 'better-sqlite3';
import { SEVERITIES, type Severity } from '../ports.ts';

export interface OpsEvent {
  id: number;
  at: number;
  kind: string;
  severity: Severity;
  agvId: string | null;
  taskId: string | null;
  message: string;
  data: unknown;
}

export type NewEvent = Omit<OpsEvent, 'id' | 'agvId' | 'taskId' | 'data'> & {
  agvId?: string | null;
  taskId?: string | null;
  data?: unknown;
};

export interface EventQuery {
  agvId?: string;
  taskId?: string;
  /** Minimum severity: 'warning' returns warning, error and critical. */
  severity?: Severity;
  kind?: string;
  /** Return events with id < before (paging backwards from the newest). */
  before?: number;
  limit?: number;
}

interface EventRow {
  id: number;
  at: number;
  kind: string;
  severity: Severity;
  agv_id: string | null;
  task_id: string | null;
  message: string;
  data: string | null;
}

const MAX_LIMIT = 1000;

/** Append-only log of what happened, queried by the objects operators care about (AGV, task, severity). */
export class EventLog {
  private readonly insert: Statement;
  private readonly prune: Statement;

  constructor(
    private readonly db: Database,
    /** Oldest rows are pruned beyond this many, so a long-running site does not grow the file without bound. */
    private readonly retain = 200_000,
  ) {
    this.insert = db.prepare(
      'INSERT INTO ops_events (at, kind, severity, agv_id, task_id, message, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.prune = db.prepare('DELETE FROM ops_events WHERE id <= ?');
  }

  append(event: NewEvent): OpsEvent {
    const data = event.data === undefined ? null : JSON.stringify(event.data);
    const info = this.insert.run(
      event.at,
      event.kind,
      event.severity,
      event.agvId ?? null,
      event.taskId ?? null,
      event.message,
      data,
    );
    const id = Number(info.lastInsertRowid);
    if (id % 1000 === 0 && id > this.retain) this.prune.run(id - this.retain);
    return { ...event, id, agvId: event.agvId ?? null, taskId: event.taskId ?? null, data: event.data ?? null };
  }

  query(q: EventQuery = {}): OpsEvent[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.agvId) {
      where.push('agv_id = ?');
      args.push(q.agvId);
    }
    if (q.taskId) {
      where.push('task_id = ?');
      args.push(q.taskId);
    }
    if (q.kind) {
      where.push('kind = ?');
      args.push(q.kind);
    }
    if (q.severity) {
      const atLeast = SEVERITIES.slice(SEVERITIES.indexOf(q.severity));
      where.push(`severity IN (${atLeast.map(() => '?').join(',')})`);
      args.push(...atLeast);
    }
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    const limit = Math.min(Math.max(1, q.limit ?? 100), MAX_LIMIT);
    const sql = `SELECT * FROM ops_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as EventRow[]).map((r) => ({
      id: r.id,
      at: r.at,
      kind: r.kind,
      severity: r.severity,
      agvId: r.agv_id,
      taskId: r.task_id,
      message: r.message,
      data: r.data === null ? null : (JSON.parse(r.data) as unknown),
    }));
  }
}
