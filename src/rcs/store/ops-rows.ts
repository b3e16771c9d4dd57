// Row shapes, mapping and query building shared by the SQLite and PostgreSQL repositories of the operations tables
// (alarms, dashboard users, login sessions, health runs), as task-rows.ts is for tasks.

import { severitiesAtLeast } from './severity.ts';
import type { AlarmQuery, AlarmRecord, HealthRunRecord, LoginSessionRecord, Role, UserRecord } from './types.ts';

export interface AlarmRow {
  id: number;
  dedup_key: string;
  source: AlarmRecord['source'];
  code: string;
  severity: AlarmRecord['severity'];
  agv_id: string | null;
  task_id: string | null;
  message: string;
  state: AlarmRecord['state'];
  occurrences: number;
  raised_at: number;
  last_seen_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  cleared_at: number | null;
}

export const toAlarm = (r: AlarmRow): AlarmRecord => ({
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
});

/** The changeable fields of an alarm in the order of ALARM_UPDATE's placeholders 1..9 (the id is the 10th). */
export const alarmUpdateValues = (a: AlarmRecord): unknown[] => [
  a.severity, a.taskId, a.message, a.state, a.occurrences, a.lastSeenAt, a.acknowledgedAt, a.acknowledgedBy, a.clearedAt, a.id,
];

/** WHERE clause of an alarm query; `param` adds a value and returns its placeholder ('?' or '$n'). */
export function alarmWhere(q: AlarmQuery, param: (value: unknown) => string): string {
  const where: string[] = [];
  if (q.state === 'open') where.push(`state <> 'cleared'`);
  else if (q.state !== undefined) where.push(`state = ${param(q.state)}`);
  if (q.severity !== undefined) where.push(`severity IN (${severitiesAtLeast(q.severity).map(param).join(', ')})`);
  if (q.agvId !== undefined) where.push(`agv_id = ${param(q.agvId)}`);
  if (q.code !== undefined) where.push(`code = ${param(q.code)}`);
  if (q.before !== undefined) where.push(`id < ${param(q.before)}`);
  return where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
}

export const alarmLimit = (limit: number | undefined): number => Math.min(Math.max(1, Math.trunc(limit ?? 200)), 1000);
export const healthRunLimit = (limit: number): number => Math.min(Math.max(1, Math.trunc(limit)), 500);

export interface UserRow {
  username: string;
  role: Role;
  password_hash: string;
  created_at: number;
}

export const toUser = (r: UserRow): UserRecord => ({ username: r.username, role: r.role, passwordHash: r.password_hash, createdAt: r.created_at });

export interface LoginSessionRow {
  token_hash: string;
  username: string;
  created_at: number;
  expires_at: number;
}

export const toLoginSession = (r: LoginSessionRow): LoginSessionRecord => ({
  tokenHash: r.token_hash,
  username: r.username,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export interface HealthRunRow {
  id: number;
  started_at: number;
  finished_at: number;
  trigger: HealthRunRecord['trigger'];
  score: number;
  checks_run: number;
}

export const toHealthRun = (r: HealthRunRow, findings: unknown[]): HealthRunRecord => ({
  id: r.id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  trigger: r.trigger,
  score: r.score,
  checksRun: r.checks_run,
  findings,
});
