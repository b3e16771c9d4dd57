import type { Database, Statement } from 'better-sqlite3';
import { SEVERITIES, type Severity } from '../ports.ts';

// The event log operations reads and writes: what happened, to which AGV and task, how bad. Inside the platform it
// is the platform store's own event log (see platform-source.ts); standalone (dev server, tests of ops alone) it is
// SqliteEventLog below. Field names follow the platform's event records.

export interface OpsEvent {
  id: number;
  at: number;
  type: string;
  /** Platform events may also be 'debug'. */
  severity: Severity | 'debug';
  agvId: string | null;
  taskId: string | null;
  message: string;
  data: unknown;
}

export interface NewEvent {
  at: number;
  type: string;
  severity: Severity;
  agvId?: string | null;
  taskId?: string | null;
  message: string;
  data?: unknown;
}

export interface EventQuery {
  agvId?: string;
  taskId?: string;
  /** Minimum severity: 'warning' returns warning, error and critical. */
  severity?: Severity;
  type?: string;
  /** Only events at or after this epoch millisecond. */
  since?: number;
  limit?: number;
}

export interface EventLog {
  /** Appends without waiting; a failed write is reported to onError, never thrown at the caller. */
  append(event: NewEvent): void;
  /** Newest first. */
  query(q: EventQuery): Promise<OpsEvent[]>;
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

/** Event log in operations' own SQLite table, for running operations without the platform store. */
export class SqliteEventLog implements EventLog {
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

  append(event: NewEvent): void {
    const data = event.data === undefined ? null : JSON.stringify(event.data);
    const info = this.insert.run(event.at, event.type, event.severity, event.agvId ?? null, event.taskId ?? null, event.message, data);
    const id = Number(info.lastInsertRowid);
    if (id % 1000 === 0 && id > this.retain) this.prune.run(id - this.retain);
  }

  async query(q: EventQuery = {}): Promise<OpsEvent[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const equal = (column: string, value: string | undefined): void => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      args.push(value);
    };
    equal('agv_id', q.agvId);
    equal('task_id', q.taskId);
    equal('kind', q.type);
    if (q.severity) {
      const atLeast = SEVERITIES.slice(SEVERITIES.indexOf(q.severity));
      where.push(`severity IN (${atLeast.map(() => '?').join(',')})`);
      args.push(...atLeast);
    }
    if (q.since !== undefined) {
      where.push('at >= ?');
      args.push(q.since);
    }
    const limit = Math.min(Math.max(1, q.limit ?? 100), MAX_LIMIT);
    const sql = `SELECT * FROM ops_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as EventRow[]).map((r) => ({
      id: r.id,
      at: r.at,
      type: r.kind,
      severity: r.severity,
      agvId: r.agv_id,
      taskId: r.task_id,
      message: r.message,
      data: r.data === null ? null : (JSON.parse(r.data) as unknown),
    }));
  }
}
