import type { FastifyInstance } from 'fastify';
import type { EventQuery, EventRepository } from '../../store/types.ts';
import { requireRole } from '../auth-hooks.ts';
import { severityEnum } from '../schemas.ts';

/** The platform's event log. */
export function eventRoutes(events: EventRepository) {
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: EventQuery }>(
      '/events',
      {
        preHandler: requireRole('viewer'),
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
      async (request) => ({ events: await events.query(request.query) }),
    );
  };
}
