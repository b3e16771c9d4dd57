import type { FastifyInstance } from 'fastify';
import type { HealthService } from '../../ops/health/service.ts';
import { requireRole } from '../auth-hooks.ts';
import { serialIdParams } from '../schemas.ts';

/** The fleet health diagnosis: runs, their comparison and the schedule. */
export function healthRoutes(health: HealthService) {
  return async (app: FastifyInstance) => {
    const viewer = requireRole('viewer');

    app.post(
      '/health/runs',
      { preHandler: requireRole('operator'), schema: { tags: ['health'], summary: 'Run the fleet health diagnosis (operator)' } },
      async (_req, reply) => reply.code(201).send({ run: await health.run('manual') }),
    );

    app.get<{ Querystring: { limit?: number } }>(
      '/health/runs',
      {
        preHandler: viewer,
        schema: { tags: ['health'], querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } } } },
      },
      async (request) => ({ runs: await health.list(request.query.limit) }),
    );

    app.get<{ Params: { id: number } }>('/health/runs/:id', { preHandler: viewer, schema: { tags: ['health'], params: serialIdParams } }, async (request) => ({
      run: await health.get(request.params.id),
    }));

    app.get<{ Querystring: { from: number; to: number } }>(
      '/health/compare',
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
      async (request) => ({ comparison: await health.compare(request.query.from, request.query.to) }),
    );

    app.put<{ Body: { intervalMs: number | null } }>(
      '/health/schedule',
      {
        preHandler: requireRole('admin'),
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
        if (request.body.intervalMs === null) health.stopSchedule();
        else health.schedule(request.body.intervalMs);
        return { intervalMs: request.body.intervalMs };
      },
    );
  };
}
