// The smaller in-suite fuzz run (npm run fuzz:protocol does ≥ 1,000,000 frames): random and mutated frames
// through decodeFrame and the stream decoder with random chunking — nothing throws, the buffer stays bounded,
// and whatever the decoder accepts, the encoder accepts too and it round-trips.
import { describe, expect, it } from 'vitest';
import { fuzzProtocol } from '../../scripts/lib/protocol-fuzzer.ts';

describe('protocol fuzzing', () => {
  it('50,000 mutated frames: zero uncaught exceptions, invariants hold, memory bounded', () => {
    const maxFrameBytes = 64 * 1024;
    const summary = fuzzProtocol({ frames: 50_000, seed: 20261124, maxFrameBytes });
    expect(summary.first_failures).toEqual([]);
    expect(summary.uncaught).toBe(0);
    expect(summary.invariant_failures).toBe(0);
    expect(summary.max_buffered_bytes).toBeLessThanOrEqual(maxFrameBytes);
    expect(summary.heap_growth_mb).toBeLessThan(128);
    // Every kind of mutation ran, and both good and bad outcomes occurred.
    expect(Object.keys(summary.mutations).length).toBe(10);
    expect(summary.outcomes.ok).toBeGreaterThan(0);
    for (const code of ['BAD_MAGIC', 'BAD_HEADER_CHECK', 'BAD_CHECKSUM', 'FRAME_TOO_LONG', 'TRUNCATED_FIELD', 'BAD_ENUM', 'OUT_OF_RANGE']) {
      expect(summary.outcomes[code], code).toBeGreaterThan(0);
    }
  });
});
