import type { Clock } from '../../core/index.ts';

/**
 * Real time sped up by a factor: with factor 10 a 500 ms status period passes in 50 ms of wall time. The platform
 * and the simulator share one instance in tests and demos so their notions of time agree.
 */
export class ScaledClock implements Clock {
  private readonly realStart = Date.now();

  constructor(
    readonly factor: number,
    private readonly virtualStart = Date.now(),
  ) {
    if (!(factor > 0)) throw new RangeError('time factor must be positive');
  }

  now(): number {
    return Math.floor(this.virtualStart + (Date.now() - this.realStart) * this.factor);
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const handle = setTimeout(fn, Math.max(0, ms / this.factor));
    return () => clearTimeout(handle);
  }
}
