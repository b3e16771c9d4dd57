import { describe, expect, it } from 'vitest';
import { runInSlices, runToEnd } from '../../src/core/slices.ts';

function* counting(n: number, seen: number[]): Generator<void, number> {
  for (let i = 0; i < n; i++) {
    seen.push(i);
    yield;
  }
  return n;
}

describe('runInSlices', () => {
  it('finishes a short pass within the call', async () => {
    const seen: number[] = [];
    const done = runInSlices(counting(100, seen), 0);
    expect(seen).toHaveLength(100);
    expect(await done).toBe(100);
  });

  it('lets other work run between slices of a long pass, and still does every step in order', async () => {
    const seen: number[] = [];
    let between = 0;
    let running = true;
    // Another piece of work queued on the loop the same way (as a socket read would be): it gets turns meanwhile.
    const other = (): void => {
      between++;
      if (running) setImmediate(other);
    };
    setImmediate(other);
    // A zero budget pauses after every minSteps (10) steps.
    const result = await runInSlices(counting(1_000, seen), 0, 10);
    running = false;
    expect(result).toBe(1_000);
    expect(seen).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(between).toBeGreaterThan(0);
  });

  it('rejects when a step throws', async () => {
    function* failing(): Generator<void, void> {
      yield;
      throw new Error('bad step');
    }
    await expect(runInSlices(failing(), 5)).rejects.toThrow('bad step');
  });

  it('runToEnd gives the same result at once', () => {
    const seen: number[] = [];
    expect(runToEnd(counting(10, seen))).toBe(10);
    expect(seen).toHaveLength(10);
  });
});
