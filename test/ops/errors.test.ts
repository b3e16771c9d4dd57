import { afterEach, describe, expect, it } from 'vitest';
import { errorOf } from '../rcs/api-harness.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.close());

// Operations' routes answer every refusal in the platform's one error shape (docs/api.md, "Errors").
describe('operations errors', () => {
  it('answers unknown routes, bad input, unknown records and state conflicts in the error shape', async () => {
    h = await startHarness();
    const viewer = bearer(await h.token('viewer'));
    const admin = bearer(await h.token('admin'));
    const operator = bearer(await h.token('operator'));

    errorOf(await h.app.inject({ url: '/api/v1/alarms' }), 401, 'unauthorized');
    errorOf(await h.app.inject({ url: '/api/v1/no-such-resource', headers: viewer }), 404, 'not_found');
    errorOf(await h.app.inject({ url: '/api/v1/alarms/999', headers: viewer }), 404, 'not_found');
    errorOf(await h.app.inject({ url: '/api/v1/health/runs/42', headers: viewer }), 404, 'not_found');
    const badQuery = errorOf(await h.app.inject({ url: '/api/v1/alarms?state=sleeping', headers: viewer }), 400, 'invalid_request');
    expect(badQuery.details).toEqual([expect.objectContaining({ field: 'querystring.state' })]);
    const unknownThreshold = errorOf(
      await h.app.inject({ method: 'PATCH', url: '/api/v1/alarm-thresholds', headers: admin, payload: { lowBaterryPct: 5 } }),
      400,
      'invalid_request',
    );
    expect(unknownThreshold.message).toContain('body.lowBaterryPct is not a known field');

    errorOf(await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'viewer', password: 'not-the-one' } }), 401, 'unauthorized');
    errorOf(await h.app.inject({ url: '/api/v1/session' }), 401, 'unauthorized');
    const user = { username: 'night-shift', password: 'long-enough-pw', role: 'operator' };
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: user })).statusCode).toBe(201);
    errorOf(await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: user }), 409, 'conflict');
    const weak = errorOf(await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { ...user, username: 'w', password: 'short' } }), 400, 'invalid_request');
    expect(weak.details).toEqual([{ field: 'body.password', message: weak.message }]);
    errorOf(await h.app.inject({ method: 'DELETE', url: '/api/v1/users/ghost', headers: admin }), 404, 'not_found');

    const badPlace = errorOf(await h.app.inject({ method: 'POST', url: '/api/v1/dashboard/tasks', headers: operator, payload: { from: 'Mars', to: 'S-top-0' } }), 400, 'invalid_request');
    expect(badPlace.message).toContain('Mars');
    const { task } = (await h.app.inject({ method: 'POST', url: '/api/v1/dashboard/tasks', headers: operator, payload: { from: 'S-top-0', to: 'S-bottom-3' } })).json();
    await h.app.inject({ method: 'POST', url: `/api/v1/dashboard/tasks/${task.id}/cancel`, headers: operator });
    errorOf(await h.app.inject({ method: 'POST', url: `/api/v1/dashboard/tasks/${task.id}/cancel`, headers: operator }), 409, 'invalid_state');
  });

  it('answers acknowledging a cleared alarm with 409 invalid_state', async () => {
    h = await startHarness();
    h.fleet.agv('acme-0001')!.battery = 5;
    h.clock.advance(2_000);
    const viewer = bearer(await h.token('viewer'));
    const operator = bearer(await h.token('operator'));
    const open = (await h.app.inject({ url: '/api/v1/alarms?state=open&code=LOW_BATTERY&agvId=acme-0001', headers: viewer })).json().alarms as { id: number }[];
    expect(open).toHaveLength(1);
    const url = `/api/v1/alarms/${open[0]!.id}/acknowledge`;
    h.fleet.agv('acme-0001')!.battery = 80;
    h.clock.advance(2_000);
    expect((await h.app.inject({ url: `/api/v1/alarms/${open[0]!.id}`, headers: viewer })).json().alarm.state).toBe('cleared');
    errorOf(await h.app.inject({ method: 'POST', url, headers: operator }), 409, 'invalid_state');
  });

  it('answers /readyz with 503 in the error shape, keeping the probe fields, while not ready', async () => {
    h = await startHarness();
    const ready = await h.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    h.fleet.ready = false;
    const notReady = await h.app.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ error: { code: 'not_ready' }, status: 'not ready' });
  });

  it('is declared in the OpenAPI document for operations routes too', async () => {
    h = await startHarness();
    const spec = (await h.app.inject({ url: '/openapi.json' })).json();
    for (const [path, method] of [['/api/v1/alarms', 'get'], ['/api/v1/session', 'post'], ['/api/v1/users', 'post'], ['/api/v1/health/runs', 'post']] as const) {
      expect(JSON.stringify(spec.paths[path][method].responses['4XX']), `${method} ${path}`).toContain('#/components/schemas/Error');
    }
  });
});
