import { ECDH, randomBytes } from 'node:crypto';
import { ENROLMENT_SECRET_BYTES, enrolmentSecretKey } from '../../../protocol/index.ts';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../../core/clock.ts';
import type { AgvAdmission, AgvEnrolment, AgvRecord, Store } from '../../store/types.ts';
import { ApiError, notFound } from '../errors.ts';
import { requireRole, type Guard } from '../auth-hooks.ts';
import type { AgvView, ClearReservations, FleetFilter, FleetView } from '../fleet-view.ts';
import { enrolBody, enrolSecretBody, idParams, listAgvsQuery } from '../schemas.ts';

interface AgvJson extends Omit<AgvView, 'pose' | 'battery' | 'navMode' | 'waitingFor' | 'lastSeen' | 'currentTaskId' | 'inService' | 'paused' | 'protocol' | 'protocolVersion'> {
  navMode: string | null;
  waitingFor: string | null;
  protocol: string | null;
  protocolVersion: string | null;
  pose: AgvView['pose'] | null;
  inService: boolean;
  paused: boolean;
  battery: number | null;
  currentTaskId: string | null;
  lastSeen: string | null;
  /** When the AGV first registered; null when enrolled but never seen. */
  firstSeen: string | null;
  enrolled: boolean;
  admission: AgvAdmission;
}

/** An AGV holds a credential: an SM2 key (secure access) or an enrolment secret (normal access). */
const isEnrolled = (record: AgvRecord | undefined): boolean => Boolean(record?.publicKeyHex || record?.secretVerifierHex);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function liveJson(view: AgvView, record: AgvRecord | undefined): AgvJson {
  return {
    ...view,
    navMode: view.navMode ?? null,
    waitingFor: view.waitingFor ?? null,
    currentTaskId: view.currentTaskId ?? null,
    lastSeen: iso(view.lastSeen),
    firstSeen: iso(record?.firstSeen ?? null),
    inService: view.inService ?? record?.inService ?? true,
    paused: view.paused ?? false,
    protocol: view.protocol ?? storedProtocol(record)?.name ?? null,
    protocolVersion: view.protocolVersion ?? storedProtocol(record)?.version ?? null,
    enrolled: isEnrolled(record),
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
    navMode: null,
    waitingFor: null,
    currentTaskId: null,
    heldNodes: [],
    lastSeen: iso(record.lastSeen),
    firstSeen: iso(record.firstSeen),
    inService: record.inService,
    paused: false,
    protocol: storedProtocol(record)?.name ?? null,
    protocolVersion: storedProtocol(record)?.version ?? null,
    enrolled: isEnrolled(record),
    admission: record.admission,
  };
}

/** A VDA 5050 AGV's registration records its protocol among its capabilities; a guide-protocol one does not. */
function storedProtocol(record: AgvRecord | undefined): { name: string; version: string } | undefined {
  const caps = record?.capabilities as { protocol?: unknown; protocolVersion?: unknown } | null | undefined;
  return typeof caps?.protocol === 'string' ? { name: caps.protocol, version: typeof caps.protocolVersion === 'string' ? caps.protocolVersion : '' } : undefined;
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

    const enrolParams = { ...idParams, properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' } } };
    const enrolledJson = {
      id: { type: 'string' },
      vendor: { type: 'string' },
      model: { type: 'string' },
      serial: { type: 'string' },
      type: { type: 'string' },
      replaced: { type: 'boolean' },
      platformPublicKey: { type: 'string' },
    } as const;

    /** Stores the AGV's new credential (approving it) and logs whether it replaced another one. */
    const enrol = async (enrolment: AgvEnrolment & { credential: string }, replaced: (before: AgvRecord) => boolean, by: string | undefined) => {
      const { credential, ...input } = enrolment;
      const before = await store.agvs.get(input.id);
      const record = await store.agvs.enrol(input);
      const wasReplaced = before !== undefined && replaced(before);
      await store.events.append({
        at: clock.now(),
        agvId: input.id,
        severity: wasReplaced ? 'warning' : 'info',
        type: wasReplaced ? 'agv.key_replaced' : 'agv.enrolled',
        message: `${wasReplaced ? `replaced the credential of AGV ${input.id} with` : `enrolled AGV ${input.id} with`} ${credential}${by ? ` by ${by}` : ''}`,
      });
      // The AGV pins the platform's key: hand it over with the enrolment (docs/protocol.md §12).
      const platformPublicKey = deps.platformPublicKey && Buffer.from(deps.platformPublicKey).toString('hex');
      return { id: record.id, vendor: record.vendor, model: record.model, serial: record.serial, type: record.type, replaced: wasReplaced, platformPublicKey };
    };

    app.post<{ Params: { id: string }; Body: { publicKey: string; vendor?: string; model?: string; serial?: string; type?: string } }>(
      '/agvs/:id/enrol',
      {
        preHandler: requireRole('admin'),
        schema: {
          tags: ['agvs'],
          summary: "Enrol an AGV or replace its SM2 public key (admin); secure access needs it",
          security: [{ apiKey: [] }, { bearer: [] }],
          params: enrolParams,
          body: enrolBody,
          response: { 200: { type: 'object', properties: { ...enrolledJson, publicKey: { type: 'string' } } }, ...errors },
        },
      },
      async (request) => {
        const { id } = request.params;
        const { publicKey, ...identity } = request.body;
        const key = normaliseSm2Key(publicKey);
        // One credential per AGV: an SM2 key supersedes an enrolment secret.
        const enrolment = { id, publicKeyHex: key, secretVerifierHex: null, credential: 'an SM2 key', ...identity };
        const done = await enrol(enrolment, (b) => (Boolean(b.publicKeyHex) && b.publicKeyHex !== key) || Boolean(b.secretVerifierHex), request.principal?.name);
        return { ...done, publicKey: key };
      },
    );

    app.post<{ Params: { id: string }; Body: { vendor?: string; model?: string; serial?: string; type?: string } }>(
      '/agvs/:id/enrol-secret',
      {
        preHandler: requireRole('admin'),
        schema: {
          tags: ['agvs'],
          summary: 'Enrol an AGV with a new enrolment secret for normal-mode access (admin); the secret is shown only in this response',
          description:
            'Draws a random 32-byte secret and stores only its SHA-256. The AGV proves it at every normal-mode access (docs/protocol.md §6, "Enrolment secret"). ' +
            'Replaces any earlier secret or SM2 key of the AGV. A shared secret is weaker than an SM2 key: anyone who reads the AGV registry can impersonate the AGV.',
          security: [{ apiKey: [] }, { bearer: [] }],
          params: enrolParams,
          body: enrolSecretBody,
          response: {
            200: { type: 'object', properties: { ...enrolledJson, secret: { type: 'string', description: '32 bytes, hex; shown once, never stored' } } },
            ...errors,
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const secret = randomBytes(ENROLMENT_SECRET_BYTES);
        const verifier = Buffer.from(enrolmentSecretKey(secret)).toString('hex');
        const enrolment = { id, publicKeyHex: null, secretVerifierHex: verifier, credential: 'an enrolment secret', ...request.body };
        const done = await enrol(enrolment, (b) => Boolean(b.publicKeyHex || b.secretVerifierHex), request.principal?.name);
        return { ...done, secret: secret.toString('hex') };
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
