// Repositories for the operations tables: alarms, dashboard users, their login sessions and health runs.

import type { Database, Statement } from 'better-sqlite3';
import { StoreConflictError } from '../errors.ts';
import * as opsRows from '../ops-rows.ts';
import type { AlarmQuery, AlarmRecord, AlarmRepository, HealthRunRecord, HealthRunRepository, NewAlarm, Role } from '../types.ts';
import type { LoginSessionRecord, LoginSessionRepository, UserRecord, UserRepository } from '../types.ts';
import { isUniqueViolation, parseJson } from './rows.ts';

export class SqliteAlarmRepository implements AlarmRepository {
  private readonly insertStmt: Statement;
  private readonly updateStmt: Statement<unknown[]>;
  private readonly byId: Statement<[number], opsRows.AlarmRow>;
  private readonly saveAll: (alarms: readonly AlarmRecord[]) => void;

  constructor(private readonly db: Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO alarms (dedup_key, source, code, severity, agv_id, task_id, message, state, occurrences, raised_at, last_seen_at)
      VALUES (@key, @source, @code, @severity, @agvId, @taskId, @message, 'raised', 1, @at, @at)`);
    this.updateStmt = db.prepare(`
      UPDATE alarms SET severity = ?, task_id = ?, message = ?, state = ?, occurrences = ?, last_seen_at = ?,
        acknowledged_at = ?, acknowledged_by = ?, cleared_at = ?
      WHERE id = ?`);
    this.byId = db.prepare('SELECT * FROM alarms WHERE id = ?');
    // One transaction for many: a tick that clears 500 alarms costs one commit, not 500.
    this.saveAll = db.transaction((alarms: readonly AlarmRecord[]) => {
      for (const a of alarms) this.updateStmt.run(...opsRows.alarmUpdateValues(a));
    });
  }

  async open(): Promise<AlarmRecord[]> {
    return this.db.prepare<[], opsRows.AlarmRow>(`SELECT * FROM alarms WHERE state <> 'cleared' ORDER BY id`).all().map(opsRows.toAlarm);
  }

  async insert(alarm: NewAlarm, at: number): Promise<AlarmRecord> {
    try {
      const { key, source, code, severity, agvId, taskId, message } = alarm;
      const id = Number(this.insertStmt.run({ key, source, code, severity, agvId, taskId, message, at }).lastInsertRowid);
      return opsRows.toAlarm(this.byId.get(id)!);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreConflictError(`an alarm with key '${alarm.key}' is already open`);
      throw err;
    }
  }

  async save(alarms: readonly AlarmRecord[]): Promise<void> {
    if (alarms.length > 0) this.saveAll(alarms);
  }

  async get(id: number): Promise<AlarmRecord | undefined> {
    const row = this.byId.get(id);
    return row ? opsRows.toAlarm(row) : undefined;
  }

  async query(q: AlarmQuery): Promise<AlarmRecord[]> {
    const args: unknown[] = [];
    const where = opsRows.alarmWhere(q, (value) => (args.push(value), '?'));
    const sql = `SELECT * FROM alarms ${where} ORDER BY id DESC LIMIT ${opsRows.alarmLimit(q.limit)}`;
    return this.db.prepare<unknown[], opsRows.AlarmRow>(sql).all(...args).map(opsRows.toAlarm);
  }
}

export class SqliteUserRepository implements UserRepository {
  constructor(private readonly db: Database) {}

  async create(u: UserRecord): Promise<void> {
    try {
      this.db.prepare('INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)').run(u.username, u.role, u.passwordHash, u.createdAt);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreConflictError(`user '${u.username}' already exists`);
      throw err;
    }
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const row = this.db.prepare<[string], opsRows.UserRow>('SELECT * FROM users WHERE username = ?').get(username);
    return row ? opsRows.toUser(row) : undefined;
  }

  async list(): Promise<UserRecord[]> {
    return this.db.prepare<[], opsRows.UserRow>('SELECT * FROM users ORDER BY username').all().map(opsRows.toUser);
  }

  async setRole(username: string, role: Role): Promise<boolean> {
    return this.db.prepare('UPDATE users SET role = ? WHERE username = ?').run(role, username).changes > 0;
  }

  async delete(username: string): Promise<boolean> {
    // Login sessions go with it (ON DELETE CASCADE).
    return this.db.prepare('DELETE FROM users WHERE username = ?').run(username).changes > 0;
  }
}

export class SqliteLoginSessionRepository implements LoginSessionRepository {
  constructor(private readonly db: Database) {}

  async create(s: LoginSessionRecord): Promise<void> {
    this.db.prepare('INSERT INTO login_sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)').run(s.tokenHash, s.username, s.createdAt, s.expiresAt);
  }

  async get(tokenHash: string): Promise<LoginSessionRecord | undefined> {
    const row = this.db.prepare<[string], opsRows.LoginSessionRow>('SELECT * FROM login_sessions WHERE token_hash = ?').get(tokenHash);
    return row ? opsRows.toLoginSession(row) : undefined;
  }

  async delete(tokenHash: string): Promise<void> {
    this.db.prepare('DELETE FROM login_sessions WHERE token_hash = ?').run(tokenHash);
  }

  async deleteExpired(now: number): Promise<number> {
    return this.db.prepare('DELETE FROM login_sessions WHERE expires_at < ?').run(now).changes;
  }
}

type StoredHealthRun = opsRows.HealthRunRow & { findings: string };

export class SqliteHealthRunRepository implements HealthRunRepository {
  constructor(private readonly db: Database) {}

  async insert(run: Omit<HealthRunRecord, 'id'>): Promise<HealthRunRecord> {
    const info = this.db
      .prepare('INSERT INTO health_runs (started_at, finished_at, trigger, score, checks_run, findings) VALUES (?, ?, ?, ?, ?, ?)')
      .run(run.startedAt, run.finishedAt, run.trigger, run.score, run.checksRun, JSON.stringify(run.findings));
    return { id: Number(info.lastInsertRowid), ...run };
  }

  async get(id: number): Promise<HealthRunRecord | undefined> {
    const row = this.db.prepare<[number], StoredHealthRun>('SELECT * FROM health_runs WHERE id = ?').get(id);
    return row ? fromStored(row) : undefined;
  }

  async list(limit: number): Promise<HealthRunRecord[]> {
    return this.db.prepare<[number], StoredHealthRun>('SELECT * FROM health_runs ORDER BY id DESC LIMIT ?').all(opsRows.healthRunLimit(limit)).map(fromStored);
  }
}

const fromStored = (row: StoredHealthRun): HealthRunRecord => opsRows.toHealthRun(row, (parseJson(row.findings) as unknown[] | null) ?? []);
