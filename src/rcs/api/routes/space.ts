import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SpaceService } from '../../space/space-service.ts';
import type { Lease } from '../../traffic/space/space-grants.ts';
import { requireRole, type Guard } from '../auth-hooks.ts';
import { notFound } from '../errors.ts';
import { idParams } from '../schemas.ts';

// Autonomous space and reported blockages (docs/api.md, "Space and blockages"): what is granted, queued and marked,
// and the operator's two levers — take a lease back, clear a blockage once the obstacle is gone.

const security: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];
const errorAnswers = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' } };
const point = { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;
const leaseSchema = {
  type: 'object',
  properties: {
    leaseId: { type: 'integer' },
    agvId: { type: 'string' },
    requestId: { type: 'integer' },
    state: { type: 'string', enum: ['granted', 'lost'] },
    polygon: { type: 'array', items: point },
    nodes: strings,
    edges: strings,
    grantedAt: { type: 'string' },
    expiresAt: { type: 'string' },
    onLeaseLoss: { type: 'string', enum: ['stop', 'finishLeaving'] },
  },
} as const;
const blockageSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    reportedBy: { type: 'string' },
    reportedAt: { type: 'string' },
    nodes: strings,
    edges: strings,
    polygon: { type: 'array', items: point },
    detail: { type: 'string' },
  },
} as const;
const leaseParams = { type: 'object', required: ['leaseId'], properties: { leaseId: { type: 'integer', minimum: 1, maximum: 0xffffffff } } } as const;

const iso = (ms: number) => new Date(ms).toISOString();
const who = (request: FastifyRequest) => request.principal?.name ?? 'anonymous';

function leaseJson(lease: Lease, state: 'granted' | 'lost') {
  return {
    leaseId: lease.leaseId,
    agvId: lease.agvId,
    requestId: lease.requestId,
    state,
    polygon: lease.area.polygon ?? [],
    nodes: lease.nodes,
    edges: lease.edges,
    grantedAt: iso(lease.grantedAtMs),
    expiresAt: iso(lease.expiresAtMs),
    onLeaseLoss: lease.onLeaseLoss,
  };
}

export function spaceRoutes(space: SpaceService, readGuard: Guard[]) {
  return async (app: FastifyInstance) => {
    const operator = requireRole('operator');

    app.get(
      '/space/leases',
      {
        preHandler: readGuard,
        schema: {
          tags: ['space'],
          summary: 'Space granted to AGVs, lost leases still blocked, and asks waiting',
          description: 'A lost lease (expired or revoked) stays blocked until its AGV reports standing still on a node.',
          security,
          response: {
            200: {
              type: 'object',
              properties: {
                leases: { type: 'array', items: leaseSchema },
                queued: { type: 'array', items: { type: 'object', properties: { agvId: { type: 'string' }, requestId: { type: 'integer' } } } },
              },
            },
            ...errorAnswers,
          },
        },
      },
      async () => ({
        leases: [...space.grants.leases().map((l) => leaseJson(l, 'granted')), ...space.grants.lostLeases().map((l) => leaseJson(l, 'lost'))],
        queued: space.grants.queued().map((a) => ({ agvId: a.agvId, requestId: a.requestId })),
      }),
    );

    app.post<{ Params: { leaseId: number } }>(
      '/space/leases/:leaseId/revoke',
      {
        preHandler: operator,
        schema: {
          tags: ['space'],
          summary: 'Take granted space back (operator)',
          description: 'The AGV is told its lease ended (or stopped, before protocol 1.2) and acts as its grant says; the space stays blocked until it stands still on a node.',
          security,
          params: leaseParams,
          response: { 200: leaseSchema, ...errorAnswers },
        },
      },
      async (request) => {
        const lease = space.revoke(request.params.leaseId, who(request));
        if (!lease) throw notFound('lease', String(request.params.leaseId));
        return leaseJson(lease, 'lost');
      },
    );

    app.get(
      '/blockages',
      {
        preHandler: readGuard,
        schema: { tags: ['space'], summary: 'Blockages AGVs reported; every AGV is planned around them until cleared', security, response: { 200: { type: 'array', items: blockageSchema }, ...errorAnswers } },
      },
      async () => space.blockages.list().map((b) => ({ ...b, reportedAt: iso(b.reportedAtMs) })),
    );

    app.delete<{ Params: { id: string } }>(
      '/blockages/:id',
      {
        preHandler: operator,
        schema: { tags: ['space'], summary: 'Clear a reported blockage (operator)', description: 'Its nodes and edges return to the pool at once.', security, params: idParams, response: { 204: { type: 'null' }, ...errorAnswers } },
      },
      async (request, reply) => {
        if (!space.clearBlockage(request.params.id, who(request))) throw notFound('blockage', request.params.id);
        return reply.code(204).send();
      },
    );
  };
}
