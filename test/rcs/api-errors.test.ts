import { afterEach, describe, expect, it } from 'vitest';
import type { ClearReservations, FleetView } from '../../src/rcs/api/fleet-view.ts';
import { errorOf, startHarness, type Harness } from './api-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('POST /api/v1/agvs/:id/clear-reservations', () => {
  // The traffic side as the fleet runtime reports it: which AGVs are online and which nodes each holds.
  const online = new Set(['ONLINE-1']);
  const held = new Map<string, string[]>();
  const clearReservations: ClearReservations = (id) => {
    if (!online.has(id) && (held.get(id) ?? []).length === 0) return 'holds_nothing';
    if (online.has(id)) return 'online';
    held.delete(id);
    return 'cleared';
  };

  it('answers every refusal in the error shape and clears an offline AGV for an operator', async () => {
    h = await startHarness({ clearReservations });
    held.set('ONLINE-1', ['n1']).set('GONE-1', ['n2', 'n3']);
    const url = (id: string) => `/api/v1/agvs/${id}/clear-reservations`;
    const post = (id: string, headers: Record<string, string>) => h!.app.inject({ method: 'POST', url: url(id), headers });

    errorOf(await post('GONE-1', {}), 401, 'unauthorized');
    errorOf(await post('GONE-1', { 'x-api-key': h.keys.viewer }), 403, 'forbidden');
    const nothing = errorOf(await post('NEVER-SEEN', { 'x-api-key': h.keys.operator }), 404, 'not_found');
    expect(nothing.message).toContain('NEVER-SEEN');
    const busy = errorOf(await post('ONLINE-1', { 'x-api-key': h.keys.operator }), 409, 'invalid_state');
    expect(busy.details).toEqual({ connection: 'online' });
    expect(held.get('ONLINE-1')).toEqual(['n1']);

    const cleared = await post('GONE-1', { 'x-api-key': h.keys.operator });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toEqual({ id: 'GONE-1', heldNodes: [] });
    expect(held.has('GONE-1')).toBe(false);
  });

  it('is not offered without a fleet runtime to clear', async () => {
    h = await startHarness();
    errorOf(await h.app.inject({ method: 'POST', url: '/api/v1/agvs/X/clear-reservations', headers: { 'x-api-key': h.keys.admin } }), 404, 'not_found');
  });
});

describe('500 answers', () => {
  it('keep the error shape and say nothing about the failure itself', async () => {
    const broken: FleetView = {
      list: () => [],
      get: () => {
        throw new Error('connection to 10.0.0.7 refused: password=hunter2');
      },
    };
    h = await startHarness({ fleet: broken });
    const res = await h.app.inject({ url: '/api/v1/agvs/agv-1', headers: { 'x-api-key': h.keys.viewer } });
    const error = errorOf(res, 500, 'internal');
    expect(res.body).not.toMatch(/10\.0\.0\.7|hunter2|at .*\.ts/);
    expect(error.details).toBeUndefined();
  });
});

describe('the OpenAPI document', () => {
  it('declares the Error schema and every route answers its 4xx and 5xx with it', async () => {
    h = await startHarness({ clearReservations: () => 'cleared' });
    const spec = (await h.app.inject({ url: '/openapi.json' })).json();
    expect(spec.components.schemas.Error.properties.error.required).toEqual(['code', 'message']);
    const operations = Object.entries(spec.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ route: `${method} ${path}`, responses: op.responses })),
    );
    expect(operations.map((o) => o.route)).toContain('post /api/v1/agvs/{id}/clear-reservations');
    for (const { route, responses } of operations) {
      for (const status of ['4XX', '5XX']) {
        expect(JSON.stringify(responses[status]), `${route} ${status}`).toContain('#/components/schemas/Error');
      }
    }
  });
});
