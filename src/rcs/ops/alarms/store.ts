import type { Database, Statement } from 'better-sqlite3';
import { SEVERITIES } from '../ports.ts';
import type { Alarm, AlarmCondition, AlarmQuery } from './types.ts';

interface AlarmRow {
  id: number;
  dedup_key: string;
  source: Alarm['source'];
  code: string;
  severity: Alarm['severity'];
  agv_id: string | null;
  task_id: string | null;
  message: string;
  state: Alarm['state'];
  occurrences: number;
  raised_at: number;
  last_seen_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  cleared_at: number | null;
}

function fromRow(r: AlarmRow): Alarm {
  return {
    id: r.id,
    key: r.dedup_key,
    source: r.source,
    code: r.code,
    severity: r.severity,
    agvId: r.agv_id,
    taskId: r.task_id,
    message: r.message,
    state: r.state,
    occurrences: r.occurrences,
    raisedAt: r.raised_at,
    lastSeenAt: r.last_seen_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    clearedAt: r.cleared_at,
  };
}

const MAX_LIMIT = 1000;

/** SQLite persistence of alarms: open ones and their history. */
export class AlarmStore {
  private readonly insertStmt: Statement;
  private readonly updateStmt: Statement;
  private readonly byIdStmt: Statement;

  constructor(private readonly db: Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO ops_alarms (dedup_key, source, code, severity, agv_id, task_id, message, state, occurrences, raised_at, last_seen_at)
      VALUES (@key, @source, @code, @severity, @agvId, @taskId, @message, 'raised', 1, @at, @at)`);
    this.updateStmt = db.prepare(`
      UPDATE ops_alarms SET severity = @severity, task_id = @taskId, message = @message, state = @state,
        occurrences = @occurrences, last_seen_at = @lastSeenAt, acknowledged_at = @acknowledgedAt,
        acknowledged_by = @acknowledgedBy, cleared_at = @clearedAt
      WHERE id = @id`);
    this.byIdStmt = db.prepare('SELECT * FROM ops_alarms WHERE id = ?');
  }

  loadOpen(): Alarm[] {
    return (this.db.prepare("SELECT * FROM ops_alarms WHERE state != 'cleared'").all() as AlarmRow[]).map(fromRow);
  }

  insert(c: AlarmCondition, at: number): Alarm {
    const info = this.insertStmt.run({ ...c, at });
    return this.get(Number(info.lastInsertRowid))!;
  }

  save(a: Alarm): void {
    this.updateStmt.run(a);
  }

  /** Several saves in one transaction: a tick that clears 500 alarms costs one fsync, not 500. */
  saveAll(alarms: Alarm[]): void {
    if (alarms.length === 0) return;
    this.db.transaction(() => {
      for (const a of alarms) this.updateStmt.run(a);
    })();
  }

  get(id: number): Alarm | undefined {
    const row = this.byIdStmt.get(id) as AlarmRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  query(q: AlarmQuery): Alarm[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.state === 'open') where.push("state != 'cleared'");
    else if (q.state) {
      where.push('state = ?');
      args.push(q.state);
    }
    if (q.severity) {
      const atLeast = SEVERITIES.slice(SEVERITIES.indexOf(q.severity));
      where.push(`severity IN (${atLeast.map(() => '?').join(',')})`);
      args.push(...atLeast);
    }
    if (q.agvId) {
      where.push('agv_id = ?');
      args.push(q.agvId);
    }
    if (q.code) {
      where.push('code = ?');
      args.push(q.code);
    }
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    const limit = Math.min(Math.max(1, q.limit ?? 200), MAX_LIMIT);
    const sql = `SELECT * FROM ops_alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as AlarmRow[]).map(fromRow);
  }
}
