// Anti-replay sliding window over 32-bit sequence numbers (the IPsec/DTLS scheme, RFC 4303 §3.4.3):
// remembers which of the last `size` sequence numbers were accepted, so frames may arrive reordered
// within the window but never twice, and anything older than the window is refused.

export type ReplayVerdict = 'FRESH' | 'REPLAYED' | 'OUTSIDE_WINDOW';

export class ReplayWindow {
  readonly size: number;
  private readonly seen: Uint32Array;
  private highest = -1;

  constructor(size = 1024) {
    if (!Number.isInteger(size) || size < 32 || size > 65536 || size % 32 !== 0) {
      throw new RangeError(`replay window must be a multiple of 32 in 32..65536, got ${size}`);
    }
    this.size = size;
    this.seen = new Uint32Array(size / 32);
  }

  /** Highest sequence number accepted so far, or -1 before the first frame. */
  get highestAccepted(): number {
    return this.highest;
  }

  /** Classifies a sequence number without recording it (so unauthenticated frames cannot move the window). */
  check(sequence: number): ReplayVerdict {
    if (sequence > this.highest) return 'FRESH';
    if (this.highest - sequence >= this.size) return 'OUTSIDE_WINDOW';
    return this.isSet(sequence) ? 'REPLAYED' : 'FRESH';
  }

  /** Records an authenticated sequence number; call only after check() said FRESH. */
  accept(sequence: number): void {
    if (sequence > this.highest) {
      const advance = sequence - this.highest;
      if (advance >= this.size || this.highest < 0) {
        this.seen.fill(0);
      } else {
        for (let s = this.highest + 1; s < sequence; s++) this.clear(s);
      }
      this.highest = sequence;
    }
    this.set(sequence);
  }

  private isSet(sequence: number): boolean {
    const bit = sequence % this.size;
    return (this.seen[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  private set(sequence: number): void {
    const bit = sequence % this.size;
    this.seen[bit >>> 5]! |= 1 << (bit & 31);
  }

  private clear(sequence: number): void {
    const bit = sequence % this.size;
    this.seen[bit >>> 5]! &= ~(1 << (bit & 31));
  }
}
