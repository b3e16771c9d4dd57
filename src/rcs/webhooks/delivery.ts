// Delivers the webhook outbox: posts each due row, retries failures with exponential backoff and jitter, and marks a
// row dead after maxAttempts. State lives in the store, so deliveries resume after a restart.

import type { Clock } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { OutboxRepository, OutboxRow } from '../store/types.ts';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from './signature.ts';

export interface DeliveryOptions {
  outbox: OutboxRepository;
  clock: Clock;
  /** Attempts before a row is marked dead; default 8. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt up to maxDelayMs. Default 2 s, max 10 min. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-request timeout; default 5 s. */
  timeoutMs?: number;
  /** How often to look for due rows when idle (other processes may enqueue); default 1 s. */
  pollMs?: number;
  /** Subscribers served at once (each gets one request at a time); default 8. */
  concurrency?: number;
  random?: () => number;
  /** Delivered and dead rows are deleted after this long; default 7 days. */
  retentionMs?: number;
  onDeadLetter?: (row: OutboxRow, error: string) => void;
  /** Failed attempts (with webhook id and URL), dead rows and store errors. */
  logger?: Logger;
}

export interface DeliveryResult {
  delivered: number;
  retried: number;
  dead: number;
}

export class WebhookDelivery {
  private readonly outbox: OutboxRepository;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly random: () => number;
  private readonly retentionMs: number;
  private lastPruneAt = -Infinity;
  private readonly onDeadLetter: (row: OutboxRow, error: string) => void;
  private readonly logger: Logger;
  private running = false;
  private cancelTimer: (() => void) | undefined;
  private inFlight: Promise<DeliveryResult> | undefined;

  constructor(options: DeliveryOptions) {
    this.outbox = options.outbox;
    this.clock = options.clock;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 2_000;
    this.maxDelayMs = options.maxDelayMs ?? 600_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.concurrency = options.concurrency ?? 8;
    this.random = options.random ?? Math.random;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.onDeadLetter = options.onDeadLetter ?? (() => {});
    this.logger = options.logger ?? silentLogger();
  }

  /** Delay before the next attempt after `attempts` failed ones: exponential, with "equal jitter" (50–100 %). */
  backoffMs(attempts: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.inFlight;
  }

  /** Deliver promptly (e.g. right after a task change) instead of waiting for the next poll. */
  kick(): void {
    if (this.running) this.schedule(0);
  }

  /** Delivers every row due now, once each. Safe to call directly (tests use it with a ManualClock). */
  runOnce(): Promise<DeliveryResult> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.drain().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private schedule(delayMs: number): void {
    this.cancelTimer?.();
    this.cancelTimer = this.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      void this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    try {
      await this.runOnce();
      if (this.clock.now() - this.lastPruneAt >= 3600_000) {
        this.lastPruneAt = this.clock.now();
        await this.outbox.prune(this.clock.now() - this.retentionMs);
      }
    } catch (err) {
      // A store error must not stop delivery for good; the next tick tries again.
      this.logger.error({ err }, 'webhook delivery: outbox not readable');
    }
    if (!this.running) return;
    const next = await this.outbox.nextDueAt().catch((err: unknown) => {
      this.logger.error({ err }, 'webhook delivery: outbox not readable');
      return null;
    });
    const wait = next === null ? this.pollMs : Math.min(this.pollMs, Math.max(0, next - this.clock.now()));
    this.schedule(wait);
  }

  private async drain(): Promise<DeliveryResult> {
    const result: DeliveryResult = { delivered: 0, retried: 0, dead: 0 };
    const rows = await this.outbox.due(this.clock.now(), 500);
    // One request at a time per subscriber keeps its events in order when all goes well (a retried one can still
    // arrive late); different subscribers are served in parallel so a slow one does not hold up the others.
    const bySubscriber = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const queue = bySubscriber.get(row.subscriptionId);
      if (queue) queue.push(row);
      else bySubscriber.set(row.subscriptionId, [row]);
    }
    const queues = [...bySubscriber.values()];
    let next = 0;
    const worker = async () => {
      while (next < queues.length) {
        for (const row of queues[next++]!) result[await this.deliver(row)]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queues.length) }, worker));
    return result;
  }

  private async deliver(row: OutboxRow): Promise<keyof DeliveryResult> {
    const attempts = row.attempts + 1;
    const error = await this.post(row);
    if (error === undefined) {
      await this.outbox.markDelivered(row.id, attempts);
      return 'delivered';
    }
    const about = { webhookId: row.subscriptionId, url: row.url, eventId: row.eventId, eventType: row.eventType, attempts, error };
    if (attempts >= this.maxAttempts) {
      this.logger.error(about, 'webhook not delivered; given up');
      await this.outbox.markDead(row.id, attempts, error);
      this.onDeadLetter(row, error);
      return 'dead';
    }
    this.logger.warn(about, 'webhook not delivered; will retry');
    await this.outbox.reschedule(row.id, attempts, this.clock.now() + this.backoffMs(attempts), error);
    return 'retried';
  }

  /** Returns undefined on a 2xx answer, else a short description of what went wrong. */
  private async post(row: OutboxRow): Promise<string | undefined> {
    const timestamp = Math.floor(this.clock.now() / 1000);
    try {
      const response = await fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'UniFleet-Webhooks/1',
          [EVENT_HEADER]: row.eventType,
          [DELIVERY_HEADER]: row.eventId,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: sign(row.secret, timestamp, row.body),
        },
        body: row.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body?.cancel().catch(() => {});
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (err) {
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      return cause.slice(0, 500);
    }
  }
}
