/// <reference types="@fastify/swagger" />
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../core/clock.ts';
import { AuthError, ROLES, roleAtLeast, type Role, type User, type UserStore } from './users.ts';

export const SESSION_COOKIE = 'unifleet_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The dashboard user of this request, set by requireRole. */
    opsUser?: User;
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

/** Session token from the cookie the dashboard uses, or from `Authorization: Bearer` for scripts. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return cookie(request, SESSION_COOKIE);
}

export function userOf(users: UserStore, request: FastifyRequest): User | null {
  const token = sessionToken(request);
  return token ? users.sessionUser(token) : null;
}

/**
 * preHandler that lets a request through only with a session of at least `role`: 401 without a valid session,
 * 403 with a session whose role is too low. Other parts of the platform can put it on their own routes.
 */
export type RoleGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

export function requireRole(users: UserStore, role: Role): RoleGuard {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const user = userOf(users, request);
    if (!user) {
      await reply.code(401).send({ error: 'UNAUTHENTICATED', message: 'log in first (POST /api/v1/session)' });
      return reply;
    }
    if (!roleAtLeast(user.role, role)) {
      await reply.code(403).send({ error: 'FORBIDDEN', message: `this action needs the ${role} role; you are ${user.role}` });
      return reply;
    }
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
      if (throttle.blocked(username)) return reply.code(429).send({ error: 'TOO_MANY_ATTEMPTS', message: 'too many failed logins; wait a minute' });
      const session = await users.login(username, password);
      if (!session) {
        throttle.fail(username);
        return reply.code(401).send({ error: 'BAD_CREDENTIALS', message: 'wrong user name or password' });
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
    const user = userOf(users, request);
    if (!user) return reply.code(401).send({ error: 'UNAUTHENTICATED', message: 'not logged in' });
    return { user };
  });

  app.delete('/api/v1/session', { schema: { tags: ['auth'], summary: 'Log out' } }, async (request, reply) => {
    const token = sessionToken(request);
    if (token) users.logout(token);
    void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { ok: true };
  });

  app.get('/api/v1/users', { preHandler: admin, schema: { tags: ['auth'], summary: 'List dashboard users' } }, async () => ({
    users: users.list(),
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
        if (err instanceof AuthError) return reply.code(err.code === 'USER_EXISTS' ? 409 : 400).send({ error: err.code, message: err.message });
        throw err;
      }
    },
  );

  app.delete<{ Params: { username: string } }>(
    '/api/v1/users/:username',
    { preHandler: admin, schema: { tags: ['auth'], summary: 'Delete a dashboard user' } },
    async (request, reply) => {
      try {
        users.remove(request.params.username);
        return { ok: true };
      } catch (err) {
        if (err instanceof AuthError) return reply.code(404).send({ error: err.code, message: err.message });
        throw err;
      }
    },
  );
}
