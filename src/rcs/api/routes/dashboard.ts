import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import type { OpsService } from '../../ops/service.ts';
import { requireRole } from '../auth-hooks.ts';

/** The built dashboard (vite output), served at / when it exists. */
export function dashboardFiles(webRoot: string | undefined) {
  return async (app: FastifyInstance) => {
    if (webRoot && existsSync(webRoot)) {
      await app.register(fastifyStatic, { root: webRoot, prefix: '/', decorateReply: false, wildcard: false });
    }
  };
}

/**
 * The dashboard's own write path for tasks: the twin of the task API in the dashboard's terms (from/to stations),
 * recording which person created or cancelled a task in the event log.
 */
export function dashboardTaskRoutes(ops: Pick<OpsService, 'fleet' | 'recordEvent'>) {
  return async (app: FastifyInstance) => {
    const operator = requireRole('operator');

    app.post<{ Body: { from: string; to: string; priority?: number } }>(
      '/dashboard/tasks',
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
        const task = await ops.fleet.createTask(request.body);
        ops.recordEvent({ type: 'task.created_by_operator', severity: 'info', taskId: task.id, message: `task ${task.id} created by ${request.principal!.name}` });
        return reply.code(201).send({ task });
      },
    );

    app.post<{ Params: { id: string } }>(
      '/dashboard/tasks/:id/cancel',
      { preHandler: operator, schema: { tags: ['dashboard'], summary: 'Cancel a task from the dashboard (operator)' } },
      async (request) => {
        const task = await ops.fleet.cancelTask(request.params.id);
        ops.recordEvent({ type: 'task.cancelled_by_operator', severity: 'info', taskId: task.id, message: `task ${task.id} cancelled by ${request.principal!.name}` });
        return { task };
      },
    );
  };
}
