import type { FastifyInstance } from 'fastify';
import type { OpsMetrics } from '../../ops/metrics/metrics.ts';
import type { PlatformStatus } from '../../ops/ports.ts';
import type { Guard } from '../auth-hooks.ts';

const checksSchema = { type: 'object', additionalProperties: { type: 'boolean' } } as const;

/** Liveness, readiness and Prometheus metrics, at the root where orchestrators and scrapers expect them. */
export function probeRoutes(status: () => PlatformStatus, metrics: OpsMetrics, metricsGuard: Guard[] = []) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

    app.get(
      '/readyz',
      {
        schema: {
          tags: ['ops'],
          summary: 'Readiness: the platform can serve AGVs and upper systems',
          response: {
            200: { type: 'object', properties: { status: { type: 'string' }, role: { type: 'string' }, checks: checksSchema } },
            // The error shape, plus the probe's own fields so a person reading it sees which check failed.
            503: {
              type: 'object',
              properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }, status: { type: 'string' }, role: { type: 'string' }, checks: checksSchema },
            },
          },
        },
      },
      async (_req, reply) => {
        const { ready, checks, role } = status();
        // A warm standby is alive but must not get AGVs or upper systems: orchestrators route only to the leader.
        if (role === 'standby') return reply.code(503).send({ error: { code: 'standby', message: 'standby: another instance leads this site' }, status: 'standby', role, checks });
        if (ready && Object.values(checks).every(Boolean)) return { status: 'ready', role, checks };
        const failing = Object.keys(checks).filter((name) => !checks[name]);
        const message = ready ? `not ready: failing checks ${failing.join(', ')}` : 'not ready: starting up or shutting down';
        return reply.code(503).send({ error: { code: 'not_ready', message }, status: 'not ready', checks });
      },
    );

    app.get('/metrics', { preHandler: metricsGuard, schema: { tags: ['ops'], summary: 'Prometheus metrics', hide: true } }, async (_req, reply) => {
      const text = await metrics.text();
      return reply.header('content-type', metrics.contentType).send(text);
    });
  };
}
