// Dashboard logins: a user name and password open a session whose token the browser keeps in a cookie. A session
// token, like an API key, resolves to a Principal, so every route checks people and upper systems with one rule.

import type { Clock } from '../../core/clock.ts';
import type { Principal } from './roles.ts';
import type { User, UserStore } from './users.ts';

/**
 * Counts failed logins per user name *and* source address, so passwords cannot be guessed at full speed while someone
 * guessing from one address never locks the real user out from another. After `max` failures within `windowMs` that
 * pair is locked for `firstLockMs`; each further lock without a success in between lasts twice as long (up to
 * `maxLockMs`). A success clears the pair.
 */
export class LoginThrottle {
  private readonly pairs = new Map<string, { failures: number[]; locks: number; lockedUntil: number; lastAt: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly max = 5,
    private readonly windowMs = 60_000,
    private readonly firstLockMs = 60_000,
    private readonly maxLockMs = 30 * 60_000,
    /** Pairs remembered at most; the oldest quiet ones go first (an address flood must not grow memory forever). */
    private readonly maxPairs = 10_000,
  ) {}

  /** Milliseconds until this user may try again from this source; 0 when not locked. */
  lockedFor(username: string, source: string): number {
    const pair = this.pairs.get(key(username, source));
    return pair ? Math.max(0, pair.lockedUntil - this.clock.now()) : 0;
  }

  fail(username: string, source: string): void {
    const now = this.clock.now();
    const k = key(username, source);
    const pair = this.pairs.get(k) ?? { failures: [], locks: 0, lockedUntil: 0, lastAt: now };
    pair.failures = [...pair.failures.filter((t) => now - t < this.windowMs), now];
    pair.lastAt = now;
    if (pair.failures.length >= this.max) {
      pair.lockedUntil = now + Math.min(this.maxLockMs, this.firstLockMs * 2 ** pair.locks);
      pair.locks++;
      pair.failures = [];
    }
    this.pairs.delete(k);
    this.pairs.set(k, pair);
    if (this.pairs.size > this.maxPairs) this.forgetQuiet(now);
  }

  succeed(username: string, source: string): void {
    this.pairs.delete(key(username, source));
  }

  private forgetQuiet(now: number): void {
    // Map order is last-failure order (fail() re-inserts), so the quietest pairs come first.
    for (const [k, pair] of this.pairs) {
      if (this.pairs.size <= this.maxPairs) return;
      if (pair.lockedUntil > now) continue;
      this.pairs.delete(k);
    }
  }
}

const key = (username: string, source: string): string => `${username}\u0000${source}`;

export type LoginResult =
  | { ok: true; token: string; user: User; expiresAt: number }
  | { ok: false; reason: 'bad_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

export const userPrincipal = (user: User): Principal => ({ kind: 'user', id: user.username, name: user.username, role: user.role });

export class Logins {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly users: UserStore,
    clock: Clock,
  ) {
    this.throttle = new LoginThrottle(clock);
  }

  /** `source` is where the attempt comes from (the client's address): failures count per user and source. */
  async login(username: string, password: string, source: string): Promise<LoginResult> {
    const retryAfterMs = this.throttle.lockedFor(username, source);
    if (retryAfterMs > 0) return { ok: false, reason: 'throttled', retryAfterMs };
    const session = await this.users.login(username, password);
    if (!session) {
      this.throttle.fail(username, source);
      return { ok: false, reason: 'bad_credentials' };
    }
    this.throttle.succeed(username, source);
    return { ok: true, ...session };
  }

  /** The user of a live session, or null for an unknown or expired token. */
  user(token: string): Promise<User | null> {
    return this.users.sessionUser(token);
  }

  async principal(token: string): Promise<Principal | undefined> {
    const user = await this.user(token);
    return user ? userPrincipal(user) : undefined;
  }

  logout(token: string): Promise<void> {
    return this.users.logout(token);
  }
}
