// Admission of secure handshakes (secure access → key exchange confirmed), as bookkeeping over a clock: at most
// `maxHandshakes` in flight; the rest wait, each source in its own FIFO and the sources served in turn, for at most
// `maxWaitMs`; whoever cannot get a slot in time is refused as busy with a hint of when to come back.
//
// Why: a fleet reconnecting at once (a platform restart, a Wi-Fi outage) otherwise starts every key exchange at
// the same moment. Each costs SM2 work on both ends; the event loop falls behind, handshakes overrun the access
// deadline, AGVs retry at once and add more. Bounding the handshakes in flight keeps each one fast; the queue and
// the busy answer turn the storm into a line.
//
// Fairness: a source (one IP address; a whole fleet behind NAT is one) is served round-robin with the others, so
// a hostile source that fills its FIFO or holds slots cannot starve another source; when the queue is full, the
// source with the most waiters gives up its newest. A slot holder must finish within `handshakeTimeoutMs` or its
// connection is closed. The retry hint is the time the line takes to clear at the rate handshakes finished lately,
// so a crowd refused together is told to come back when there is room, not at once. Per-source key-exchange budgets (source-limits.ts) still apply: a waiter is admitted only
// when its source has a key-exchange start left, so a source over its rate waits in line instead of being refused
// and retrying.
import type { Clock } from '../../core/index.ts';

export interface HandshakeAdmissionSettings {
  /** Secure handshakes in flight at once (from accessResponse to the key exchange's confirmation). */
  maxHandshakes: number;
  /** Handshakes waiting for a slot, all sources together. */
  maxQueued: number;
  /** Longest wait for a slot before the AGV is told it is busy. */
  maxWaitMs: number;
  /** An admitted handshake not done after this long is ended (its connection closed), freeing the slot. */
  handshakeTimeoutMs: number;
}

/** Per-source key-exchange starts (the key-exchange bucket of source-limits.ts). */
export interface KeyExchangeBudget {
  /** Takes one start for `source` when it has one now. */
  take(source: string, now: number): boolean;
  /** Milliseconds until `source` has a start again (0: now). */
  waitMs(source: string, now: number): number;
}

export type BusyReason = 'queue_full' | 'wait_exceeded' | 'key_exchange_rate';

/** What the queue tells the connection that asked. */
export interface HandshakeRequest {
  /** A slot is this handshake's: accept access now. */
  admit(): void;
  /** No slot: answer busy; the AGV should come back after `retryAfterMs`. The request is over. */
  refuse(retryAfterMs: number, reason: BusyReason): void;
  /** The admitted handshake took longer than handshakeTimeoutMs: end the connection (and release). */
  expire(): void;
}

export interface HandshakeTicket {
  /** The handshake is done, failed or its connection closed: frees its slot or its place in line. Idempotent. */
  release(): void;
}

/** Bounds of the retry hint: soon enough to matter, never so far that a healthy platform waits on it. */
export const MIN_RETRY_AFTER_MS = 500;
export const MAX_RETRY_AFTER_MS = 30_000;
/** The throughput behind the hint is measured over this window, from at most RECENT_LIMIT completions. */
const THROUGHPUT_WINDOW_MS = 10_000;
const RECENT_LIMIT = 1_024;

interface Waiter {
  readonly source: string;
  readonly request: HandshakeRequest;
  readonly queuedAt: number;
  admittedAt?: number;
  state: 'waiting' | 'active' | 'over';
  cancelExpiry?: () => void;
}

export class HandshakeAdmission {
  private active = 0;
  private waiting = 0;
  /** Waiters per source in arrival order; the Map's order is the round-robin order (served sources go last). */
  private readonly lines = new Map<string, Waiter[]>();
  /** When recent handshakes finished (newest last, at most RECENT_LIMIT), for the throughput behind the retry hint. */
  private readonly finished: number[] = [];
  private everFinished = false;
  private firstFinishedAt = 0;
  private cancelWake: (() => void) | undefined;
  private pumping = false;
  private pumpAgain = false;

  constructor(
    private readonly settings: HandshakeAdmissionSettings,
    private readonly clock: Clock,
    private readonly budget: KeyExchangeBudget,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting;
  }

  request(source: string, request: HandshakeRequest): HandshakeTicket {
    const waiter: Waiter = { source, request, queuedAt: this.clock.now(), state: 'waiting' };
    const ticket = { release: () => this.release(waiter) };
    const budgetWait = this.budget.waitMs(source, waiter.queuedAt);
    if (budgetWait > this.settings.maxWaitMs) {
      this.refuse(waiter, budgetWait, 'key_exchange_rate');
      return ticket;
    }
    if (this.waiting >= this.settings.maxQueued && !this.makeRoomFor(source)) {
      this.refuse(waiter, this.drainEstimateMs(), 'queue_full');
      return ticket;
    }
    const line = this.lines.get(source);
    if (line) line.push(waiter);
    else this.lines.set(source, [waiter]);
    this.waiting++;
    this.pump();
    return ticket;
  }

  /** Stops the timers (server shutdown); waiters and slot holders are closed by their sessions. */
  close(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
    for (const line of this.lines.values()) for (const w of line) w.state = 'over';
    this.lines.clear();
    this.waiting = 0;
  }

  /** Full queue: the source with the most waiters gives up its newest, unless that source is the newcomer's. */
  private makeRoomFor(source: string): boolean {
    let longest: Waiter[] | undefined;
    let longestSource = '';
    for (const [s, line] of this.lines) {
      if (!longest || line.length > longest.length) {
        longest = line;
        longestSource = s;
      }
    }
    const own = this.lines.get(source)?.length ?? 0;
    if (!longest || longestSource === source || longest.length <= own + 1) return false;
    const evicted = longest.pop()!;
    this.waiting--;
    if (longest.length === 0) this.lines.delete(longestSource);
    this.refuse(evicted, this.drainEstimateMs(), 'queue_full');
    return true;
  }

  private release(waiter: Waiter): void {
    if (waiter.state === 'over') return;
    const wasActive = waiter.state === 'active';
    waiter.state = 'over';
    if (!wasActive) {
      this.leaveLine(waiter);
      return;
    }
    waiter.cancelExpiry?.();
    this.active--;
    const now = this.clock.now();
    if (!this.everFinished) this.firstFinishedAt = now;
    this.everFinished = true;
    this.finished.push(now);
    if (this.finished.length > RECENT_LIMIT) this.finished.shift();
    this.pump();
  }

  private leaveLine(waiter: Waiter): void {
    const line = this.lines.get(waiter.source);
    const at = line?.indexOf(waiter) ?? -1;
    if (!line || at < 0) return;
    line.splice(at, 1);
    this.waiting--;
    if (line.length === 0) this.lines.delete(waiter.source);
  }

  private refuse(waiter: Waiter, retryAfterMs: number, reason: BusyReason): void {
    waiter.state = 'over';
    const hint = Math.round(Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_AFTER_MS, retryAfterMs)));
    waiter.request.refuse(hint, reason);
  }

  /**
   * How long the line takes to clear at the rate slots turned over lately (finished handshakes per second over
   * the last THROUGHPUT_WINDOW_MS). Before any finished, one handshake deadline; none lately: the longest hint.
   */
  private drainEstimateMs(): number {
    const now = this.clock.now();
    while (this.finished.length > 0 && now - this.finished[0]! > THROUGHPUT_WINDOW_MS) this.finished.shift();
    const line = this.waiting + 1;
    // None finished yet (a cold start: the first ones are still running): about one handshake deadline.
    if (this.finished.length === 0) return this.everFinished ? MAX_RETRY_AFTER_MS : this.settings.handshakeTimeoutMs;
    const perMs = this.finished.length / Math.max(1_000, Math.min(THROUGHPUT_WINDOW_MS, now - this.firstFinishedAt));
    return line / perMs;
  }

  /**
   * Admits waiters while slots are free (sources in turn, each only with a key-exchange start left), refuses those
   * past their wait, and sets one timer for the next deadline or budget refill. Re-entrant calls (a callback that
   * releases) run once more after the current pass.
   */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.admitWhileFree();
        this.refuseOverdue();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    this.scheduleWake();
  }

  private admitWhileFree(): void {
    while (this.active < this.settings.maxHandshakes && this.waiting > 0) {
      const waiter = this.nextEligible(this.clock.now());
      if (!waiter) return;
      waiter.state = 'active';
      this.active++;
      waiter.cancelExpiry = this.clock.setTimeout(() => {
        if (waiter.state === 'active') waiter.request.expire();
      }, this.settings.handshakeTimeoutMs);
      waiter.admittedAt = this.clock.now();
      waiter.request.admit();
    }
  }

  /** The head of the first source in turn that has a key-exchange start; it leaves its line and its source goes last. */
  private nextEligible(now: number): Waiter | undefined {
    for (const [source, line] of this.lines) {
      if (!this.budget.take(source, now)) continue;
      const waiter = line.shift()!;
      this.waiting--;
      this.lines.delete(source);
      if (line.length > 0) this.lines.set(source, line);
      return waiter;
    }
    return undefined;
  }

  private refuseOverdue(): void {
    const now = this.clock.now();
    for (const [source, line] of [...this.lines]) {
      while (line.length > 0 && now - line[0]!.queuedAt >= this.settings.maxWaitMs) {
        const waiter = line.shift()!;
        this.waiting--;
        this.refuse(waiter, this.drainEstimateMs(), 'wait_exceeded');
      }
      if (line.length === 0 && this.lines.get(source) === line) this.lines.delete(source);
    }
  }

  private scheduleWake(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
    if (this.waiting === 0) return;
    const now = this.clock.now();
    let next = Infinity;
    for (const [source, line] of this.lines) {
      next = Math.min(next, line[0]!.queuedAt + this.settings.maxWaitMs);
      if (this.active < this.settings.maxHandshakes) next = Math.min(next, now + Math.max(1, this.budget.waitMs(source, now)));
    }
    this.cancelWake = this.clock.setTimeout(() => {
      this.cancelWake = undefined;
      this.pump();
    }, Math.max(1, next - now));
  }
}
