import type { Database } from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { ROLES, type Role } from './roles.ts';

export interface User {
  username: string;
  role: Role;
  createdAt: number;
}

export class AuthError extends Error {
  constructor(
    readonly code: 'INVALID_USER' | 'USER_EXISTS' | 'USER_NOT_FOUND' | 'WEAK_PASSWORD' | 'INVALID_ROLE',
    message: string,
  ) {
    super(message);
  }
}

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');
const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;
// Hash computed once at startup so a login for an unknown user costs as much as one for a known user.
let dummyHash: Promise<string> | null = null;

/** Dashboard users and their sessions. Only hashes are stored: scrypt for passwords, SHA-256 for session tokens. */
export class UserStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly sessionTtlMs = 12 * 60 * 60_000,
  ) {}

  async create(username: string, password: string, role: Role): Promise<User> {
    if (!USERNAME.test(username)) throw new AuthError('INVALID_USER', 'username must be 1–64 letters, digits or _.@-');
    if (password.length < 8) throw new AuthError('WEAK_PASSWORD', 'password must have at least 8 characters');
    if (!ROLES.includes(role)) throw new AuthError('INVALID_ROLE', `role must be one of ${ROLES.join(', ')}`);
    if (this.get(username)) throw new AuthError('USER_EXISTS', `user ${username} already exists`);
    const hash = await hashPassword(password);
    const createdAt = this.clock.now();
    this.db.prepare('INSERT INTO ops_users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)').run(username, hash, role, createdAt);
    return { username, role, createdAt };
  }

  /** Creates the user unless one with that name exists (used to seed the demo users). */
  async ensure(username: string, password: string, role: Role): Promise<void> {
    if (!this.get(username)) await this.create(username, password, role);
  }

  get(username: string): User | undefined {
    const row = this.db.prepare('SELECT username, role, created_at FROM ops_users WHERE username = ?').get(username) as
      | { username: string; role: Role; created_at: number }
      | undefined;
    return row && { username: row.username, role: row.role, createdAt: row.created_at };
  }

  list(): User[] {
    return (this.db.prepare('SELECT username, role, created_at FROM ops_users ORDER BY username').all() as {
      username: string;
      role: Role;
      created_at: number;
    }[]).map((r) => ({ username: r.username, role: r.role, createdAt: r.created_at }));
  }

  setRole(username: string, role: Role): User {
    if (!ROLES.includes(role)) throw new AuthError('INVALID_ROLE', `role must be one of ${ROLES.join(', ')}`);
    const info = this.db.prepare('UPDATE ops_users SET role = ? WHERE username = ?').run(role, username);
    if (info.changes === 0) throw new AuthError('USER_NOT_FOUND', `user ${username} does not exist`);
    return this.get(username)!;
  }

  remove(username: string): void {
    this.db.prepare('DELETE FROM ops_sessions WHERE username = ?').run(username);
    const info = this.db.prepare('DELETE FROM ops_users WHERE username = ?').run(username);
    if (info.changes === 0) throw new AuthError('USER_NOT_FOUND', `user ${username} does not exist`);
  }

  /** Checks the password and opens a session; null on any mismatch (without saying which part was wrong). */
  async login(username: string, password: string): Promise<{ token: string; user: User; expiresAt: number } | null> {
    const row = this.db.prepare('SELECT password_hash FROM ops_users WHERE username = ?').get(username) as
      | { password_hash: string }
      | undefined;
    if (!row) {
      dummyHash ??= hashPassword('not-a-user-password');
      await verifyPassword(password, await dummyHash);
      return null;
    }
    if (!(await verifyPassword(password, row.password_hash))) return null;
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = now + this.sessionTtlMs;
    this.db.prepare('DELETE FROM ops_sessions WHERE expires_at < ?').run(now);
    this.db.prepare('INSERT INTO ops_sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)').run(sha256(token), username, now, expiresAt);
    return { token, user: this.get(username)!, expiresAt };
  }

  sessionUser(token: string): User | null {
    const row = this.db.prepare('SELECT username, expires_at FROM ops_sessions WHERE token_hash = ?').get(sha256(token)) as
      | { username: string; expires_at: number }
      | undefined;
    if (!row || row.expires_at < this.clock.now()) return null;
    return this.get(row.username) ?? null;
  }

  logout(token: string): void {
    this.db.prepare('DELETE FROM ops_sessions WHERE token_hash = ?').run(sha256(token));
  }
}
