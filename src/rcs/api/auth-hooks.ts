// Request authentication for the API. Authenticators turn credentials into a Principal; routes state the role they
// need with requireRole. Dashboard logins (operations) add their own authenticator with app.addAuthenticator.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyAuth } from '../auth/api-keys.ts';
import { roleAllows, type Principal, type Role } from '../auth/roles.ts';
import { ApiError } from './errors.ts';

/** Returns the principal, undefined when the request carries no credentials it understands, or throws ApiError(401). */
export type Authenticator = (request: FastifyRequest) => Promise<Principal | undefined>;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyInstance {
    addAuthenticator(authenticator: Authenticator): void;
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

export function installAuthentication(app: FastifyInstance, initial: Authenticator[]): void {
  const authenticators = [...initial];
  app.decorate('addAuthenticator', (a: Authenticator) => {
    authenticators.push(a);
  });
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
    if (!principal) throw new ApiError(401, 'unauthorized', `this endpoint needs an API key with role ${role} or higher`);
    if (!roleAllows(principal.role, role)) {
      throw new ApiError(403, 'forbidden', `role ${principal.role} may not do this; it needs ${role} or higher`);
    }
  };
}
