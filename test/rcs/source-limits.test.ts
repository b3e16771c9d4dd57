import { describe, expect, it } from 'vitest';
import { SourceLimits, TokenBucket } from '../../src/rcs/session/source-limits.ts';

// Per-source bookkeeping on explicit instants: bursts, refill, the unaccessed cap, and forgetting idle sources.

const settings = { maxUnaccessedPerSource: 3, connectionsPerSecond: 2, connectionBurst: 5, keyExchangesPerSecond: 1, keyExchangeBurst: 2 };

describe('TokenBucket', () => {
  it('grants a burst, then refills at its rate', () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.full(500)).toBe(false);
    expect(bucket.full(2_000)).toBe(true);
  });
});

describe('SourceLimits', () => {
  it('caps unaccessed connections per source, not connections that completed access', () => {
    const limits = new SourceLimits(settings);
    expect([0, 1, 2].map(() => limits.admitConnection('10.0.0.1', 0))).toEqual([undefined, undefined, undefined]);
    expect(limits.admitConnection('10.0.0.1', 0)).toBe('unaccessed_connections');
    expect(limits.admitConnection('10.0.0.2', 0)).toBeUndefined();
    limits.leftUnaccessed('10.0.0.1', 0);
    expect(limits.admitConnection('10.0.0.1', 0)).toBeUndefined();
  });

  it('limits the connection rate of a source that never stays', () => {
    const limits = new SourceLimits({ ...settings, maxUnaccessedPerSource: 100 });
    const outcomes = Array.from({ length: 6 }, () => {
      const refusal = limits.admitConnection('10.0.0.1', 0);
      if (!refusal) limits.leftUnaccessed('10.0.0.1', 0);
      return refusal;
    });
    expect(outcomes).toEqual([undefined, undefined, undefined, undefined, undefined, 'connection_rate']);
    expect(limits.admitConnection('10.0.0.1', 500)).toBeUndefined();
  });

  it('limits key-exchange starts per source and forgets sources with nothing to remember', () => {
    const limits = new SourceLimits(settings);
    expect([limits.admitKeyExchange('a', 0), limits.admitKeyExchange('a', 0), limits.admitKeyExchange('a', 0)]).toEqual([true, true, false]);
    expect(limits.admitKeyExchange('a', 1_000)).toBe(true);
    expect(limits.trackedSources).toBe(1);
    limits.prune(10_000);
    expect(limits.trackedSources).toBe(0);
  });
});
