// Composition of the HTTP API. buildApi returns the fastify instance before listen so other modules (operations:
// dashboard, alarms, metrics, logins) can register their plugins and authenticators on it.

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import type { ApiKeyAuth } from '../auth/api-keys.ts';
import type { Logger } from '../logger.ts';
import type { SiteMap } from '../site/types.ts';
import type { Store } from '../store/types.ts';
import type { TaskServiceApi } from '../tasks/types.ts';
import { apiKeyAuthenticator, installAuthentication, requireRole, type Authenticator, type Guard } from './auth-hooks.ts';
import { installErrorHandling } from './errors.ts';
import type { FleetView } from './fleet-view.ts';
import { agvRoutes } from './routes/agvs.ts';
import { siteRoutes } from './routes/site.ts';
import { taskRoutes } from './routes/tasks.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { agvSchema, errorSchema, taskSchema, webhookSchema } from './schemas.ts';

export interface ApiDeps {
  store: Store;
  tasks: TaskServiceApi;
  fleet: FleetView;
  site: SiteMap;
  auth: ApiKeyAuth;
  clock: Clock;
  /**
   * 'viewer' (default): every read needs a key (any role). 'open': reads are anonymous, e.g. for a demo on a closed
   * network. Writes always need operator (enrolment: admin).
   */
  readAccess?: 'viewer' | 'open';
  /** Request logs and every 5xx with its request id, method and URL; none when absent. */
  logger?: Logger;
  /** Passed to fastify (bodyLimit, …). */
  fastify?: FastifyServerOptions;
  /** Extra authenticators tried after API keys. */
  authenticators?: Authenticator[];
  version?: string;
}

export const API_PREFIX = '/api/v1';

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 256 * 1024,
    ...deps.fastify,
    ajv: {
      // Reject unknown fields instead of silently dropping them: a misspelt "priorty" should be an error.
      customOptions: { removeAdditional: false, allErrors: true },
      ...deps.fastify?.ajv,
    },
  });

  installErrorHandling(app);
  installAuthentication(app, [apiKeyAuthenticator(deps.auth), ...(deps.authenticators ?? [])]);
  for (const schema of [errorSchema, taskSchema, agvSchema, webhookSchema]) app.addSchema(schema);

  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'UniFleet platform API',
        version: deps.version ?? '1.0.0',
        description: 'Transport tasks, AGVs, site map and webhooks for upper systems (MES/WMS/ERP). See docs/api.md.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      tags: [
        { name: 'tasks', description: 'transport tasks' },
        { name: 'agvs', description: 'the fleet' },
        { name: 'site', description: 'the site map' },
        { name: 'webhooks', description: 'callbacks to upper systems' },
      ],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const readGuard: Guard[] = deps.readAccess === 'open' ? [] : [requireRole('viewer')];
  app.register(
    async (api) => {
      await api.register(taskRoutes(deps.tasks, readGuard));
      await api.register(agvRoutes(deps, readGuard));
      await api.register(siteRoutes(deps.site, readGuard));
      await api.register(webhookRoutes(deps));
    },
    { prefix: API_PREFIX },
  );
  return app;
}
