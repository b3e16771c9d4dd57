import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { eventMatches } from '../../webhooks/filter.ts';
import { toOutbox, type OutboxDbRow } from '../outbox-rows.ts';
import type { OutboxRepository, OutboxRow, OutboxStatus } from '../types.ts';

/** The webhook envelope every subscriber receives; `id` is shared by all copies of one event so receivers can dedupe. */
export function webhookBody(eventId: string, type: string, payload: unknown, at: number): string {
  return JSON.stringify({ id: eventId, type, createdAt: new Date(at).toISOString(), data: payload ?? null });
}

/**
 * Returns a function that writes one outbox row per matching subscription. It must run inside the caller's
 * transaction so the event is enqueued exactly when the change it reports is committed.
 */
export function fanOut(db: Database): (type: string, payload: unknown, at: number) => number {
  const subs = db.prepare<[], { id: string; events: string }>('SELECT id, events FROM webhook_subscriptions');
  const insert = db.prepare(`
    INSERT INTO webhook_outbox (subscription_id, event_id, event_type, body, next_attempt_at, created_at)
    VALUES (?, ?, ?, ?, ?, ?)`);
  return (type, payload, at) => {
    const matching = subs.all().filter((s) => eventMatches(JSON.parse(s.events) as string[], type));
    if (matching.length === 0) return 0;
    const eventId = `evt_${randomUUID()}`;
    const body = webhookBody(eventId, type, payload, at);
    for (const s of matching) insert.run(s.id, eventId, type, body, at, at);
    return matching.length;
  };
}

const SELECT = `SELECT o.*, s.url, s.secret FROM webhook_outbox o JOIN webhook_subscriptions s ON s.id = o.subscription_id`;

export class SqliteOutboxRepository implements OutboxRepository {
  private readonly fan: (type: string, payload: unknown, at: number) => number;
  private readonly enqueueTx: (type: string, payload: unknown, at: number) => number;
  private readonly dueStmt: Statement<[number, number], OutboxDbRow>;
  private readonly nextStmt: Statement<[], { at: number | null }>;
  private readonly getStmt: Statement<[number], OutboxDbRow>;
  private readonly delivered: Statement;
  private readonly retry: Statement;
  private readonly dead: Statement;
  private readonly pruneStmt: Statement<[number]>;

  constructor(private readonly db: Database) {
    this.fan = fanOut(db);
    this.enqueueTx = db.transaction((type: string, payload: unknown, at: number) => this.fan(type, payload, at));
    this.dueStmt = db.prepare(`${SELECT} WHERE o.status = 'pending' AND o.next_attempt_at <= ? ORDER BY o.next_attempt_at, o.id LIMIT ?`);
    this.nextStmt = db.prepare(`SELECT MIN(next_attempt_at) AS at FROM webhook_outbox WHERE status = 'pending'`);
    this.getStmt = db.prepare(`${SELECT} WHERE o.id = ?`);
    this.delivered = db.prepare(`UPDATE webhook_outbox SET status = 'delivered', attempts = ?, last_error = NULL WHERE id = ?`);
    this.retry = db.prepare(`UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'pending'`);
    this.dead = db.prepare(`UPDATE webhook_outbox SET status = 'dead', attempts = ?, last_error = ? WHERE id = ?`);
    this.pruneStmt = db.prepare(`DELETE FROM webhook_outbox WHERE status IN ('delivered', 'dead') AND created_at < ?`);
  }

  async enqueue(eventType: string, payload: unknown, at: number): Promise<number> {
    return this.enqueueTx(eventType, payload, at);
  }

  async due(now: number, limit: number): Promise<OutboxRow[]> {
    return this.dueStmt.all(now, limit).map(toOutbox);
  }

  async nextDueAt(): Promise<number | null> {
    return this.nextStmt.get()?.at ?? null;
  }

  async markDelivered(id: number, attempts: number): Promise<void> {
    this.delivered.run(attempts, id);
  }

  async reschedule(id: number, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    this.retry.run(attempts, nextAttemptAt, error, id);
  }

  async markDead(id: number, attempts: number, error: string): Promise<void> {
    this.dead.run(attempts, error, id);
  }

  async prune(before: number): Promise<number> {
    return this.pruneStmt.run(before).changes;
  }

  async get(id: number): Promise<OutboxRow | undefined> {
    const row = this.getStmt.get(id);
    return row ? toOutbox(row) : undefined;
  }

  async list(filter: { status?: OutboxStatus; subscriptionId?: string } = {}): Promise<OutboxRow[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.status) {
      where.push('o.status = @status');
      params.status = filter.status;
    }
    if (filter.subscriptionId) {
      where.push('o.subscription_id = @sub');
      params.sub = filter.subscriptionId;
    }
    const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY o.id`;
    return this.db.prepare<[Record<string, unknown>], OutboxDbRow>(sql).all(params).map(toOutbox);
  }
}
