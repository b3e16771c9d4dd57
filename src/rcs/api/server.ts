// Composition of the HTTP API: every route of the platform (upper-system API, operations, dashboard logins) with one
// authentication, one role check and one error shape. buildApi returns the fastify instance before listen.

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import type { ApiKeyAuth } from '../auth/api-keys.ts';
import { Logins } from '../auth/logins.ts';
import type { OpsService } from '../ops/service.ts';
import type { Logger } from '../logger.ts';
import type { SiteMap } from '../site/types.ts';
import type { Store } from '../store/types.ts';
import type { TaskServiceApi } from '../tasks/types.ts';
import { apiKeyAuthenticator, installAuthentication, requireRole, sessionAuthenticator, type Guard } from './auth-hooks.ts';
import { installErrorHandling } from './errors.ts';
import { installQueryCoercion } from './query-coercion.ts';
import type { ClearReservations, FleetView } from './fleet-view.ts';
import { agvRoutes } from './routes/agvs.ts';
import { agvControlRoutes } from './routes/agv-controls.ts';
import { spaceRoutes } from './routes/space.ts';
import type { SpaceService } from '../space/space-service.ts';
import { agvDataRoutes } from './routes/agv-data.ts';
import { zoneRoutes } from './routes/zones.ts';
import type { ZoneService } from '../zones/zone-service.ts';
import type { AgvParameters } from '../agv-data/parameters.ts';
import type { RunningDataCollector } from '../agv-data/running-data.ts';
import type { OperatorControls } from '../dispatch/operator-controls.ts';
import { alarmRoutes } from './routes/alarms.ts';
import { dashboardFiles, dashboardTaskRoutes } from './routes/dashboard.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { liveRoutes } from './routes/live.ts';
import { probeRoutes } from './routes/probes.ts';
import { sessionRoutes } from './routes/session.ts';
import { siteRoutes } from './routes/site.ts';
import { platformIdentity, platformIdentityRoutes } from './routes/platform-identity.ts';
import { SiteNumbering } from '../session/site-numbering.ts';
import { taskRoutes } from './routes/tasks.ts';
import { userRoutes } from './routes/users.ts';
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
  /** Operations: dashboard logins and users, alarms, health, events, live feed, probes, metrics, the dashboard. */
  operations?: OperationsDeps;
  /** Why dispatch holds a queued task back (GET /tasks/:id `waitingFor`); none when absent. */
  taskWaits?: (taskId: string) => string | undefined;
  /** Offers POST /agvs/:id/clear-reservations when given. */
  clearReservations?: ClearReservations;
  /** Told when an operator approves or rejects an AGV (a waiting session joins the fleet or is closed). */
  admissionDecided?: (agvId: string, decision: 'approved' | 'rejected', by: string) => void;
  /** Offers the operator controls (pause, stop, out of service, charge, park; fleet-wide) when given. */
  controls?: OperatorControls;
  /** Offers autonomous space leases and reported blockages (list, revoke, clear) when given. */
  space?: SpaceService;
  /** Offers the operator zones (/zones) when given. */
  zones?: ZoneService;
  /** Offers parameter read/set and running data per AGV when given. */
  agvData?: { parameters: AgvParameters; runningData: RunningDataCollector };
  version?: string;
  /** Require role viewer for `/metrics` and for `/openapi.json` and `/docs` (both open by default). */
  protect?: { metrics?: boolean; openapi?: boolean };
  /** The platform's SM2 public key: published at /platform/identity and in enrolment answers when given. */
  platformPublicKey?: Uint8Array;
}

export interface OperationsDeps {
  service: OpsService;
  /** Built dashboard (vite output); served at / when it exists. */
  webRoot?: string;
  /** Mark the session cookie Secure (behind HTTPS). */
  secureCookie?: boolean;
}

export const API_PREFIX = '/api/v1';

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 256 * 1024,
    ...deps.fastify,
    ajv: {
      // Reject unknown fields instead of silently dropping them: a misspelt "priorty" should be an error. Never coerce
      // a type: `"priority": "7"` is a 400 (query and path values are converted by installQueryCoercion instead).
      customOptions: { removeAdditional: false, allErrors: true, coerceTypes: false },
      ...(deps.fastify?.ajv as object | undefined),
    },
  });

  installErrorHandling(app);
  installQueryCoercion(app);
  // Bodies are JSON (docs/api.md): a text/plain body is refused with 415 like any other media type.
  app.removeContentTypeParser('text/plain');
  const ops = deps.operations?.service;
  const logins = ops && new Logins(ops.users, ops.clock);
  installAuthentication(app, logins ? [apiKeyAuthenticator(deps.auth), sessionAuthenticator(logins)] : [apiKeyAuthenticator(deps.auth)]);
  for (const schema of [errorSchema, taskSchema, agvSchema, webhookSchema]) app.addSchema(schema);
  declareErrorAnswers(app);

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
        { name: 'space', description: 'autonomous space granted to AGVs, and blockages they reported' },
        { name: 'webhooks', description: 'callbacks to upper systems' },
        { name: 'alarms', description: 'alarms raised over the fleet and the platform' },
        { name: 'health', description: 'fleet health diagnosis' },
        { name: 'auth', description: 'dashboard logins and users' },
        { name: 'dashboard', description: "the dashboard's task commands" },
        { name: 'ops', description: 'probes, metrics and the event log' },
      ],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  const viewerOnly = requireRole('viewer');
  const openapiGuard: Guard[] = deps.protect?.openapi ? [viewerOnly] : [];
  app.register(swaggerUi, { routePrefix: '/docs', ...(deps.protect?.openapi ? { uiHooks: { preHandler: viewerOnly } } : {}) });
  app.get('/openapi.json', { preHandler: openapiGuard, schema: { hide: true } }, async () => app.swagger());

  const readGuard: Guard[] = deps.readAccess === 'open' ? [] : [requireRole('viewer')];
  if (ops) {
    app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    app.register(probeRoutes(() => ops.fleet.status(), ops.metrics, deps.protect?.metrics ? [viewerOnly] : []));
    app.register(dashboardFiles(deps.operations?.webRoot));
  }
  app.register(
    async (api) => {
      await api.register(taskRoutes(deps, readGuard));
      await api.register(agvRoutes(deps, readGuard));
      if (deps.controls) await api.register(agvControlRoutes(deps.controls));
      if (deps.space) await api.register(spaceRoutes(deps.space, readGuard));
      if (deps.zones) await api.register(zoneRoutes(deps.zones, readGuard));
      if (deps.agvData) await api.register(agvDataRoutes(deps.agvData.parameters, deps.agvData.runningData, readGuard));
      const numbering = new SiteNumbering(deps.site);
      await api.register(siteRoutes(numbering, readGuard));
      if (deps.platformPublicKey) await api.register(platformIdentityRoutes(platformIdentity(deps.platformPublicKey, numbering)));
      await api.register(webhookRoutes(deps));
      if (!ops || !logins) return;
      await api.register(sessionRoutes(logins, ops.clock, deps.operations?.secureCookie ?? false));
      await api.register(userRoutes(ops.users));
      await api.register(alarmRoutes(ops.alarms));
      await api.register(healthRoutes(ops.health));
      await api.register(eventRoutes(ops.events));
      await api.register(dashboardTaskRoutes(ops));
      await api.register(liveRoutes(ops));
    },
    { prefix: API_PREFIX },
  );
  return app;
}

/** Every documented route answers its 4xx and 5xx with the `Error` schema (docs/api.md, "Errors"). */
function declareErrorAnswers(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (!schema || schema.hide) return;
    route.schema = { ...schema, response: { '4xx': { $ref: 'Error#' }, '5xx': { $ref: 'Error#' }, ...(schema.response as object | undefined) } };
  });
}
