// PostgreSQL repositories for the operations tables: alarms, dashboard users, their login sessions and health runs.

import type pg from 'pg';
import * as opsRows from '../ops-rows.ts';
import type { AlarmQuery, AlarmRecord, AlarmRepository, HealthRunRecord, HealthRunRepository, NewAlarm, Role } from '../types.ts';
import type { LoginSessionRecord, LoginSessionRepository, UserRecord, UserRepository } from '../types.ts';
import { conflictOnUnique, inTransaction } from './db.ts';

const ALARM_UPDATE = `
  UPDATE alarms SET severity = $1, task_id = $2, message = $3, state = $4, occurrences = $5, last_seen_at = $6,
    acknowledged_at = $7, acknowledged_by = $8, cleared_at = $9
  WHERE id = $10`;

export class PgAlarmRepository implements AlarmRepository {
  constructor(private readonly pool: pg.Pool) {}

  async open(): Promise<AlarmRecord[]> {
    const { rows } = await this.pool.query<opsRows.AlarmRow>(`SELECT * FROM alarms WHERE state <> 'cleared' ORDER BY id`);
    return rows.map(opsRows.toAlarm);
  }

  async insert(a: NewAlarm, at: number): Promise<AlarmRecord> {
    const { rows } = await this.pool
      .query<opsRows.AlarmRow>(
        `INSERT INTO alarms (dedup_key, source, code, severity, agv_id, task_id, message, state, occurrences, raised_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'raised', 1, $8, $8) RETURNING *`,
        [a.key, a.source, a.code, a.severity, a.agvId, a.taskId, a.message, at],
      )
      .catch(conflictOnUnique<pg.QueryResult<opsRows.AlarmRow>>(`an alarm with key '${a.key}' is already open`));
    return opsRows.toAlarm(rows[0]!);
  }

  async save(alarms: readonly AlarmRecord[]): Promise<void> {
    if (alarms.length === 0) return;
    await inTransaction(this.pool, async (db) => {
      for (const a of alarms) await db.query(ALARM_UPDATE, opsRows.alarmUpdateValues(a));
    });
  }

  async get(id: number): Promise<AlarmRecord | undefined> {
    const { rows } = await this.pool.query<opsRows.AlarmRow>('SELECT * FROM alarms WHERE id = $1', [id]);
    return rows[0] ? opsRows.toAlarm(rows[0]) : undefined;
  }

  async query(q: AlarmQuery): Promise<AlarmRecord[]> {
    const params: unknown[] = [];
    const where = opsRows.alarmWhere(q, (value) => `$${params.push(value)}`);
    const { rows } = await this.pool.query<opsRows.AlarmRow>(`SELECT * FROM alarms ${where} ORDER BY id DESC LIMIT ${opsRows.alarmLimit(q.limit)}`, params);
    return rows.map(opsRows.toAlarm);
  }
}

export class PgUserRepository implements UserRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(u: UserRecord): Promise<void> {
    await this.pool
      .query('INSERT INTO users (username, role, password_hash, created_at) VALUES ($1, $2, $3, $4)', [u.username, u.role, u.passwordHash, u.createdAt])
      .catch(conflictOnUnique(`user '${u.username}' already exists`));
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const { rows } = await this.pool.query<opsRows.UserRow>('SELECT * FROM users WHERE username = $1', [username]);
    return rows[0] ? opsRows.toUser(rows[0]) : undefined;
  }

  async list(): Promise<UserRecord[]> {
    const { rows } = await this.pool.query<opsRows.UserRow>('SELECT * FROM users ORDER BY username COLLATE "C"');
    return rows.map(opsRows.toUser);
  }

  async setRole(username: string, role: Role): Promise<boolean> {
    return ((await this.pool.query('UPDATE users SET role = $2 WHERE username = $1', [username, role])).rowCount ?? 0) > 0;
  }

  async delete(username: string): Promise<boolean> {
    // Login sessions go with it (ON DELETE CASCADE).
    return ((await this.pool.query('DELETE FROM users WHERE username = $1', [username])).rowCount ?? 0) > 0;
  }
}

export class PgLoginSessionRepository implements LoginSessionRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(s: LoginSessionRecord): Promise<void> {
    await this.pool.query('INSERT INTO login_sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
      s.tokenHash, s.username, s.createdAt, s.expiresAt,
    ]);
  }

  async get(tokenHash: string): Promise<LoginSessionRecord | undefined> {
    const { rows } = await this.pool.query<opsRows.LoginSessionRow>('SELECT * FROM login_sessions WHERE token_hash = $1', [tokenHash]);
    return rows[0] ? opsRows.toLoginSession(rows[0]) : undefined;
  }

  async delete(tokenHash: string): Promise<void> {
    await this.pool.query('DELETE FROM login_sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteExpired(now: number): Promise<number> {
    return (await this.pool.query('DELETE FROM login_sessions WHERE expires_at < $1', [now])).rowCount ?? 0;
  }
}

type StoredHealthRun = opsRows.HealthRunRow & { findings: unknown[] };

export class PgHealthRunRepository implements HealthRunRepository {
  constructor(private readonly pool: pg.Pool) {}

  async insert(run: Omit<HealthRunRecord, 'id'>): Promise<HealthRunRecord> {
    const { rows } = await this.pool.query<{ id: number }>(
      'INSERT INTO health_runs (started_at, finished_at, trigger, score, checks_run, findings) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id',
      [run.startedAt, run.finishedAt, run.trigger, run.score, run.checksRun, JSON.stringify(run.findings)],
    );
    return { id: rows[0]!.id, ...run };
  }

  async get(id: number): Promise<HealthRunRecord | undefined> {
    const { rows } = await this.pool.query<StoredHealthRun>('SELECT * FROM health_runs WHERE id = $1', [id]);
    return rows[0] ? opsRows.toHealthRun(rows[0], rows[0].findings) : undefined;
  }

  async list(limit: number): Promise<HealthRunRecord[]> {
    const { rows } = await this.pool.query<StoredHealthRun>('SELECT * FROM health_runs ORDER BY id DESC LIMIT $1', [opsRows.healthRunLimit(limit)]);
    return rows.map((r) => opsRows.toHealthRun(r, r.findings));
  }
}
