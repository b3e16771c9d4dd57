// How soon a dead protocol gateway is started again: quickly the first time, then backing off, and never more than a
// capped number of times a minute, so a gateway that dies on start (a bad build, a missing file) does not turn into
// a crash loop that eats the cores the site needs. Pure: the caller passes the time.

export interface RestartBudgetOptions {
  /** Restarts allowed in any 60 s window; beyond that the next one waits for the window to move. */
  readonly maxPerMinute: number;
  /** Delay before the first restart in a quiet window; doubles with each restart still in the window. */
  readonly firstDelayMs: number;
  /** Longest backoff delay (the per-minute cap may still make a restart wait longer). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RESTART_BUDGET: RestartBudgetOptions = { maxPerMinute: 5, firstDelayMs: 250, maxDelayMs: 10_000 };

const WINDOW_MS = 60_000;

export class RestartBudget {
  private readonly recent: number[] = [];

  constructor(private readonly o: RestartBudgetOptions = DEFAULT_RESTART_BUDGET) {
    if (!Number.isInteger(o.maxPerMinute) || o.maxPerMinute < 1) throw new RangeError('maxPerMinute must be an integer ≥ 1');
  }

  /** When the next restart may run, from `now`; `capped` when the per-minute cap (not the backoff) decides it. */
  next(now: number): { delayMs: number; capped: boolean } {
    while (this.recent.length > 0 && this.recent[0]! <= now - WINDOW_MS) this.recent.shift();
    const backoff = Math.min(this.o.firstDelayMs * 2 ** this.recent.length, this.o.maxDelayMs);
    if (this.recent.length < this.o.maxPerMinute) return { delayMs: backoff, capped: false };
    const windowOpens = this.recent[this.recent.length - this.o.maxPerMinute]! + WINDOW_MS - now;
    return { delayMs: Math.max(backoff, windowOpens), capped: windowOpens > backoff };
  }

  /** A restart ran at `now`. */
  record(now: number): void {
    this.recent.push(now);
  }
}
