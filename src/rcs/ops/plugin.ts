/// <reference types="@fastify/swagger" />
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { AlarmNotFoundError, AlarmStateError } from './alarms/engine.ts';
import type { AlarmQuery } from './alarms/types.ts';
import { registerAuthRoutes, requireRole } from './auth/http.ts';
import type { EventQuery } from '../store/types.ts';
import { HealthRunNotFoundError } from './health/service.ts';
import { fail } from './http-errors.ts';
import { LIVE_PROTOCOL, type ClientMessage, type HelloMessage } from './live/schema.ts';
import { FleetCommandError, SEVERITIES } from './ports.ts';
import type { OpsService } from './service.ts';

export interface RegisterOpsOptions {
  /** Built dashboard (vite output); served at / when it exists. */
  webRoot?: string;
  /** Mark the session cookie Secure (behind HTTPS). */
  secureCookie?: boolean;
}

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
const severityEnum = { type: 'string', enum: [...SEVERITIES] } as const;

/**
 * Mounts operations on the platform's fastify app: /healthz, /readyz, /metrics, the alarms, health, events, session
 * and users API, the live feed WebSocket and the dashboard's static files.
 */
export async function registerOps(app: FastifyInstance, ops: OpsService, options: RegisterOpsOptions = {}): Promise<void> {
  // Another part of the platform may already have registered the WebSocket plugin (it decorates the root).
  if (!app.hasDecorator('websocketServer')) await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const viewer = requireRole(ops.users, 'viewer');
  const operator = requireRole(ops.users, 'operator');
  const admin = requireRole(ops.users, 'admin');

  app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['ops'], summary: 'Readiness: the platform can serve AGVs and upper systems' } }, async (_req, reply) => {
    const status = ops.fleet.status();
    const ready = status.ready && Object.values(status.checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: status.checks });
  });

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics', hide: true } }, async (_req, reply) => {
    const text = await ops.metrics.text();
    return reply.header('content-type', ops.metrics.contentType).send(text);
  });

  registerAuthRoutes(app, ops.users, ops.clock, options.secureCookie ?? false);

  app.get<{ Querystring: EventQuery }>(
    '/api/v1/events',
    {
      preHandler: viewer,
      schema: {
        tags: ['ops'],
        summary: 'Recent events, newest first, by AGV, task, type or minimum severity',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            agvId: { type: 'string', maxLength: 128 },
            taskId: { type: 'string', maxLength: 128 },
            type: { type: 'string', maxLength: 64 },
            severity: severityEnum,
            since: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
      },
    },
    async (request) => ({ events: await ops.events.query(request.query) }),
  );

  app.get<{ Querystring: AlarmQuery }>(
    '/api/v1/alarms',
    {
      preHandler: viewer,
      schema: {
        tags: ['alarms'],
        summary: 'Alarms, newest first: open ones (state=open) or history',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: ['open', 'raised', 'acknowledged', 'cleared'] },
            severity: severityEnum,
            agvId: { type: 'string', maxLength: 128 },
            code: { type: 'string', maxLength: 64 },
            before: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
      },
    },
    async (request) => ({ alarms: await ops.alarms.query(request.query) }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/alarms/:id',
    { preHandler: viewer, schema: { tags: ['alarms'], params: idParam } },
    async (request, reply) => {
      const alarm = await ops.alarms.get(request.params.id);
      if (!alarm) return fail(reply, 404, 'not_found', `alarm ${request.params.id} not found`);
      return { alarm };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/v1/alarms/:id/acknowledge',
    { preHandler: operator, schema: { tags: ['alarms'], summary: 'Acknowledge an open alarm (operator)', params: idParam } },
    async (request, reply) => {
      try {
        return { alarm: await ops.alarms.acknowledge(request.params.id, request.opsUser!.username) };
      } catch (err) {
        if (err instanceof AlarmNotFoundError) return fail(reply, 404, err.code, err.message);
        if (err instanceof AlarmStateError) return fail(reply, 409, err.code, err.message);
        throw err;
      }
    },
  );

  app.get('/api/v1/alarm-thresholds', { preHandler: viewer, schema: { tags: ['alarms'] } }, async () => ({
    thresholds: ops.alarms.getThresholds(),
  }));

  app.patch<{ Body: Record<string, number> }>(
    '/api/v1/alarm-thresholds',
    {
      preHandler: admin,
      schema: {
        tags: ['alarms'],
        summary: 'Change alarm thresholds (admin)',
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: Object.fromEntries(Object.keys(ops.alarms.getThresholds()).map((k) => [k, { type: 'number', minimum: 0 }])),
        },
      },
    },
    async (request, reply) => {
      // Checked here too: the app's validator may be configured to strip unknown properties rather than refuse them.
      const known = new Set(Object.keys(ops.alarms.getThresholds()));
      const unknown = Object.keys(request.body).filter((k) => !known.has(k));
      if (unknown.length > 0 || Object.keys(request.body).length === 0) {
        return fail(reply, 400, 'validation_failed', `unknown thresholds: ${unknown.join(', ') || '(none given)'}; known: ${[...known].join(', ')}`);
      }
      ops.alarms.setThresholds(request.body);
      return { thresholds: ops.alarms.getThresholds() };
    },
  );

  app.post('/api/v1/health/runs', { preHandler: operator, schema: { tags: ['health'], summary: 'Run the fleet health diagnosis (operator)' } }, async (_req, reply) =>
    reply.code(201).send({ run: await ops.health.run('manual') }),
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/api/v1/health/runs',
    {
      preHandler: viewer,
      schema: { tags: ['health'], querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } } } },
    },
    async (request) => ({ runs: await ops.health.list(request.query.limit) }),
  );

  app.get<{ Params: { id: number } }>('/api/v1/health/runs/:id', { preHandler: viewer, schema: { tags: ['health'], params: idParam } }, async (request, reply) => {
    try {
      return { run: await ops.health.get(request.params.id) };
    } catch (err) {
      if (err instanceof HealthRunNotFoundError) return fail(reply, 404, err.code, err.message);
      throw err;
    }
  });

  app.get<{ Querystring: { from: number; to: number } }>(
    '/api/v1/health/compare',
    {
      preHandler: viewer,
      schema: {
        tags: ['health'],
        summary: 'Compare two diagnosis runs: score change, new, resolved and persisting findings',
        querystring: {
          type: 'object',
          required: ['from', 'to'],
          properties: { from: { type: 'integer', minimum: 1 }, to: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (request, reply) => {
      try {
        return { comparison: await ops.health.compare(request.query.from, request.query.to) };
      } catch (err) {
        if (err instanceof HealthRunNotFoundError) return fail(reply, 404, err.code, err.message);
        throw err;
      }
    },
  );

  app.put<{ Body: { intervalMs: number | null } }>(
    '/api/v1/health/schedule',
    {
      preHandler: admin,
      schema: {
        tags: ['health'],
        summary: 'Run the diagnosis on a schedule (admin); null switches it off',
        body: {
          type: 'object',
          required: ['intervalMs'],
          properties: { intervalMs: { anyOf: [{ type: 'integer', minimum: 60_000 }, { type: 'null' }] } },
        },
      },
    },
    async (request) => {
      if (request.body.intervalMs === null) ops.health.stopSchedule();
      else ops.health.schedule(request.body.intervalMs);
      return { intervalMs: request.body.intervalMs };
    },
  );

  registerDashboardTaskRoutes(app, ops, operator);

  app.get('/api/v1/live', { websocket: true, preHandler: viewer }, (socket, request) => {
    // The viewer preHandler let the request through, so it names the user.
    const user = request.opsUser!;
    const hello: HelloMessage = {
      type: 'hello',
      protocol: LIVE_PROTOCOL,
      user: { name: user.username, role: user.role },
      map: ops.fleet.siteMap(),
      throttleMs: ops.feed.throttle,
    };
    socket.send(JSON.stringify(hello));
    const link = ops.feed.attach(socket);
    ops.metrics.wsClients.inc();
    socket.on('message', (data) => {
      try {
        const message = JSON.parse(String(data)) as ClientMessage;
        if (message && typeof message === 'object') link.receive(message);
      } catch {
        // A malformed client message is ignored; the feed keeps going.
      }
    });
    socket.on('close', () => {
      link.detach();
      ops.metrics.wsClients.dec();
    });
  });

  if (options.webRoot && existsSync(options.webRoot)) {
    await app.register(fastifyStatic, { root: options.webRoot, prefix: '/', decorateReply: false, wildcard: false });
  }
}

function registerDashboardTaskRoutes(app: FastifyInstance, ops: OpsService, operator: ReturnType<typeof requireRole>): void {
  // The dashboard's own write path for tasks: the session-based twin of the upper-system task API (which uses
  // API keys), so the role check applies to people using the dashboard.
  app.post<{ Body: { from: string; to: string; priority?: number } }>(
    '/api/v1/dashboard/tasks',
    {
      preHandler: operator,
      schema: {
        tags: ['dashboard'],
        summary: 'Create a transport task from the dashboard (operator)',
        body: {
          type: 'object',
          required: ['from', 'to'],
          additionalProperties: false,
          properties: {
            from: { type: 'string', minLength: 1, maxLength: 128 },
            to: { type: 'string', minLength: 1, maxLength: 128 },
            priority: { type: 'integer', minimum: 0, maximum: 9 },
          },
        },
      },
    },
    async (request, reply) => {
      try {
        const task = await ops.fleet.createTask(request.body);
        ops.recordEvent({ type: 'task.created_by_operator', severity: 'info', taskId: task.id, message: `task ${task.id} created by ${request.opsUser!.username}` });
        return reply.code(201).send({ task });
      } catch (err) {
        if (err instanceof FleetCommandError) return fail(reply, err.status, err.code, err.message);
        throw err;
      }
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/dashboard/tasks/:id/cancel',
    { preHandler: operator, schema: { tags: ['dashboard'], summary: 'Cancel a task from the dashboard (operator)' } },
    async (request, reply) => {
      try {
        const task = await ops.fleet.cancelTask(request.params.id);
        ops.recordEvent({ type: 'task.cancelled_by_operator', severity: 'info', taskId: task.id, message: `task ${task.id} cancelled by ${request.opsUser!.username}` });
        return { task };
      } catch (err) {
        if (err instanceof FleetCommandError) return fail(reply, err.status, err.code, err.message);
        throw err;
      }
    },
  );
}
