import type { Database } from 'better-sqlite3';

/**
 * Rows written together: each write is queued and all that arrive in one event-loop turn go to the database in one
 * transaction at the end of the turn (at most `max` per transaction, the rest in the next turn). A write's promise
 * settles only once its transaction committed, so a caller that awaits it knows the row is stored. Why: each row on
 * its own is a commit of its own; at 10,000 AGVs the event log and running data wrote thousands of rows a second
 * that way and held the event loop for up to a second at a time.
 * If the batch fails, its rows are written one by one so that one bad row fails alone.
 */
export class WriteBatch<In, Out> {
  private pending: { input: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;
  private readonly writeAll: (inputs: In[]) => Out[];

  constructor(
    db: Database,
    private readonly writeOne: (input: In) => Out,
    private readonly max = 500,
  ) {
    this.writeAll = db.transaction((inputs: In[]) => inputs.map((i) => this.writeOne(i)));
  }

  write(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      this.schedule();
    });
  }

  /** Writes everything queued now: before a read, so that readers see every write made before it. */
  flush(): void {
    while (this.pending.length > 0) this.writeSome(Number.POSITIVE_INFINITY);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.writeSome(this.max);
      if (this.pending.length > 0) this.schedule();
    });
  }

  private writeSome(max: number): void {
    const batch = this.pending.length <= max ? this.pending : this.pending.splice(0, max);
    if (batch === this.pending) this.pending = [];
    if (batch.length === 0) return;
    let outs: Out[];
    try {
      outs = this.writeAll(batch.map((p) => p.input));
    } catch {
      for (const p of batch) {
        try {
          p.resolve(this.writeOne(p.input));
        } catch (err) {
          p.reject(err);
        }
      }
      return;
    }
    batch.forEach((p, i) => p.resolve(outs[i]!));
  }
}
