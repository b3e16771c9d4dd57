import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgvParameters } from '../../agv-data/parameters.ts';
import { PARAMETER_UNITS } from '../../agv-data/parameters.ts';
import type { RunningDataCollector } from '../../agv-data/running-data.ts';
import type { Guard } from '../auth-hooks.ts';
import { requireRole } from '../auth-hooks.ts';
import { idParams } from '../schemas.ts';

// An AGV's basic parameters (read and set over the protocol's parameter messages) and its running data (docs/api.md,
// "Parameters and running data"). A refusal by the AGV is a 502 with its reason, silence a 504.

const security: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];
const errorAnswers = {
  400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' },
  502: { $ref: 'Error#' }, 504: { $ref: 'Error#' },
};
const paramNames = Object.keys(PARAMETER_UNITS);
const sampleSchema = {
  type: 'object',
  properties: {
    agvId: { type: 'string' }, at: { type: 'integer' }, odometerM: { type: 'integer' }, operatingS: { type: 'integer' }, drivingS: { type: 'integer' },
    liftCycles: { type: 'integer' }, chargeCycles: { type: 'integer' }, batteryHealth: { type: 'integer' }, batteryTemperature: { type: 'integer' },
    diagnostics: { type: 'array', items: { type: 'object', properties: { key: { type: 'integer' }, value: { type: 'integer' } } } },
  },
} as const;

const who = (request: FastifyRequest) => request.principal?.name ?? 'anonymous';

export function agvDataRoutes(parameters: AgvParameters, runningData: RunningDataCollector, readGuard: Guard[]) {
  return async (app: FastifyInstance) => {
    const operator = requireRole('operator');

    app.get<{ Params: { id: string }; Querystring: { names?: string } }>(
      '/agvs/:id/params',
      {
        preHandler: readGuard,
        schema: {
          tags: ['agvs'],
          summary: "Read an AGV's basic parameters (asks the AGV)",
          description: `names: comma-separated parameter names (default: all the AGV has). Known: ${paramNames.join(', ')}. 502 when the AGV refuses, 504 when it does not answer.`,
          security,
          params: idParams,
          querystring: { type: 'object', additionalProperties: false, properties: { names: { type: 'string', pattern: '^[A-Za-z]+(,[A-Za-z]+)*$', maxLength: 1000 } } },
          response: {
            200: {
              type: 'object',
              properties: {
                agvId: { type: 'string' },
                params: { type: 'array', items: { type: 'object', properties: { param: { type: 'string' }, value: { type: 'integer' }, unit: { type: 'string' } } } },
              },
            },
            ...errorAnswers,
          },
        },
      },
      async (request) => parameters.read(request.params.id, request.query.names ? request.query.names.split(',') : []),
    );

    app.patch<{ Params: { id: string }; Body: { params: { param: string; value: number }[] } }>(
      '/agvs/:id/params',
      {
        preHandler: operator,
        schema: {
          tags: ['agvs'],
          summary: "Change an AGV's basic parameters, all or nothing (operator)",
          description: 'Values are integers in each parameter\'s unit (GET gives the units). 502 with the per-parameter results when the AGV refuses any; 504 when it does not answer.',
          security,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['params'],
            properties: {
              params: {
                type: 'array',
                minItems: 1,
                maxItems: 64,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['param', 'value'],
                  properties: { param: { type: 'string', enum: paramNames }, value: { type: 'integer', minimum: -2147483648, maximum: 2147483647 } },
                },
              },
            },
          },
          response: {
            200: { type: 'object', properties: { agvId: { type: 'string' }, results: { type: 'array', items: { type: 'object', properties: { param: { type: 'string' }, result: { type: 'string' } } } } } },
            ...errorAnswers,
          },
        },
      },
      async (request) => parameters.write(request.params.id, request.body.params, who(request)),
    );

    app.get<{ Params: { id: string }; Querystring: { since?: number; limit?: number } }>(
      '/agvs/:id/running-data',
      {
        preHandler: readGuard,
        schema: {
          tags: ['agvs'],
          summary: "An AGV's stored running-data samples, oldest first",
          description: 'The newest `limit` samples (default 200) taken at or after `since` (epoch ms).',
          security,
          params: idParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { since: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 5000 } },
          },
          response: { 200: { type: 'object', properties: { samples: { type: 'array', items: sampleSchema } } }, ...errorAnswers },
        },
      },
      async (request) => ({ samples: await runningData.history(request.params.id, request.query.since ?? 0, request.query.limit ?? 200) }),
    );

    app.post<{ Params: { id: string } }>(
      '/agvs/:id/running-data',
      {
        preHandler: operator,
        schema: {
          tags: ['agvs'],
          summary: 'Ask an AGV for running data now and store the sample (operator)',
          description: '502 when the AGV does not provide running data, 504 when it does not answer.',
          security,
          params: idParams,
          response: { 200: sampleSchema, ...errorAnswers },
        },
      },
      async (request) => runningData.sample(request.params.id),
    );
  };
}
