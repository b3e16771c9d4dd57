import type { Frame, Message, ProtocolError } from '../protocol/index.ts';

// Every frame received from the peer under test, in order, with the wall time it arrived: scenarios wait for the
// frame they expect (from a mark onwards) and inspect what came before. Decode errors are kept too.

export interface LoggedFrame {
  at: number;
  frame: Frame;
}

type Waiter = { from: number; match: (f: Frame) => boolean; resolve: (f: LoggedFrame | undefined) => void };

export class FrameLog {
  readonly frames: LoggedFrame[] = [];
  readonly errors: ProtocolError[] = [];
  private waiters: Waiter[] = [];

  push(frame: Frame): void {
    const entry = { at: performance.now(), frame };
    this.frames.push(entry);
    const index = this.frames.length - 1;
    for (const w of [...this.waiters]) {
      if (index >= w.from && w.match(frame)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(entry);
      }
    }
  }

  pushError(error: ProtocolError): void {
    this.errors.push(error);
  }

  /** Position of the next frame to arrive, for waiting only for frames after now. */
  mark(): number {
    return this.frames.length;
  }

  /** Resolves with the first frame from `from` on that matches, or undefined after timeoutMs. */
  waitFor(match: (f: Frame) => boolean, timeoutMs: number, from = 0): Promise<LoggedFrame | undefined> {
    const found = this.frames.slice(from).find((e) => match(e.frame));
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiter: Waiter = { from, match, resolve };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== waiter);
        resolve(undefined);
      }, timeoutMs);
      waiter.resolve = (f) => {
        clearTimeout(timer);
        resolve(f);
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits for a message of one kind (optionally matching more) from `from` on. */
  async waitForKind<K extends Message['kind']>(kind: K, timeoutMs: number, from = 0, also: (m: Extract<Message, { kind: K }>) => boolean = () => true): Promise<Extract<Message, { kind: K }> | undefined> {
    const hit = await this.waitFor((f) => f.message.kind === kind && also(f.message as Extract<Message, { kind: K }>), timeoutMs, from);
    return hit?.frame.message as Extract<Message, { kind: K }> | undefined;
  }

  /** Messages of one kind received from `from` on. */
  ofKind<K extends Message['kind']>(kind: K, from = 0): { at: number; message: Extract<Message, { kind: K }> }[] {
    return this.frames.slice(from).filter((e) => e.frame.message.kind === kind).map((e) => ({ at: e.at, message: e.frame.message as Extract<Message, { kind: K }> }));
  }
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
