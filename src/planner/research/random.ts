/** Small seeded PRNG (xorshift32) so planners are reproducible run to run; not for anything secret. */
export class Rng {
  private state: number;

  constructor(seed = 0) {
    // xorshift must not start at 0; mix the seed so nearby seeds diverge quickly.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0x2545f491) >>> 0 || 0x6d2b79f5;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
