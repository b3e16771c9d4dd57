import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../../core/clock.ts';
import type { Store, WebhookSubscription } from '../../store/types.ts';
import { requireRole } from '../auth-hooks.ts';
import { notFound } from '../errors.ts';
import { idParams, webhookBody } from '../schemas.ts';

const toJson = (s: WebhookSubscription) => ({ id: s.id, url: s.url, events: s.events, createdAt: new Date(s.createdAt).toISOString() });
const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' } };
const security: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];

/** Subscriptions hold secrets and make the platform call out, so even reading them needs an operator. */
export function webhookRoutes(deps: { store: Store; clock: Clock }) {
  const { store, clock } = deps;
  return async (app: FastifyInstance) => {
    app.post<{ Body: { url: string; secret?: string; events: string[] } }>(
      '/webhooks',
      {
        preHandler: requireRole('operator'),
        schema: {
          tags: ['webhooks'],
          summary: 'Subscribe a URL to events (task.<state>, later alarm.*)',
          security,
          body: webhookBody,
          response: { 201: { $ref: 'Webhook#' }, ...errors },
        },
      },
      async (request, reply) => {
        const generated = request.body.secret === undefined;
        const sub: WebhookSubscription = {
          id: `wh_${randomBytes(8).toString('hex')}`,
          url: request.body.url,
          secret: request.body.secret ?? randomBytes(24).toString('base64url'),
          events: request.body.events,
          createdAt: clock.now(),
        };
        await store.webhooks.create(sub);
        reply.header('location', `${app.prefix}/webhooks/${sub.id}`);
        return reply.status(201).send(generated ? { ...toJson(sub), secret: sub.secret } : toJson(sub));
      },
    );

    app.get(
      '/webhooks',
      {
        preHandler: requireRole('operator'),
        schema: {
          tags: ['webhooks'],
          summary: 'List subscriptions (secrets are never shown again)',
          security,
          response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'Webhook#' } } } }, ...errors },
        },
      },
      async () => ({ items: (await store.webhooks.list()).map(toJson) }),
    );

    app.get<{ Params: { id: string } }>(
      '/webhooks/:id',
      {
        preHandler: requireRole('operator'),
        schema: {
          tags: ['webhooks'],
          summary: 'Get a subscription with its recent delivery states',
          security,
          params: idParams,
          response: {
            200: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                url: { type: 'string' },
                events: { type: 'array', items: { type: 'string' } },
                createdAt: { type: 'string' },
                deliveries: {
                  type: 'object',
                  properties: { pending: { type: 'integer' }, delivered: { type: 'integer' }, dead: { type: 'integer' } },
                },
                lastError: { type: ['string', 'null'] },
              },
            },
            ...errors,
            404: { $ref: 'Error#' },
          },
        },
      },
      async (request) => {
        const sub = await store.webhooks.get(request.params.id);
        if (!sub) throw notFound('webhook', request.params.id);
        const rows = await store.outbox.list({ subscriptionId: sub.id });
        const deliveries = { pending: 0, delivered: 0, dead: 0 };
        for (const r of rows) deliveries[r.status]++;
        const lastError = [...rows].reverse().find((r) => r.lastError !== null)?.lastError ?? null;
        return { ...toJson(sub), deliveries, lastError };
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/webhooks/:id',
      {
        preHandler: requireRole('operator'),
        schema: {
          tags: ['webhooks'],
          summary: 'Delete a subscription and its undelivered events',
          security,
          params: idParams,
          response: { 204: { type: 'null' }, ...errors, 404: { $ref: 'Error#' } },
        },
      },
      async (request, reply) => {
        if (!(await store.webhooks.delete(request.params.id))) throw notFound('webhook', request.params.id);
        return reply.status(204).send();
      },
    );
  };
}
