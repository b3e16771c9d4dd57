/// <reference types="@fastify/swagger" />
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../core/clock.ts';
import { fail } from '../http-errors.ts';
import { AuthError, ROLES, roleAtLeast, type Role, type User, type UserStore } from './users.ts';

export const SESSION_COOKIE = 'unifleet_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request, as checked by requireRole: a dashboard user, or an API key's principal. */
    opsUser?: { username: string; role: Role };
    /** Set by the platform API's authenticators (API keys, and dashboard sessions via sessionAuthenticator). */
    principal?: { kind: string; id: string; name: string; role: Role };
  }
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * Session token from the dashboard's cookie. (Not from `Authorization: Bearer`: on the platform that header carries
 * API keys, and scripts should use API keys.)
 */
export function sessionToken(request: FastifyRequest): string | undefined {
  return cookie(request, SESSION_COOKIE);
}

export async function userOf(users: UserStore, request: FastifyRequest): Promise<User | null> {
  const token = sessionToken(request);
  return token ? users.sessionUser(token) : null;
}

/**
 * For the platform API's authentication (app.addAuthenticator): turns a dashboard session cookie into a principal,
 * so the task API's own role checks apply to people logged in to the dashboard too.
 */
export function sessionAuthenticator(users: UserStore): (request: FastifyRequest) => Promise<{ kind: string; id: string; name: string; role: Role } | undefined> {
  return async (request) => {
    const token = cookie(request, SESSION_COOKIE);
    const user = token ? await users.sessionUser(token) : null;
    return user ? { kind: 'user', id: user.username, name: user.username, role: user.role } : undefined;
  };
}

export type RoleGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/**
 * preHandler that lets a request through only for a caller with at least `role`: a dashboard session (cookie), or
 * a principal the platform's authentication already established (API key). 401 without either, 403 when the role
 * is too low. Other parts of the platform can put it on their own routes.
 */
export function requireRole(users: UserStore, role: Role): RoleGuard {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = request.principal;
    const user = principal ? { username: principal.name, role: principal.role } : await userOf(users, request);
    if (!user) return fail(reply, 401, 'unauthorized', 'log in first (POST /api/v1/session) or send an API key');
    if (!roleAtLeast(user.role, role)) return fail(reply, 403, 'forbidden', `role ${user.role} may not do this; it needs ${role} or higher`);
    request.opsUser = user;
  };
}

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

const credentialsSchema = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

export function registerAuthRoutes(app: FastifyInstance, users: UserStore, clock: Clock, secureCookie: boolean): void {
  const throttle = new LoginThrottle(clock);
  const admin = requireRole(users, 'admin');

  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/session',
    { schema: { tags: ['auth'], summary: 'Log in to the dashboard', body: credentialsSchema } },
    async (request, reply) => {
      const { username, password } = request.body;
      if (throttle.blocked(username)) return fail(reply, 429, 'too_many_attempts', 'too many failed logins; wait a minute');
      const session = await users.login(username, password);
      if (!session) {
        throttle.fail(username);
        return fail(reply, 401, 'bad_credentials', 'wrong user name or password');
      }
      throttle.succeed(username);
      const maxAge = Math.floor((session.expiresAt - clock.now()) / 1000);
      void reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${session.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secureCookie ? '; Secure' : ''}`,
      );
      return { user: session.user, token: session.token, expiresAt: session.expiresAt };
    },
  );

  app.get('/api/v1/session', { schema: { tags: ['auth'], summary: 'Who is logged in' } }, async (request, reply) => {
    const user = await userOf(users, request);
    if (!user) return fail(reply, 401, 'unauthorized', 'not logged in');
    return { user };
  });

  app.delete('/api/v1/session', { schema: { tags: ['auth'], summary: 'Log out' } }, async (request, reply) => {
    const token = sessionToken(request);
    if (token) await users.logout(token);
    void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { ok: true };
  });

  app.get('/api/v1/users', { preHandler: admin, schema: { tags: ['auth'], summary: 'List dashboard users' } }, async () => ({
    users: await users.list(),
  }));

  app.post<{ Body: { username: string; password: string; role: Role } }>(
    '/api/v1/users',
    {
      preHandler: admin,
      schema: {
        tags: ['auth'],
        summary: 'Create a dashboard user',
        body: {
          type: 'object',
          required: ['username', 'password', 'role'],
          additionalProperties: false,
          properties: { ...credentialsSchema.properties, role: { type: 'string', enum: [...ROLES] } },
        },
      },
    },
    async (request, reply) => {
      try {
        const user = await users.create(request.body.username, request.body.password, request.body.role);
        return reply.code(201).send({ user });
      } catch (err) {
        if (err instanceof AuthError) return fail(reply, err.code === 'USER_EXISTS' ? 409 : 400, err.code.toLowerCase(), err.message);
        throw err;
      }
    },
  );

  app.delete<{ Params: { username: string } }>(
    '/api/v1/users/:username',
    { preHandler: admin, schema: { tags: ['auth'], summary: 'Delete a dashboard user' } },
    async (request, reply) => {
      try {
        await users.remove(request.params.username);
        return { ok: true };
      } catch (err) {
        if (err instanceof AuthError) return fail(reply, 404, 'not_found', err.message);
        throw err;
      }
    },
  );
}
