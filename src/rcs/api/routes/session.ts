import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../../core/clock.ts';
import type { Logins } from '../../auth/logins.ts';
import { SESSION_COOKIE, sessionToken } from '../auth-hooks.ts';
import { ApiError } from '../errors.ts';
import { credentialsSchema } from '../schemas.ts';

/** Dashboard logins: POST opens a session (cookie), GET says who is logged in, DELETE logs out. */
export function sessionRoutes(logins: Logins, clock: Clock, secureCookie: boolean) {
  return async (app: FastifyInstance) => {
    app.post<{ Body: { username: string; password: string } }>(
      '/session',
      { schema: { tags: ['auth'], summary: 'Log in to the dashboard', body: credentialsSchema } },
      async (request, reply) => {
        const result = await logins.login(request.body.username, request.body.password, request.ip);
        if (!result.ok && result.reason === 'throttled') {
          const seconds = Math.ceil(result.retryAfterMs / 1000);
          void reply.header('retry-after', String(seconds));
          throw new ApiError(429, 'too_many_attempts', `too many failed logins for this user from this address; try again in ${seconds} s`);
        }
        if (!result.ok) throw new ApiError(401, 'unauthorized', 'wrong user name or password');
        const maxAge = Math.floor((result.expiresAt - clock.now()) / 1000);
        void reply.header(
          'set-cookie',
          `${SESSION_COOKIE}=${result.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secureCookie ? '; Secure' : ''}`,
        );
        return { user: result.user, token: result.token, expiresAt: result.expiresAt };
      },
    );

    app.get('/session', { schema: { tags: ['auth'], summary: 'Who is logged in' } }, async (request) => {
      const token = sessionToken(request);
      const user = token ? await logins.user(token) : null;
      if (!user) throw new ApiError(401, 'unauthorized', 'not logged in');
      return { user };
    });

    app.delete('/session', { schema: { tags: ['auth'], summary: 'Log out' } }, async (request, reply) => {
      const token = sessionToken(request);
      if (token) await logins.logout(token);
      void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
      return { ok: true };
    });
  };
}
