// Dashboard logins: a user name and password open a session whose token the browser keeps in a cookie. A session
// token, like an API key, resolves to a Principal, so every route checks people and upper systems with one rule.

import type { Clock } from '../../core/clock.ts';
import type { Principal } from './roles.ts';
import type { User, UserStore } from './users.ts';

/** Counts failed logins per user name so passwords cannot be guessed at full speed. */
class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly clock: Clock,
    private readonly max = 5,
    private readonly windowMs = 60_000,
  ) {}
  blocked(username: string): boolean {
    const recent = (this.failures.get(username) ?? []).filter((t) => this.clock.now() - t < this.windowMs);
    this.failures.set(username, recent);
    return recent.length >= this.max;
  }
  fail(username: string): void {
    this.failures.set(username, [...(this.failures.get(username) ?? []), this.clock.now()]);
  }
  succeed(username: string): void {
    this.failures.delete(username);
  }
}

export type LoginResult =
  | { ok: true; token: string; user: User; expiresAt: number }
  | { ok: false; reason: 'bad_credentials' | 'throttled' };

export const userPrincipal = (user: User): Principal => ({ kind: 'user', id: user.username, name: user.username, role: user.role });

export class Logins {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly users: UserStore,
    clock: Clock,
  ) {
    this.throttle = new LoginThrottle(clock);
  }

  async login(username: string, password: string): Promise<LoginResult> {
    if (this.throttle.blocked(username)) return { ok: false, reason: 'throttled' };
    const session = await this.users.login(username, password);
    if (!session) {
      this.throttle.fail(username);
      return { ok: false, reason: 'bad_credentials' };
    }
    this.throttle.succeed(username);
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
