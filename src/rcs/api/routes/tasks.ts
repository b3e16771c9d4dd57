import type { FastifyInstance } from 'fastify';
import { taskToJson } from '../../tasks/serialize.ts';
import type { Clock } from '../../../core/clock.ts';
import type { Store } from '../../store/types.ts';
import type { FleetView } from '../fleet-view.ts';
import type { ResolveOutcome, TaskInput, TaskServiceApi, TaskState } from '../../tasks/types.ts';
import { ApiError, notFound } from '../errors.ts';
import { requireRole, type Guard } from '../auth-hooks.ts';
import { cancelBody, createTaskBody, idempotencyHeaders, idParams, listTasksQuery, resolveBody } from '../schemas.ts';

interface CreateBody {
  pick: string;
  drop: string;
  priority?: number;
  deadline?: string;
  preferredVendor?: string;
  agvType?: string;
  externalRef?: string;
  clientRequestId?: string;
}

interface ListQuery {
  state?: string;
  agvId?: string;
  vendor?: string;
  since?: string;
  limit?: number;
  cursor?: string;
}

const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' } };
const writeSecurity: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];

export interface TaskRouteDeps {
  tasks: TaskServiceApi;
  /** The live fleet and the AGV registry: who could ever serve a task that names a vendor or type. */
  fleet: FleetView;
  store: Pick<Store, 'agvs' | 'events'>;
  clock: Clock;
  /** Why dispatch holds a queued task back (the coordinator's waitingFor). */
  taskWaits?: (taskId: string) => string | undefined;
}

/**
 * Dispatch gives a task naming a vendor or an AGV type only to an AGV of that vendor and type. When no AGV the
 * platform knows (online, or registered/enrolled before) matches, the task could never run: say so instead of
 * letting it wait in the queue forever.
 */
async function refuseUnservable(input: TaskInput, deps: TaskRouteDeps): Promise<void> {
  const { preferredVendor: vendor, agvType: type } = input;
  if (vendor === undefined && type === undefined) return;
  const known = [...deps.fleet.list(), ...(await deps.store.agvs.list())];
  if (known.some((a) => (vendor === undefined || a.vendor === vendor) && (type === undefined || a.type === type))) return;
  const wanted = [vendor !== undefined && `vendor '${vendor}'`, type !== undefined && `type '${type}'`].filter(Boolean).join(' and ');
  const details = [
    ...(vendor !== undefined ? [{ field: 'body.preferredVendor', message: `no registered AGV matches ${wanted}` }] : []),
    ...(type !== undefined ? [{ field: 'body.agvType', message: `no registered AGV matches ${wanted}` }] : []),
  ];
  throw new ApiError(422, 'unservable', `no registered AGV is of ${wanted}; the task could never be dispatched`, details);
}

export function taskRoutes(deps: TaskRouteDeps, readGuard: Guard[]) {
  const { tasks } = deps;
  return async (app: FastifyInstance) => {
    app.post<{ Body: CreateBody; Headers: { 'idempotency-key'?: string } }>(
      '/tasks',
      {
        preHandler: requireRole('operator'),
        schema: {
          tags: ['tasks'],
          summary: 'Create a transport task',
          description:
            'Repeating a request with the same Idempotency-Key (or clientRequestId) returns the original task with 200; ' +
            'the same key with different content is a 409.',
          security: writeSecurity,
          headers: idempotencyHeaders,
          body: createTaskBody,
          response: {
            200: { $ref: 'Task#' },
            201: { $ref: 'Task#' },
            ...errors,
            409: { $ref: 'Error#' },
            422: { $ref: 'Error#' },
          },
        },
      },
      async (request, reply) => {
        const { clientRequestId, deadline, ...rest } = request.body;
        const header = request.headers['idempotency-key'];
        if (header !== undefined && clientRequestId !== undefined && header !== clientRequestId) {
          throw new ApiError(400, 'invalid_request', 'Idempotency-Key header and body.clientRequestId differ; send one or make them equal', [
            { field: 'body.clientRequestId', message: 'differs from the Idempotency-Key header' },
          ]);
        }
        const input: TaskInput = { ...rest };
        if (deadline !== undefined) input.deadline = Date.parse(deadline);
        await refuseUnservable(input, deps);
        const result = await tasks.create(input, header ?? clientRequestId);
        reply.header('location', `${app.prefix}/tasks/${result.task.id}`);
        return reply.status(result.created ? 201 : 200).send(taskToJson(result.task));
      },
    );

    app.get<{ Querystring: ListQuery }>(
      '/tasks',
      {
        preHandler: readGuard,
        schema: {
          tags: ['tasks'],
          summary: 'List tasks, newest first',
          querystring: listTasksQuery,
          response: {
            200: {
              type: 'object',
              properties: { items: { type: 'array', items: { $ref: 'Task#' } }, nextCursor: { type: 'string' } },
            },
            ...errors,
          },
        },
      },
      async (request) => {
        const q = request.query;
        const page = await tasks.list({
          state: q.state === undefined ? undefined : (q.state.split(',') as TaskState[]),
          agvId: q.agvId,
          vendor: q.vendor,
          since: q.since === undefined ? undefined : Date.parse(q.since),
          limit: q.limit,
          cursor: q.cursor,
        });
        return { items: page.items.map(taskToJson), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/tasks/:id',
      {
        preHandler: readGuard,
        schema: {
          tags: ['tasks'],
          summary: 'Get a task with its state history',
          params: idParams,
          response: { 200: { $ref: 'Task#' }, ...errors, 404: { $ref: 'Error#' } },
        },
      },
      async (request) => {
        const task = await tasks.get(request.params.id);
        if (!task) throw notFound('task', request.params.id);
        return { ...taskToJson(task), waitingFor: (task.state === 'queued' ? deps.taskWaits?.(task.id) : undefined) ?? null };
      },
    );

    app.post<{ Params: { id: string }; Body: { reason?: string } | null }>(
      '/tasks/:id/cancel',
      {
        preHandler: requireRole('operator'),
        schema: {
          tags: ['tasks'],
          summary: 'Cancel a task that is not yet completed, failed or cancelled',
          security: writeSecurity,
          params: idParams,
          body: cancelBody,
          response: { 200: { $ref: 'Task#' }, ...errors, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } },
        },
      },
      async (request) => {
        const reason = request.body?.reason;
        const who = request.principal ? ` by ${request.principal.name}` : '';
        await tasks.cancel(request.params.id, reason ?? `cancelled${who}`);
        return taskToJson((await tasks.get(request.params.id))!);
      },
    );

    app.patch<{ Params: { id: string }; Body: { priority: number } }>(
      '/tasks/:id',
      {
        preHandler: requireRole('operator'),
        schema: {
          tags: ['tasks'],
          summary: "Change a queued task's priority (operator)",
          description: 'Dispatch takes the new priority from its next round. 409 once the task has left the queue. Recorded in the history.',
          security: writeSecurity,
          params: idParams,
          body: { type: 'object', required: ['priority'], additionalProperties: false, properties: { priority: { type: 'integer', minimum: 0, maximum: 9 } } },
          response: { 200: { $ref: 'Task#' }, ...errors, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } },
        },
      },
      async (request) => {
        await tasks.setPriority(request.params.id, request.body.priority, request.principal?.name ?? 'anonymous');
        return taskToJson((await tasks.get(request.params.id))!);
      },
    );

    app.post<{ Params: { id: string }; Body: { outcome: ResolveOutcome; note?: string } }>(
      '/tasks/:id/resolve',
      {
        preHandler: requireRole('operator'),
        schema: {
          tags: ['tasks'],
          summary: 'Resolve a task in exception (its load is on a lost AGV) once the load has been found (operator)',
          description:
            'outcome completed: the load was delivered by hand; requeue: the load is back at the pick station and the task is ' +
            'dispatched again; cancelled: the task is dropped. 409 when the task is not in exception. Recorded in the event log.',
          security: writeSecurity,
          params: idParams,
          body: resolveBody,
          response: { 200: { $ref: 'Task#' }, ...errors, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } },
        },
      },
      async (request) => {
        const { outcome, note } = request.body;
        const by = request.principal?.name ?? 'anonymous';
        const task = await tasks.resolve(request.params.id, outcome, by, note);
        await deps.store.events.append({
          at: deps.clock.now(),
          severity: 'warning',
          type: 'task.resolved',
          message: `task ${task.id} resolved by ${by}: ${outcome}${note ? ` (${note})` : ''}`,
          agvId: null,
          taskId: task.id,
        });
        return taskToJson((await tasks.get(task.id))!);
      },
    );
  };
}
