import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { StoreConflictError } from '../store/errors.ts';
import type { LoginSessionRepository, UserRecord, UserRepository } from '../store/types.ts';
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

const toUser = (r: UserRecord): User => ({ username: r.username, role: r.role, createdAt: r.createdAt });

/**
 * Dashboard users and their sessions, kept in the platform store. Only hashes are stored: scrypt for passwords,
 * SHA-256 for session tokens.
 */
export class UserStore {
  constructor(
    private readonly store: { users: UserRepository; loginSessions: LoginSessionRepository },
    private readonly clock: Clock,
    private readonly sessionTtlMs = 12 * 60 * 60_000,
  ) {}

  async create(username: string, password: string, role: Role): Promise<User> {
    if (!USERNAME.test(username)) throw new AuthError('INVALID_USER', 'username must be 1–64 letters, digits or _.@-');
    if (password.length < 8) throw new AuthError('WEAK_PASSWORD', 'password must have at least 8 characters');
    if (!ROLES.includes(role)) throw new AuthError('INVALID_ROLE', `role must be one of ${ROLES.join(', ')}`);
    if (await this.get(username)) throw new AuthError('USER_EXISTS', `user ${username} already exists`);
    const record: UserRecord = { username, role, passwordHash: await hashPassword(password), createdAt: this.clock.now() };
    try {
      await this.store.users.create(record);
    } catch (err) {
      // Created by another request while the password was being hashed.
      if (err instanceof StoreConflictError) throw new AuthError('USER_EXISTS', `user ${username} already exists`);
      throw err;
    }
    return toUser(record);
  }

  /** Creates the user unless one with that name exists (used to seed the demo users). */
  async ensure(username: string, password: string, role: Role): Promise<void> {
    if (await this.get(username)) return;
    try {
      await this.create(username, password, role);
    } catch (err) {
      // Another instance on the same store seeded it first.
      if (!(err instanceof AuthError && err.code === 'USER_EXISTS')) throw err;
    }
  }

  async get(username: string): Promise<User | undefined> {
    const record = await this.store.users.get(username);
    return record && toUser(record);
  }

  async list(): Promise<User[]> {
    return (await this.store.users.list()).map(toUser);
  }

  async setRole(username: string, role: Role): Promise<User> {
    if (!ROLES.includes(role)) throw new AuthError('INVALID_ROLE', `role must be one of ${ROLES.join(', ')}`);
    if (!(await this.store.users.setRole(username, role))) throw new AuthError('USER_NOT_FOUND', `user ${username} does not exist`);
    return (await this.get(username))!;
  }

  /** Deletes the user and ends its sessions. */
  async remove(username: string): Promise<void> {
    if (!(await this.store.users.delete(username))) throw new AuthError('USER_NOT_FOUND', `user ${username} does not exist`);
  }

  /** Checks the password and opens a session; null on any mismatch (without saying which part was wrong). */
  async login(username: string, password: string): Promise<{ token: string; user: User; expiresAt: number } | null> {
    const record = await this.store.users.get(username);
    if (!record) {
      dummyHash ??= hashPassword('not-a-user-password');
      await verifyPassword(password, await dummyHash);
      return null;
    }
    if (!(await verifyPassword(password, record.passwordHash))) return null;
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = now + this.sessionTtlMs;
    await this.store.loginSessions.deleteExpired(now);
    await this.store.loginSessions.create({ tokenHash: sha256(token), username, createdAt: now, expiresAt });
    return { token, user: toUser(record), expiresAt };
  }

  async sessionUser(token: string): Promise<User | null> {
    const session = await this.store.loginSessions.get(sha256(token));
    if (!session || session.expiresAt < this.clock.now()) return null;
    return (await this.get(session.username)) ?? null;
  }

  async logout(token: string): Promise<void> {
    await this.store.loginSessions.delete(sha256(token));
  }
}
