import type { FastifyInstance } from 'fastify';
import { AlarmNotFoundError, type AlarmEngine } from '../../ops/alarms/engine.ts';
import type { AlarmQuery } from '../../ops/alarms/types.ts';
import { requireRole } from '../auth-hooks.ts';
import { serialIdParams, severityEnum } from '../schemas.ts';

/** Alarms and their thresholds. */
export function alarmRoutes(alarms: AlarmEngine) {
  return async (app: FastifyInstance) => {
    const viewer = requireRole('viewer');

    app.get<{ Querystring: AlarmQuery }>(
      '/alarms',
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
      async (request) => ({ alarms: await alarms.query(request.query) }),
    );

    app.get<{ Params: { id: number } }>('/alarms/:id', { preHandler: viewer, schema: { tags: ['alarms'], params: serialIdParams } }, async (request) => {
      const alarm = await alarms.get(request.params.id);
      if (!alarm) throw new AlarmNotFoundError(request.params.id);
      return { alarm };
    });

    app.post<{ Params: { id: number } }>(
      '/alarms/:id/acknowledge',
      { preHandler: requireRole('operator'), schema: { tags: ['alarms'], summary: 'Acknowledge an open alarm (operator)', params: serialIdParams } },
      async (request) => ({ alarm: await alarms.acknowledge(request.params.id, request.principal!.name) }),
    );

    app.get('/alarm-thresholds', { preHandler: viewer, schema: { tags: ['alarms'] } }, async () => ({ thresholds: alarms.getThresholds() }));

    app.patch<{ Body: Record<string, number> }>(
      '/alarm-thresholds',
      {
        preHandler: requireRole('admin'),
        schema: {
          tags: ['alarms'],
          summary: 'Change alarm thresholds (admin)',
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: Object.fromEntries(Object.keys(alarms.getThresholds()).map((k) => [k, { type: 'number', minimum: 0 }])),
          },
        },
      },
      async (request) => {
        alarms.setThresholds(request.body);
        return { thresholds: alarms.getThresholds() };
      },
    );
  };
}
