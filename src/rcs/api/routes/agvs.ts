import { ECDH } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../../core/clock.ts';
import type { AgvAdmission, AgvRecord, Store } from '../../store/types.ts';
import { ApiError, notFound } from '../errors.ts';
import { requireRole, type Guard } from '../auth-hooks.ts';
import type { AgvView, ClearReservations, FleetFilter, FleetView } from '../fleet-view.ts';
import { enrolBody, idParams, listAgvsQuery } from '../schemas.ts';

interface AgvJson extends Omit<AgvView, 'pose' | 'battery' | 'lastSeen' | 'currentTaskId' | 'inService' | 'paused'> {
  pose: AgvView['pose'] | null;
  inService: boolean;
  paused: boolean;
  battery: number | null;
  currentTaskId: string | null;
  lastSeen: string | null;
  enrolled: boolean;
  admission: AgvAdmission;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function liveJson(view: AgvView, record: AgvRecord | undefined): AgvJson {
  return {
    ...view,
    currentTaskId: view.currentTaskId ?? null,
    lastSeen: iso(view.lastSeen),
    inService: view.inService ?? record?.inService ?? true,
    paused: view.paused ?? false,
    enrolled: Boolean(record?.publicKeyHex),
    admission: record?.admission ?? 'approved',
  };
}

/** An AGV the registry knows but the live fleet does not (enrolled, or seen before this process started). */
function registryJson(record: AgvRecord): AgvJson {
  return {
    id: record.id,
    vendor: record.vendor,
    model: record.model,
    type: record.type,
    connection: 'offline',
    mode: record.mode,
    state: 'unknown',
    pose: null,
    battery: null,
    currentTaskId: null,
    heldNodes: [],
    lastSeen: iso(record.lastSeen),
    inService: record.inService,
    paused: false,
    enrolled: Boolean(record.publicKeyHex),
    admission: record.admission,
  };
}

function matches(a: AgvJson, f: FleetFilter): boolean {
  return (!f.vendor || a.vendor === f.vendor) && (!f.type || a.type === f.type) && (!f.connection || a.connection === f.connection);
}

/** Normalises an SM2 public key to uncompressed hex, or throws 400 if it is not a point on the SM2 curve. */
function normaliseSm2Key(hex: string): string {
  try {
    return ECDH.convertKey(hex.toLowerCase(), 'SM2', 'hex', 'hex', 'uncompressed') as string;
  } catch {
    throw new ApiError(400, 'invalid_request', 'body.publicKey is not a point on the SM2 curve', [
      { field: 'body.publicKey', message: 'not a point on the SM2 curve' },
    ]);
  }
}

const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' } };

type AdmissionDecided = (agvId: string, decision: 'approved' | 'rejected', by: string) => void;

export function agvRoutes(
  deps: { fleet: FleetView; store: Store; clock: Clock; clearReservations?: ClearReservations; platformPublicKey?: Uint8Array; admissionDecided?: AdmissionDecided },
  readGuard: Guard[],
) {
  const { fleet, store, clock, clearReservations, admissionDecided } = deps;
  return async (app: FastifyInstance) => {
    for (const [action, decision] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
      app.post<{ Params: { id: string } }>(
        `/agvs/:id/${action}`,
        {
          preHandler: requireRole('operator'),
          schema: {
            tags: ['agvs'],
            summary: action === 'approve' ? 'Approve a pending AGV: it may get tasks (operator)' : 'Reject an AGV: its access is refused from now on (operator)',
            security: [{ apiKey: [] }, { bearer: [] }],
            params: idParams,
            response: { 200: { type: 'object', properties: { id: { type: 'string' }, admission: { type: 'string' } } }, ...errors, 404: { $ref: 'Error#' } },
          },
        },
        async (request) => {
          const { id } = request.params;
          const record = await store.agvs.setAdmission(id, decision);
          if (!record) throw notFound('AGV', id);
          admissionDecided?.(id, decision, request.principal?.name ?? 'an operator');
          return { id, admission: record.admission };
        },
      );
    }

    app.get<{ Querystring: FleetFilter }>(
      '/agvs',
      {
        preHandler: readGuard,
        schema: {
          tags: ['agvs'],
          summary: 'List AGVs: live ones and those the registry knows (offline)',
          querystring: listAgvsQuery,
          response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'Agv#' } } } }, ...errors },
        },
      },
      async (request) => {
        const records = new Map((await store.agvs.list()).map((r) => [r.id, r]));
        const items = fleet.list().map((v) => liveJson(v, records.get(v.id)));
        const live = new Set(items.map((a) => a.id));
        for (const record of records.values()) if (!live.has(record.id)) items.push(registryJson(record));
        items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        return { items: items.filter((a) => matches(a, request.query)) };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/agvs/:id',
      {
        preHandler: readGuard,
        schema: {
          tags: ['agvs'],
          summary: 'Get one AGV',
          params: idParams,
          response: { 200: { $ref: 'Agv#' }, ...errors, 404: { $ref: 'Error#' } },
        },
      },
      async (request) => {
        const { id } = request.params;
        const record = await store.agvs.get(id);
        const view = fleet.get(id);
        if (view) return liveJson(view, record);
        if (record) return registryJson(record);
        throw notFound('AGV', id);
      },
    );

    app.post<{ Params: { id: string }; Body: { publicKey: string; vendor?: string; model?: string; serial?: string; type?: string } }>(
      '/agvs/:id/enrol',
      {
        preHandler: requireRole('admin'),
        schema: {
          tags: ['agvs'],
          summary: "Enrol an AGV or replace its SM2 public key (admin); secure access needs it",
          security: [{ apiKey: [] }, { bearer: [] }],
          params: { ...idParams, properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' } } },
          body: enrolBody,
          response: {
            200: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                vendor: { type: 'string' },
                model: { type: 'string' },
                serial: { type: 'string' },
                type: { type: 'string' },
                publicKey: { type: 'string' },
                replaced: { type: 'boolean' },
                platformPublicKey: { type: 'string' },
              },
            },
            ...errors,
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const { publicKey, ...identity } = request.body;
        const key = normaliseSm2Key(publicKey);
        const before = await store.agvs.get(id);
        const record = await store.agvs.enrol({ id, publicKeyHex: key, ...identity });
        const replaced = Boolean(before?.publicKeyHex) && before!.publicKeyHex !== key;
        await store.events.append({
          at: clock.now(),
          agvId: id,
          severity: replaced ? 'warning' : 'info',
          type: replaced ? 'agv.key_replaced' : 'agv.enrolled',
          message: `${replaced ? 'replaced SM2 key of' : 'enrolled'} AGV ${id}${request.principal ? ` by ${request.principal.name}` : ''}`,
        });
        // The AGV pins the platform's key: hand it over with the enrolment (docs/protocol.md §12).
        const platformPublicKey = deps.platformPublicKey && Buffer.from(deps.platformPublicKey).toString('hex');
        return { id, vendor: record.vendor, model: record.model, serial: record.serial, type: record.type, publicKey: key, replaced, platformPublicKey };
      },
    );

    if (!clearReservations) return;
    app.post<{ Params: { id: string } }>(
      '/agvs/:id/clear-reservations',
      {
        preHandler: requireRole('operator'),
        schema: {
          tags: ['agvs'],
          summary: 'Free the nodes held by an offline AGV (operator)',
          description: 'Operator action after an AGV went offline and has been moved off the track. Refused (409) while the AGV is online.',
          security: [{ apiKey: [] }, { bearer: [] }],
          params: idParams,
          response: {
            200: { type: 'object', properties: { id: { type: 'string' }, heldNodes: { type: 'array', items: { type: 'string' } } } },
            ...errors,
            404: { $ref: 'Error#' },
            409: { $ref: 'Error#' },
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const outcome = clearReservations(id);
        if (outcome === 'holds_nothing') throw new ApiError(404, 'not_found', `AGV '${id}' is not connected and holds no nodes`);
        if (outcome === 'online') {
          throw new ApiError(409, 'invalid_state', `AGV '${id}' is online; its reservations are in use`, { connection: 'online' });
        }
        return { id, heldNodes: [] };
      },
    );
  };
}
