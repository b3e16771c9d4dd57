// PostgreSQL repositories for the registry, outbox, event log, subscriptions, API keys and settings.

import type pg from 'pg';
import type {
  AgvAdmission,
  AgvEnrolment,
  AgvRecord,
  AgvRepository,
  AgvSighting,
  ApiKeyRecord,
  ApiKeyRepository,
  EventQuery,
  EventRecord,
  EventRepository,
  NewEvent,
  OutboxRepository,
  OutboxRow,
  OutboxStatus,
  SettingsRepository,
  WebhookRepository,
  WebhookSubscription,
} from '../types.ts';
import { toOutbox, type OutboxDbRow } from '../outbox-rows.ts';
import { severitiesAtLeast } from '../severity.ts';
import { inTransaction } from './db.ts';
import { fanOutPg } from './tasks.ts';

interface AgvRow {
  id: string;
  vendor: string;
  model: string;
  serial: string;
  type: string;
  capabilities: unknown;
  public_key_hex: string | null;
  secret_verifier_hex: string | null;
  mode: 'normal' | 'secure';
  first_seen: number | null;
  last_seen: number | null;
  last_node: string | null;
  admission: AgvAdmission;
  in_service: boolean;
}

const toAgv = (r: AgvRow): AgvRecord => ({
  id: r.id,
  vendor: r.vendor,
  model: r.model,
  serial: r.serial,
  type: r.type,
  capabilities: r.capabilities,
  publicKeyHex: r.public_key_hex,
  secretVerifierHex: r.secret_verifier_hex,
  mode: r.mode,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
  lastNode: r.last_node,
  admission: r.admission,
  inService: r.in_service,
});

export class PgAgvRepository implements AgvRepository {
  constructor(private readonly pool: pg.Pool) {}

  async enrol(input: AgvEnrolment): Promise<AgvRecord> {
    const { rows } = await this.pool.query<AgvRow>(
      `INSERT INTO agvs (id, vendor, model, serial, type, public_key_hex, secret_verifier_hex, admission)
       VALUES ($1, COALESCE($2, ''), COALESCE($3, ''), COALESCE($4, ''), COALESCE($5, ''), $6, $8, 'approved')
       ON CONFLICT (id) DO UPDATE SET admission = 'approved',
         vendor = COALESCE($2, agvs.vendor), model = COALESCE($3, agvs.model), serial = COALESCE($4, agvs.serial),
         type = COALESCE($5, agvs.type), public_key_hex = CASE WHEN $7 THEN $6 ELSE agvs.public_key_hex END,
         secret_verifier_hex = CASE WHEN $9 THEN $8 ELSE agvs.secret_verifier_hex END
       RETURNING *`,
      [input.id, input.vendor ?? null, input.model ?? null, input.serial ?? null, input.type ?? null, input.publicKeyHex ?? null, input.publicKeyHex !== undefined,
        input.secretVerifierHex ?? null, input.secretVerifierHex !== undefined],
    );
    return toAgv(rows[0]!);
  }

  async get(id: string): Promise<AgvRecord | undefined> {
    const { rows } = await this.pool.query<AgvRow>('SELECT * FROM agvs WHERE id = $1', [id]);
    return rows[0] ? toAgv(rows[0]) : undefined;
  }

  async list(): Promise<AgvRecord[]> {
    const { rows } = await this.pool.query<AgvRow>('SELECT * FROM agvs ORDER BY id COLLATE "C"');
    return rows.map(toAgv);
  }

  async setAdmission(id: string, admission: AgvAdmission): Promise<AgvRecord | undefined> {
    const { rows } = await this.pool.query<AgvRow>('UPDATE agvs SET admission = $2 WHERE id = $1 RETURNING *', [id, admission]);
    return rows[0] ? toAgv(rows[0]) : undefined;
  }

  async setInService(id: string, inService: boolean): Promise<AgvRecord | undefined> {
    const { rows } = await this.pool.query<AgvRow>('UPDATE agvs SET in_service = $2 WHERE id = $1 RETURNING *', [id, inService]);
    return rows[0] ? toAgv(rows[0]) : undefined;
  }

  async upsertSeen(s: AgvSighting): Promise<AgvRecord> {
    const { rows } = await this.pool.query<AgvRow>(
      `INSERT INTO agvs (id, vendor, model, serial, type, capabilities, mode, first_seen, last_seen, last_node, admission)
       VALUES ($1, COALESCE($2, ''), COALESCE($3, ''), COALESCE($4, ''), COALESCE($5, ''), COALESCE($6::jsonb, 'null'),
               COALESCE($7, 'normal'), $8, $8, $9, COALESCE($11, 'approved'))
       ON CONFLICT (id) DO UPDATE SET
         vendor = COALESCE($2, agvs.vendor), model = COALESCE($3, agvs.model), serial = COALESCE($4, agvs.serial),
         type = COALESCE($5, agvs.type), capabilities = COALESCE($6::jsonb, agvs.capabilities), mode = COALESCE($7, agvs.mode),
         first_seen = COALESCE(agvs.first_seen, $8), last_seen = GREATEST(COALESCE(agvs.last_seen, 0), $8),
         last_node = CASE WHEN $10 THEN $9 ELSE agvs.last_node END
       RETURNING *`,
      [s.id, s.vendor ?? null, s.model ?? null, s.serial ?? null, s.type ?? null,
        s.capabilities === undefined ? null : JSON.stringify(s.capabilities ?? null), s.mode ?? null, s.at, s.lastNode ?? null, s.lastNode !== undefined, s.admission ?? null],
    );
    return toAgv(rows[0]!);
  }
}

const OUTBOX_SELECT = `SELECT o.*, s.url, s.secret FROM webhook_outbox o JOIN webhook_subscriptions s ON s.id = o.subscription_id`;

export class PgOutboxRepository implements OutboxRepository {
  /**
   * @param claimMs With several platform instances delivering from one database, `due` claims the rows it returns
   * by pushing their next attempt this far out (FOR UPDATE SKIP LOCKED), so no two instances post the same row at once.
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly claimMs = 60_000,
  ) {}

  enqueue(eventType: string, payload: unknown, at: number): Promise<number> {
    return inTransaction(this.pool, (db) => fanOutPg(db, eventType, payload, at));
  }

  async due(now: number, limit: number): Promise<OutboxRow[]> {
    const { rows } = await this.pool.query<{ id: number }>(
      `UPDATE webhook_outbox SET next_attempt_at = $2
       WHERE id IN (SELECT id FROM webhook_outbox WHERE status = 'pending' AND next_attempt_at <= $1
                    ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [now, now + this.claimMs, limit],
    );
    if (rows.length === 0) return [];
    const claimed = await this.pool.query<OutboxDbRow>(`${OUTBOX_SELECT} WHERE o.id = ANY($1) ORDER BY o.id`, [rows.map((r) => r.id)]);
    return claimed.rows.map(toOutbox);
  }

  async nextDueAt(): Promise<number | null> {
    const { rows } = await this.pool.query<{ at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM webhook_outbox WHERE status = 'pending'`);
    return rows[0]?.at ?? null;
  }

  async markDelivered(id: number, attempts: number): Promise<void> {
    await this.pool.query(`UPDATE webhook_outbox SET status = 'delivered', attempts = $2, last_error = NULL WHERE id = $1`, [id, attempts]);
  }

  async reschedule(id: number, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE webhook_outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1 AND status = 'pending'`,
      [id, attempts, nextAttemptAt, error],
    );
  }

  async markDead(id: number, attempts: number, error: string): Promise<void> {
    await this.pool.query(`UPDATE webhook_outbox SET status = 'dead', attempts = $2, last_error = $3 WHERE id = $1`, [id, attempts, error]);
  }

  async get(id: number): Promise<OutboxRow | undefined> {
    const { rows } = await this.pool.query<OutboxDbRow>(`${OUTBOX_SELECT} WHERE o.id = $1`, [id]);
    return rows[0] ? toOutbox(rows[0]) : undefined;
  }

  async list(filter: { status?: OutboxStatus; subscriptionId?: string } = {}): Promise<OutboxRow[]> {
    const { rows } = await this.pool.query<OutboxDbRow>(
      `${OUTBOX_SELECT} WHERE ($1::text IS NULL OR o.status = $1) AND ($2::text IS NULL OR o.subscription_id = $2) ORDER BY o.id`,
      [filter.status ?? null, filter.subscriptionId ?? null],
    );
    return rows.map(toOutbox);
  }

  async prune(before: number): Promise<number> {
    const result = await this.pool.query(`DELETE FROM webhook_outbox WHERE status IN ('delivered', 'dead') AND created_at < $1`, [before]);
    return result.rowCount ?? 0;
  }
}

interface EventRow {
  id: number;
  at: number;
  agv_id: string | null;
  task_id: string | null;
  severity: EventRecord['severity'];
  type: string;
  message: string;
  data: unknown;
}

export class PgEventRepository implements EventRepository {
  constructor(private readonly pool: pg.Pool) {}

  async append(e: NewEvent): Promise<EventRecord> {
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO events (at, agv_id, task_id, severity, type, message, data) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING id`,
      [e.at, e.agvId ?? null, e.taskId ?? null, e.severity, e.type, e.message, JSON.stringify(e.data ?? null)],
    );
    return { id: rows[0]!.id, at: e.at, agvId: e.agvId ?? null, taskId: e.taskId ?? null, severity: e.severity, type: e.type, message: e.message, data: e.data ?? null };
  }

  async query(q: EventQuery = {}): Promise<EventRecord[]> {
    const levels = severitiesAtLeast(q.severity);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT * FROM events
       WHERE ($1::text IS NULL OR agv_id = $1) AND ($2::text IS NULL OR task_id = $2) AND ($3::text IS NULL OR type = $3)
         AND ($4::bigint IS NULL OR at >= $4) AND severity = ANY($5)
       ORDER BY at DESC, id DESC LIMIT $6`,
      [q.agvId ?? null, q.taskId ?? null, q.type ?? null, q.since ?? null, levels, Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), 1000)],
    );
    return rows.map((r) => ({ id: r.id, at: r.at, agvId: r.agv_id, taskId: r.task_id, severity: r.severity, type: r.type, message: r.message, data: r.data }));
  }
}

export class PgWebhookRepository implements WebhookRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(sub: WebhookSubscription): Promise<WebhookSubscription> {
    await this.pool.query('INSERT INTO webhook_subscriptions (id, url, secret, events, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)', [
      sub.id, sub.url, sub.secret, JSON.stringify(sub.events), sub.createdAt,
    ]);
    return sub;
  }

  async get(id: string): Promise<WebhookSubscription | undefined> {
    return (await this.select('WHERE id = $1', [id]))[0];
  }

  list(): Promise<WebhookSubscription[]> {
    return this.select('ORDER BY created_at, id', []);
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM webhook_subscriptions WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  private async select(rest: string, params: unknown[]): Promise<WebhookSubscription[]> {
    const { rows } = await this.pool.query<{ id: string; url: string; secret: string; events: string[]; created_at: number }>(
      `SELECT * FROM webhook_subscriptions ${rest}`,
      params,
    );
    return rows.map((r) => ({ id: r.id, url: r.url, secret: r.secret, events: r.events, createdAt: r.created_at }));
  }
}

export class PgApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(k: ApiKeyRecord): Promise<void> {
    await this.pool.query('INSERT INTO api_keys (id, name, role, hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      k.id, k.name, k.role, k.hash, k.createdAt, k.revokedAt,
    ]);
  }

  async byId(id: string): Promise<ApiKeyRecord | undefined> {
    return (await this.select('WHERE id = $1', [id]))[0];
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.select('ORDER BY created_at, id', []);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return ((await this.pool.query('UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, at])).rowCount ?? 0) > 0;
  }

  private async select(rest: string, params: unknown[]): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query<{ id: string; name: string; role: ApiKeyRecord['role']; hash: string; created_at: number; revoked_at: number | null }>(
      `SELECT * FROM api_keys ${rest}`,
      params,
    );
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, hash: r.hash, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }
}

export class PgSettingsRepository implements SettingsRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await this.get(key))!;
  }
}
