// Keeps recent command round-trip times for percentiles (metrics, the fleet benchmark). A bounded ring so memory
// does not grow with uptime.

export class LatencyRecorder {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;
  total = 0;

  constructor(capacity = 100_000) {
    this.samples = new Float64Array(capacity);
  }

  record(_kind: string, ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    this.count = Math.min(this.count + 1, this.samples.length);
    this.total++;
  }

  /** Percentiles over the retained samples; undefined when there are none. */
  percentiles(ps: number[]): (number | undefined)[] {
    if (this.count === 0) return ps.map(() => undefined);
    const sorted = Array.from(this.samples.subarray(0, this.count)).sort((a, b) => a - b);
    return ps.map((p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
  }

  reset(): void {
    this.count = 0;
    this.next = 0;
  }
}
