// JSON schemas shared by routes and the OpenAPI document.

import { SEVERITIES } from '../ops/ports.ts';
import { RESOLVE_OUTCOMES, TASK_STATES } from '../tasks/types.ts';

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {},
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

const historySchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    from: { type: ['string', 'null'] },
    to: { type: 'string' },
    agvId: { type: ['string', 'null'] },
    detail: { type: ['string', 'null'] },
  },
} as const;

export const taskSchema = {
  $id: 'Task',
  type: 'object',
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: [...TASK_STATES] },
    pick: { type: 'string' },
    drop: { type: 'string' },
    priority: { type: 'integer' },
    deadline: { type: ['string', 'null'], format: 'date-time' },
    preferredVendor: { type: ['string', 'null'] },
    agvType: { type: ['string', 'null'] },
    externalRef: { type: ['string', 'null'] },
    agvId: { type: ['string', 'null'] },
    clientRequestId: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    reason: { type: ['string', 'null'] },
    waitingFor: { type: ['string', 'null'], description: 'GET /tasks/{id} only: why dispatch holds the queued task back (null: it does not)' },
    history: { type: 'array', items: historySchema },
  },
} as const;

const idString = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' } as const;

export const createTaskBody = {
  type: 'object',
  additionalProperties: false,
  required: ['pick', 'drop'],
  properties: {
    pick: { ...idString, description: 'station id where the load is picked up' },
    drop: { ...idString, description: 'station id where the load is dropped' },
    priority: { type: 'integer', minimum: 0, maximum: 9, default: 5, description: '0 lowest … 9 most urgent' },
    deadline: { type: 'string', format: 'date-time', description: 'ISO 8601 time by which the drop should be done' },
    preferredVendor: { type: 'string', minLength: 1, maxLength: 64 },
    agvType: { type: 'string', minLength: 1, maxLength: 64 },
    externalRef: { type: 'string', minLength: 1, maxLength: 200, description: "the upper system's own reference" },
    clientRequestId: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'idempotency key (alternative to the Idempotency-Key header)',
    },
  },
} as const;

export const idempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

export const listTasksQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: {
      type: 'string',
      pattern: `^(${TASK_STATES.join('|')})(,(${TASK_STATES.join('|')}))*$`,
      description: 'one state or a comma-separated list',
    },
    agvId: idString,
    vendor: { type: 'string', minLength: 1, maxLength: 64 },
    since: { type: 'string', format: 'date-time', description: 'created at or after' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const cancelBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

export const resolveBody = {
  type: 'object',
  required: ['outcome'],
  additionalProperties: false,
  properties: {
    outcome: {
      type: 'string',
      enum: [...RESOLVE_OUTCOMES],
      description: 'completed: the load was delivered by hand; requeue: the load is back at the pick station, dispatch again; cancelled: drop the task',
    },
    note: { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;

export const agvSchema = {
  $id: 'Agv',
  type: 'object',
  properties: {
    id: { type: 'string' },
    vendor: { type: 'string' },
    model: { type: 'string' },
    type: { type: 'string' },
    connection: { type: 'string', enum: ['online', 'offline'] },
    mode: { type: 'string', enum: ['normal', 'secure'] },
    state: { type: 'string' },
    pose: {
      type: ['object', 'null'],
      properties: { x: { type: 'number' }, y: { type: 'number' }, theta: { type: 'number' }, mapId: { type: 'string' } },
    },
    battery: { type: ['number', 'null'] },
    navMode: { type: ['string', 'null'], description: "the navigation mode the AGV last reported, e.g. 'laserSlam' or 'qrCode' (it changes at navigation switch points); null when unknown" },
    waitingFor: { type: ['string', 'null'], description: "why the AGV is not driving toward its goal, where the platform knows: 'queued for lift LIFT-W (2 ahead)', 'relocalising on F2', a failed door with no other way; null otherwise" },
    currentTaskId: { type: ['string', 'null'] },
    heldNodes: { type: 'array', items: { type: 'string' } },
    lastSeen: { type: ['string', 'null'], format: 'date-time' },
    firstSeen: { type: ['string', 'null'], format: 'date-time', description: 'first registration; null when enrolled but never seen' },
    enrolled: { type: 'boolean', description: 'an SM2 public key (secure access) or an enrolment secret (normal access) is enrolled' },
    admission: {
      type: 'string',
      enum: ['pending', 'approved', 'rejected'],
      description: 'approved: may get tasks; pending: registered on first contact, waits for an operator (no tasks, no reservations); rejected: refused access',
    },
    inService: { type: 'boolean', description: 'false while an operator has taken it out of service (no new work)' },
    paused: { type: 'boolean', description: "true while an operator's pause or stop holds it" },
    protocol: { type: ['string', 'null'], description: "'unifleet' (the guide protocol over TCP) or 'vda5050' (JSON over MQTT); null for an AGV not connected since the platform started" },
    protocolVersion: { type: ['string', 'null'], description: "version in use, e.g. '1.1' (unifleet) or '2.0.0' (vda5050)" },
  },
} as const;

export const listAgvsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    vendor: { type: 'string', minLength: 1, maxLength: 64 },
    type: { type: 'string', minLength: 1, maxLength: 64 },
    connection: { type: 'string', enum: ['online', 'offline'] },
  },
} as const;

const enrolIdentity = {
  vendor: { type: 'string', minLength: 1, maxLength: 64 },
  model: { type: 'string', minLength: 1, maxLength: 64 },
  serial: { type: 'string', minLength: 1, maxLength: 64 },
  type: { type: 'string', minLength: 1, maxLength: 64 },
} as const;

export const enrolBody = {
  type: 'object',
  additionalProperties: false,
  required: ['publicKey'],
  properties: {
    publicKey: {
      type: 'string',
      pattern: '^(04[0-9a-fA-F]{128}|0[23][0-9a-fA-F]{64})$',
      description: 'SM2 public key, hex, uncompressed (04…, 130 chars) or compressed (02/03…, 66 chars)',
    },
    ...enrolIdentity,
  },
} as const;

/** Enrolment with a secret: only the optional identity; the platform draws the secret. */
export const enrolSecretBody = { type: 'object', additionalProperties: false, properties: enrolIdentity } as const;

export const webhookBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', format: 'uri', maxLength: 2000, pattern: '^https?://' },
    secret: { type: 'string', minLength: 16, maxLength: 200, description: 'HMAC key; generated and returned once when omitted' },
    events: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      items: { type: 'string', pattern: '^(\\*|[a-z][a-z0-9_]*(\\.([a-z][a-z0-9_]*|\\*))*)$' },
      default: ['task.*'],
      description: "event types or patterns: 'task.completed', 'task.*', '*'",
    },
  },
} as const;

export const webhookSchema = {
  $id: 'Webhook',
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string', format: 'date-time' },
    secret: { type: 'string', description: 'only in the answer to a create without a secret' },
  },
} as const;

export const credentialsSchema = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

/** Integer ids of operations records (alarms, health runs). */
export const serialIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export const severityEnum = { type: 'string', enum: [...SEVERITIES] } as const;
