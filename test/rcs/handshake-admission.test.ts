import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import { HandshakeAdmission, MAX_RETRY_AFTER_MS, MIN_RETRY_AFTER_MS, type HandshakeAdmissionSettings, type KeyExchangeBudget } from '../../src/rcs/session/handshake-admission.ts';
import { SourceLimits } from '../../src/rcs/session/source-limits.ts';

// The handshake queue as bookkeeping over a manual clock: slots, per-source lines served in turn, the wait limit
// with its retry hint, eviction from the longest line, per-source key-exchange pacing, and the handshake deadline.

const settings: HandshakeAdmissionSettings = { maxHandshakes: 2, maxQueued: 4, maxWaitMs: 1_000, handshakeTimeoutMs: 3_000 };
const unlimited: KeyExchangeBudget = { take: () => true, waitMs: () => 0 };

function setUp(budget: KeyExchangeBudget = unlimited, overrides: Partial<HandshakeAdmissionSettings> = {}) {
  const clock = new ManualClock(1_000_000);
  const admission = new HandshakeAdmission({ ...settings, ...overrides }, clock, budget);
  const log: string[] = [];
  const hints: number[] = [];
  const ask = (source: string, name: string) =>
    admission.request(source, {
      admit: () => log.push(`admit ${name}`),
      refuse: (ms, reason) => {
        hints.push(ms);
        log.push(`busy ${name} ${reason}`);
      },
      expire: () => log.push(`expire ${name}`),
    });
  return { clock, admission, log, hints, ask };
}

describe('handshake admission', () => {
  it('runs at most maxHandshakes at once and admits waiters in arrival order as slots free', () => {
    const { admission, log, ask } = setUp();
    const a = ask('10.0.0.1', 'a');
    const b = ask('10.0.0.1', 'b');
    ask('10.0.0.1', 'c');
    ask('10.0.0.1', 'd');
    expect(log).toEqual(['admit a', 'admit b']);
    expect(admission).toMatchObject({ inFlight: 2, queued: 2 });
    b.release();
    b.release(); // idempotent: frees one slot only
    expect(log).toEqual(['admit a', 'admit b', 'admit c']);
    a.release();
    expect(log.at(-1)).toBe('admit d');
    expect(admission).toMatchObject({ inFlight: 2, queued: 0 });
  });

  it('serves sources in turn, so one source\'s long line does not hold another source back', () => {
    const { log, ask } = setUp(unlimited, { maxHandshakes: 1, maxQueued: 10 });
    const tickets = new Map<string, { release(): void }>();
    for (const [source, name] of [['hostile', 'h0'], ['hostile', 'h1'], ['hostile', 'h2'], ['hostile', 'h3'], ['fleet', 'f1'], ['fleet', 'f2']] as const) {
      tickets.set(name, ask(source, name));
    }
    // Each admitted handshake finishes, freeing the one slot for the next in turn.
    for (let i = 0; i < 5; i++) tickets.get(log.at(-1)!.split(' ')[1]!)!.release();
    expect(log).toEqual(['admit h0', 'admit h1', 'admit f1', 'admit h2', 'admit f2', 'admit h3']);
  });

  it('refuses a waiter past maxWaitMs with a retry hint within bounds, and a waiter that leaves gives up its place', () => {
    const { clock, admission, log, hints, ask } = setUp();
    ask('s', 'a');
    ask('s', 'b');
    const c = ask('s', 'c');
    ask('s', 'd');
    c.release(); // its connection closed while waiting
    expect(admission.queued).toBe(1);
    clock.advance(999);
    expect(log).toEqual(['admit a', 'admit b']);
    clock.advance(1);
    expect(log).toEqual(['admit a', 'admit b', 'busy d wait_exceeded']);
    expect(hints[0]).toBeGreaterThanOrEqual(MIN_RETRY_AFTER_MS);
    expect(hints[0]).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
    expect(admission).toMatchObject({ inFlight: 2, queued: 0 });
  });

  it('when full, takes room from the source with the most waiters, never from a newcomer\'s smaller line', () => {
    const { admission, log, ask } = setUp();
    ask('hostile', 'slot1');
    ask('hostile', 'slot2');
    for (let i = 1; i <= 4; i++) ask('hostile', `h${i}`);
    expect(admission.queued).toBe(4);
    ask('fleet', 'f1');
    expect(log.at(-1)).toBe('busy h4 queue_full');
    ask('hostile', 'h5');
    expect(log.at(-1)).toBe('busy h5 queue_full');
    ask('fleet', 'f2');
    expect(log.at(-1)).toBe('busy h3 queue_full');
    // Two fleet and two hostile waiters now: equal shares, a third fleet waiter is refused itself.
    ask('fleet', 'f3');
    expect(log.at(-1)).toBe('busy f3 queue_full');
    expect(admission.queued).toBe(4);
  });

  it('waits for its source\'s key-exchange budget instead of refusing, and refuses at once when that is too far', () => {
    const clock = new ManualClock(1_000_000);
    const limits = new SourceLimits({ maxUnaccessedPerSource: 100, connectionsPerSecond: 100, connectionBurst: 100, keyExchangesPerSecond: 2, keyExchangeBurst: 1 });
    const budget: KeyExchangeBudget = { take: (s, now) => limits.admitKeyExchange(s, now), waitMs: (s, now) => limits.keyExchangeWaitMs(s, now) };
    const admission = new HandshakeAdmission({ ...settings, maxHandshakes: 10 }, clock, budget);
    const log: string[] = [];
    const ask = (name: string) => admission.request('nat', { admit: () => log.push(`admit ${name}`), refuse: (ms, reason) => log.push(`busy ${name} ${reason} ${ms}`), expire: () => undefined });
    ask('a');
    ask('b');
    expect(log).toEqual(['admit a']);
    clock.advance(499);
    expect(log).toEqual(['admit a']);
    clock.advance(1);
    expect(log).toEqual(['admit a', 'admit b']);

    const slow = new SourceLimits({ maxUnaccessedPerSource: 100, connectionsPerSecond: 100, connectionBurst: 100, keyExchangesPerSecond: 0.1, keyExchangeBurst: 1 });
    const paced = new HandshakeAdmission(settings, clock, { take: (s, now) => slow.admitKeyExchange(s, now), waitMs: (s, now) => slow.keyExchangeWaitMs(s, now) });
    const refusals: string[] = [];
    const request = { admit: () => refusals.push('admit'), refuse: (ms: number, reason: string) => refusals.push(`${reason} ${ms}`), expire: () => undefined };
    paced.request('nat', request);
    paced.request('nat', request);
    expect(refusals).toEqual(['admit', 'key_exchange_rate 10000']);
  });

  it('ends an admitted handshake that overruns its deadline, and not one that finished', () => {
    const { clock, log, ask } = setUp();
    const a = ask('s', 'a');
    ask('s', 'b');
    clock.advance(1_000);
    a.release();
    clock.advance(2_000);
    expect(log).toEqual(['admit a', 'admit b', 'expire b']);
  });
});
