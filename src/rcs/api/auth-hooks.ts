// Request authentication for the API. Authenticators turn credentials (an API key, a dashboard session cookie) into
// a Principal; every route states the role it needs with requireRole, whoever the caller is.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyAuth } from '../auth/api-keys.ts';
import type { Logins } from '../auth/logins.ts';
import { roleAllows, type Principal, type Role } from '../auth/roles.ts';
import { ApiError } from './errors.ts';

/** Returns the principal, undefined when the request carries no credentials it understands, or throws ApiError(401). */
export type Authenticator = (request: FastifyRequest) => Promise<Principal | undefined>;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** `Authorization: Bearer <token>` or `X-API-Key: <token>`. */
export function apiKeyAuthenticator(auth: ApiKeyAuth): Authenticator {
  return async (request) => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : request.headers['x-api-key'];
    if (typeof token !== 'string' || token === '') return undefined;
    const principal = await auth.verify(token);
    if (!principal) throw new ApiError(401, 'unauthorized', 'API key is not valid (unknown, revoked or malformed)');
    return principal;
  };
}

export const SESSION_COOKIE = 'unifleet_session';

/**
 * The dashboard session token from its cookie. (Not from `Authorization: Bearer`: that header carries API keys, and
 * scripts should use API keys.)
 */
export function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** A dashboard session cookie. An expired or unknown session is no principal (the dashboard then shows its login). */
export function sessionAuthenticator(logins: Logins): Authenticator {
  return async (request) => {
    const token = sessionToken(request);
    return token ? logins.principal(token) : undefined;
  };
}

/** Sets request.principal from the first authenticator that recognises the request's credentials. */
export function installAuthentication(app: FastifyInstance, authenticators: Authenticator[]): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    for (const authenticate of authenticators) {
      const principal = await authenticate(request);
      if (principal) {
        request.principal = principal;
        return;
      }
    }
  });
}

/** preHandler: 401 without a principal, 403 when its role is below `role`. */
export type Guard = (request: FastifyRequest) => Promise<void>;

export function requireRole(role: Role): Guard {
  return async (request: FastifyRequest) => {
    const principal = request.principal;
    if (!principal) throw new ApiError(401, 'unauthorized', `log in or send an API key; this needs role ${role} or higher`);
    if (!roleAllows(principal.role, role)) {
      throw new ApiError(403, 'forbidden', `role ${principal.role} may not do this; it needs ${role} or higher`);
    }
  };
}
