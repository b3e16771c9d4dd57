// One error shape for every endpoint: { error: { code, message, details? } }. docs/api.md lists the codes; the
// OpenAPI document declares the shape as the `Error` schema on every route.

import type { FastifyError, FastifyInstance } from 'fastify';
import { AuthError } from '../auth/users.ts';
import { AlarmNotFoundError, AlarmStateError } from '../ops/alarms/engine.ts';
import { HealthRunNotFoundError } from '../ops/health/service.ts';
import { FleetCommandError } from '../ops/ports.ts';
import { AgvControlError } from '../dispatch/operator-controls.ts';
import { ZoneError } from '../zones/zone-service.ts';
import { SiteMapError } from '../site/errors.ts';
import { InvalidCursorError, StaleLeadershipError, StoreConflictError } from '../store/errors.ts';
import { IdempotencyConflictError, TaskNotFoundError, TaskRejectedError, TaskStateConflictError } from '../tasks/errors.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new ApiError(404, 'not_found', `${what} '${id}' not found`);

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns ajv's output into field-named messages, e.g. `body.priority: must be <= 9`. */
function describeValidation(context: string, issues: AjvIssue[]): { field: string; message: string }[] {
  return issues.map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    let field = path ? `${context}.${path}` : context;
    let message = issue.message ?? 'is invalid';
    if (issue.keyword === 'required') field = `${field}.${String(issue.params.missingProperty)}`;
    if (issue.keyword === 'required') message = 'is required';
    if (issue.keyword === 'additionalProperties') {
      field = `${field}.${String(issue.params.additionalProperty)}`;
      message = 'is not a known field';
    }
    if (issue.keyword === 'enum' && Array.isArray(issue.params.allowedValues)) {
      message = `must be one of ${issue.params.allowedValues.join(', ')}`;
    }
    return { field, message };
  });
}

export function toBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

const USER_FIELD: Record<AuthError['code'], string> = {
  INVALID_USER: 'body.username',
  WEAK_PASSWORD: 'body.password',
  INVALID_ROLE: 'body.role',
  USER_EXISTS: 'body.username',
  USER_NOT_FOUND: 'params.username',
};

/** The answer for an error of the platform's operations side (alarms, health runs, users, dashboard commands). */
function operationsError(err: Error): ApiError | undefined {
  if (err instanceof AlarmNotFoundError || err instanceof HealthRunNotFoundError) return new ApiError(404, 'not_found', err.message);
  if (err instanceof AlarmStateError) return new ApiError(409, 'invalid_state', err.message);
  if (err instanceof FleetCommandError) return new ApiError(err.status, err.code, err.message);
  if (err instanceof AgvControlError || err instanceof ZoneError) return new ApiError(err.status, err.code, err.message, err.details);
  if (err instanceof AuthError) {
    if (err.code === 'USER_EXISTS') return new ApiError(409, 'conflict', err.message);
    if (err.code === 'USER_NOT_FOUND') return new ApiError(404, 'not_found', err.message);
    return new ApiError(400, 'invalid_request', err.message, [{ field: USER_FIELD[err.code], message: err.message }]);
  }
  return undefined;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    const fe = err as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
    if (fe.validation) {
      const details = describeValidation(fe.validationContext ?? 'body', fe.validation);
      const message = details.map((d) => `${d.field} ${d.message}`).join('; ');
      return reply.status(400).send(toBody('invalid_request', message, details));
    }
    const known = err instanceof ApiError ? err : operationsError(err);
    if (known) return reply.status(known.statusCode).send(toBody(known.code, known.message, known.details));
    if (err instanceof TaskNotFoundError) return reply.status(404).send(toBody('not_found', err.message));
    if (err instanceof TaskStateConflictError) {
      return reply.status(409).send(toBody('invalid_state', err.message, { state: err.from }));
    }
    if (err instanceof IdempotencyConflictError) {
      return reply.status(409).send(toBody('idempotency_conflict', err.message, { taskId: err.existingTaskId }));
    }
    if (err instanceof StoreConflictError) return reply.status(409).send(toBody('conflict', err.message));
    // The store refused a write of this process's stale leadership epoch: it no longer leads; send changes to the leader.
    if (err instanceof StaleLeadershipError) return reply.status(503).send(toBody('standby', `standby: ${err.message}`));
    if (err instanceof TaskRejectedError) {
      return reply.status(422).send(toBody('unprocessable', err.message, [{ field: `body.${err.field}`, message: err.message }]));
    }
    if (err instanceof InvalidCursorError) {
      return reply.status(400).send(toBody('invalid_request', `querystring.cursor ${err.message}`, [{ field: 'querystring.cursor', message: err.message }]));
    }
    if (err instanceof SiteMapError) return reply.status(422).send(toBody('invalid_site_map', err.message, err.issues));
    // Fastify's own client errors (malformed JSON, wrong content type, body too large) carry a 4xx status.
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send(toBody(fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : 'bad_request', fe.message));
    }
    request.log.error({ err, method: request.method, url: request.url }, 'request failed');
    return reply.status(500).send(toBody('internal', 'internal error; see the server log'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(toBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
