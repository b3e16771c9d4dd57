import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZoneInput } from '../../zones/zone.ts';
import type { ZoneService } from '../../zones/zone-service.ts';
import type { Guard } from '../auth-hooks.ts';
import { requireRole } from '../auth-hooks.ts';
import { idParams } from '../schemas.ts';

// Operator zones (docs/api.md, "Zones"): blocked areas, speed limits, one-way aisles and occupancy limits, kept in
// the store and applied to traffic at once (one-way: at the next start). Changes are recorded in the event log.

const security: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];
const errorAnswers = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } };
const nodeList = { type: 'array', maxItems: 5000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 } } as const;
const point = { type: 'object', additionalProperties: false, required: ['x', 'y'], properties: { x: { type: 'number' }, y: { type: 'number' } } } as const;
const polygon = { type: 'array', maxItems: 256, items: point } as const;

const zoneAnswer = {
  type: 'object',
  properties: {
    id: { type: 'string' }, type: { type: 'string' }, name: { type: 'string' }, reason: { type: 'string' },
    nodes: { type: 'array', items: { type: 'string' } }, edges: { type: 'array', items: { type: 'string' } },
    polygon: { type: 'array', items: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } } },
    mode: { type: 'string' }, maxSpeed: { type: 'number' }, path: { type: 'array', items: { type: 'string' } }, maxAgvs: { type: 'integer' },
    createdBy: { type: 'string' }, createdAt: { type: 'integer' },
    covered: { type: 'object', properties: { nodes: { type: 'array', items: { type: 'string' } }, edges: { type: 'array', items: { type: 'string' } } } },
    effective: { type: 'string' },
    occupants: { type: 'array', items: { type: 'string' } },
    paused: { type: 'array', items: { type: 'string' } },
  },
} as const;

const who = (request: FastifyRequest) => request.principal?.name ?? 'anonymous';

export function zoneRoutes(zones: ZoneService, readGuard: Guard[]) {
  return async (app: FastifyInstance) => {
    app.get('/zones', { preHandler: readGuard, schema: { tags: ['site'], summary: 'Operator zones in force', security, response: { 200: { type: 'object', properties: { items: { type: 'array', items: zoneAnswer } } }, ...errorAnswers } } }, async () => ({
      items: zones.list(),
    }));

    app.get<{ Params: { id: string } }>(
      '/zones/:id',
      { preHandler: readGuard, schema: { tags: ['site'], summary: 'One operator zone', security, params: idParams, response: { 200: zoneAnswer, ...errorAnswers } } },
      async (request) => zones.get(request.params.id),
    );

    app.post<{ Body: ZoneInput }>(
      '/zones',
      {
        preHandler: requireRole('operator'),
        schema: {
          tags: ['site'],
          summary: 'Create an operator zone (operator)',
          description:
            'type blocked (nodes/edges/polygon, mode leave|stop), speedLimit (area + maxSpeed m/s, sent in orders), oneWay (path: nodes in the ' +
            'allowed direction; takes effect at the next start), maxOccupancy (area + maxAgvs). The area is nodes, edges and/or a polygon in metres.',
          security,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'name'],
            properties: {
              type: { type: 'string', enum: ['blocked', 'speedLimit', 'oneWay', 'maxOccupancy'] },
              name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
              reason: { type: 'string', maxLength: 500 },
              nodes: nodeList,
              edges: nodeList,
              polygon,
              mode: { type: 'string', enum: ['leave', 'stop'] },
              maxSpeed: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
              path: { ...nodeList, maxItems: 1000 },
              maxAgvs: { type: 'integer', minimum: 1, maximum: 1000 },
            },
          },
          response: { 201: zoneAnswer, ...errorAnswers },
        },
      },
      async (request, reply) => reply.code(201).send(await zones.create(request.body, who(request))),
    );

    app.delete<{ Params: { id: string } }>(
      '/zones/:id',
      {
        preHandler: requireRole('operator'),
        schema: { tags: ['site'], summary: 'Remove an operator zone (operator)', description: 'AGVs a stop zone paused are resumed.', security, params: idParams, response: { 204: { type: 'null' }, ...errorAnswers } },
      },
      async (request, reply) => {
        await zones.remove(request.params.id, who(request));
        return reply.code(204).send();
      },
    );
  };
}
