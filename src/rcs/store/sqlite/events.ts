import type { Database, Statement } from 'better-sqlite3';
import type { EventQuery, EventRecord, EventRepository, EventSeverity, NewEvent } from '../types.ts';
import { severitiesAtLeast } from '../severity.ts';
import { parseJson, toJson } from './rows.ts';
import { WriteBatch } from './write-batch.ts';

interface Row {
  id: number;
  at: number;
  agv_id: string | null;
  task_id: string | null;
  severity: EventSeverity;
  type: string;
  message: string;
  data: string;
}

function toEvent(r: Row): EventRecord {
  return { id: r.id, at: r.at, agvId: r.agv_id, taskId: r.task_id, severity: r.severity, type: r.type, message: r.message, data: parseJson(r.data) };
}

export class SqliteEventRepository implements EventRepository {
  private readonly insert: Statement;
  private readonly batch: WriteBatch<NewEvent, EventRecord>;

  constructor(private readonly db: Database) {
    this.batch = new WriteBatch(db, (e) => this.writeOne(e));
    this.insert = db.prepare(`
      INSERT INTO events (at, agv_id, task_id, severity, type, message, data)
      VALUES (@at, @agvId, @taskId, @severity, @type, @message, @data)`);
  }

  append(e: NewEvent): Promise<EventRecord> {
    return this.batch.write(e);
  }

  /** Stores every event queued so far. */
  flush(): void {
    this.batch.flush();
  }

  private writeOne(e: NewEvent): EventRecord {
    const row = { at: e.at, agvId: e.agvId ?? null, taskId: e.taskId ?? null, severity: e.severity, type: e.type, message: e.message, data: toJson(e.data) };
    const id = Number(this.insert.run(row).lastInsertRowid);
    return { id, at: e.at, agvId: row.agvId, taskId: row.taskId, severity: e.severity, type: e.type, message: e.message, data: e.data ?? null };
  }

  /** Severity filters by minimum level (warning → warning, error, critical). */
  async query(q: EventQuery = {}): Promise<EventRecord[]> {
    this.batch.flush();
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (q.agvId !== undefined) {
      where.push('agv_id = @agvId');
      params.agvId = q.agvId;
    }
    if (q.taskId !== undefined) {
      where.push('task_id = @taskId');
      params.taskId = q.taskId;
    }
    if (q.type !== undefined) {
      where.push('type = @type');
      params.type = q.type;
    }
    if (q.since !== undefined) {
      where.push('at >= @since');
      params.since = q.since;
    }
    if (q.severity !== undefined) {
      const levels = severitiesAtLeast(q.severity);
      where.push(`severity IN (${levels.map((l) => `'${l}'`).join(', ')})`);
    }
    params.limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), 1000);
    const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT @limit`;
    return this.db.prepare<[Record<string, unknown>], Row>(sql).all(params).map(toEvent);
  }
}
