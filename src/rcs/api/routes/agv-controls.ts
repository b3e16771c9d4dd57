import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgvControlState, FleetCommand, OperatorControls } from '../../dispatch/operator-controls.ts';
import { requireRole } from '../auth-hooks.ts';
import { idParams } from '../schemas.ts';

// Operator controls over single AGVs and the whole fleet (docs/api.md, "AGV controls"). Each answer is the AGV's
// control state after the action; the event log records who did it.

const security: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];
const errorAnswers = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' }, 502: { $ref: 'Error#' } };
const stateProperties = { id: { type: 'string' }, inService: { type: 'boolean' }, paused: { type: 'boolean' } } as const;
const stateAnswer = { type: 'object', properties: stateProperties } as const;

const who = (request: FastifyRequest) => request.principal?.name ?? 'anonymous';

type AgvAction = (controls: OperatorControls, id: string, by: string) => Promise<AgvControlState>;

const AGV_ACTIONS: { path: string; summary: string; description: string; run: AgvAction }[] = [
  {
    path: 'pause',
    summary: 'Pause an AGV at its next node (operator)',
    description: 'The AGV brakes at its next node and keeps the nodes it holds; nothing more is released until resume.',
    run: (c, id, by) => c.pause(id, by),
  },
  { path: 'resume', summary: 'Resume a paused AGV (operator)', description: 'It continues its job from where it stands. 409 while emergency-stopped.', run: (c, id, by) => c.resume(id, by) },
  { path: 'estop', summary: 'Emergency-stop an AGV (operator)', description: 'The AGV stops at once and stays stopped until the stop is released.', run: (c, id, by) => c.estop(id, by) },
  { path: 'estop/release', summary: "Release an AGV's emergency stop (operator)", description: 'It continues its order.', run: (c, id, by) => c.releaseEstop(id, by) },
  { path: 'in-service', summary: 'Put an AGV back in service (operator)', description: 'Dispatch gives it work again.', run: (c, id, by) => c.inService(id, by) },
  {
    path: 'map-switch/retry',
    summary: 'Retry the map switch of an AGV held in a lift after failed relocalisation (operator)',
    description:
      'Sends mapSwitch again at once, with a fresh set of automatic retries behind it (docs/lifts-and-doors.md). 409 when the AGV is ' +
      'not held in a cabin after a failed relocalisation, or is relocalising right now; 404 for an unknown AGV.',
    run: (c, id, by) => c.retryMapSwitch(id, by),
  },
];

export function agvControlRoutes(controls: OperatorControls) {
  return async (app: FastifyInstance) => {
    const operator = requireRole('operator');

    for (const action of AGV_ACTIONS) {
      app.post<{ Params: { id: string } }>(
        `/agvs/:id/${action.path}`,
        {
          preHandler: operator,
          schema: { tags: ['agvs'], summary: action.summary, description: action.description, security, params: idParams, response: { 200: stateAnswer, ...errorAnswers } },
        },
        async (request) => action.run(controls, request.params.id, who(request)),
      );
    }

    app.post<{ Params: { id: string }; Body: { task?: 'finish' | 'handBack' } | null }>(
      '/agvs/:id/out-of-service',
      {
        preHandler: operator,
        schema: {
          tags: ['agvs'],
          summary: 'Take an AGV out of service (operator)',
          description:
            'Dispatch gives it no new work. task "finish" (default): it finishes its current task; "handBack": a task not yet ' +
            'picked up goes back to the queue (one past pick is finished). Kept across restarts.',
          security,
          params: idParams,
          body: {
            type: ['object', 'null'],
            additionalProperties: false,
            properties: { task: { type: 'string', enum: ['finish', 'handBack'] } },
          },
          response: { 200: { type: 'object', properties: { ...stateProperties, handedBack: { type: ['string', 'null'] } } }, ...errorAnswers },
        },
      },
      async (request) => controls.outOfService(request.params.id, who(request), request.body?.task === 'handBack'),
    );

    for (const kind of ['charge', 'park'] as const) {
      app.post<{ Params: { id: string } }>(
        `/agvs/:id/${kind}`,
        {
          preHandler: operator,
          schema: {
            tags: ['agvs'],
            summary: kind === 'charge' ? 'Send an idle AGV to the nearest free charger (operator)' : 'Send an idle AGV to the nearest free parking node (operator)',
            description: '409 when the AGV is not idle, is paused or stopped, or no such node is free.',
            security,
            params: idParams,
            response: { 200: { type: 'object', properties: { ...stateProperties, node: { type: 'string' } } }, ...errorAnswers },
          },
        },
        async (request) => controls.sendTo(request.params.id, kind, who(request)),
      );
    }

    for (const command of ['pause', 'resume', 'stop'] as const satisfies readonly FleetCommand[]) {
      app.post<{ Body: { timeoutMs?: number; agvIds?: string[]; vendor?: string } | null }>(
        `/fleet/${command}`,
        {
          preHandler: operator,
          schema: {
            tags: ['agvs'],
            summary: `${command === 'stop' ? 'Emergency-stop' : command === 'pause' ? 'Pause' : 'Resume'} every online AGV (operator)`,
            description:
              'Sent at once to every AGV, or to a group: agvIds (a list) and/or vendor. The answer lists the online AGVs that confirmed ' +
              'within timeoutMs (default 3000), those that did not (with why), and the offline ones, whose hold is kept for when they ' +
              'return. Holds survive a restart. resume also releases emergency stops.',
            security,
            body: {
              type: ['object', 'null'],
              additionalProperties: false,
              properties: {
                timeoutMs: { type: 'integer', minimum: 100, maximum: 60_000 },
                agvIds: { type: 'array', minItems: 1, maxItems: 10_000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 } },
                vendor: { type: 'string', minLength: 1, maxLength: 64 },
              },
            },
            response: {
              200: {
                type: 'object',
                properties: {
                  command: { type: 'string' },
                  confirmed: { type: 'array', items: { type: 'string' } },
                  unconfirmed: {
                    type: 'array',
                    items: { type: 'object', properties: { id: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } },
                  },
                  offline: { type: 'array', items: { type: 'string' } },
                },
              },
              ...errorAnswers,
            },
          },
        },
        async (request) => controls.fleet(command, who(request), request.body?.timeoutMs ?? 3_000, { agvIds: request.body?.agvIds, vendor: request.body?.vendor }),
      );
    }
  };
}
