import type { Clock } from '../../core/index.ts';
import type { AnswerOutcome } from '../fleet/types.ts';

// Requests that have their own answer message (paramQuery → paramReport, paramSet → paramSetAck,
// runningDataRequest → runningData) are matched by the id the answer echoes; a nack of the request frame (matched by
// its sequence number) or no answer within the timeout settles them as refused.

interface Waiter<T> {
  seq: number;
  resolve: (outcome: AnswerOutcome<T>) => void;
  cancelTimer: () => void;
}

export class AnswerWaiters<T> {
  private readonly waiting = new Map<number, Waiter<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly what: string,
  ) {}

  /** Waits for the answer carrying `id` to the frame sent as `seq` (undefined: the frame was not sent). */
  wait(id: number, seq: number | undefined, timeoutMs: number): Promise<AnswerOutcome<T>> {
    if (seq === undefined) return Promise.resolve({ ok: false, code: 'CLOSED', message: 'channel closed' });
    return new Promise((resolve) => {
      const cancelTimer = this.clock.setTimeout(() => {
        if (this.waiting.delete(id)) resolve({ ok: false, code: 'TIMEOUT', message: `no ${this.what} within ${timeoutMs} ms` });
      }, timeoutMs);
      this.waiting.set(id, { seq, resolve, cancelTimer });
    });
  }

  /** Settles the request the answer names; false when nobody waits for it (late or unsolicited). */
  answer(id: number, value: T): boolean {
    const waiter = this.take(id);
    waiter?.resolve({ ok: true, value });
    return waiter !== undefined;
  }

  /** A nack of one of the request frames: that request is refused. */
  nacked(seq: number, code: string, message: string): boolean {
    for (const [id, waiter] of this.waiting) {
      if (waiter.seq !== seq) continue;
      this.take(id)!.resolve({ ok: false, code, message });
      return true;
    }
    return false;
  }

  /** The session ended: every open request fails. */
  failAll(reason: string): void {
    for (const id of [...this.waiting.keys()]) this.take(id)!.resolve({ ok: false, code: 'CLOSED', message: reason });
  }

  private take(id: number): Waiter<T> | undefined {
    const waiter = this.waiting.get(id);
    if (!waiter) return undefined;
    this.waiting.delete(id);
    waiter.cancelTimer();
    return waiter;
  }
}
