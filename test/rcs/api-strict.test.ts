import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgvView } from '../../src/rcs/api/fleet-view.ts';
import { errorOf, startHarness, type Harness } from './api-harness.ts';

// The API takes only what it documents: no silent type conversion of bodies, query values read strictly, bodies only
// as JSON, tasks that no AGV could ever serve refused, and exceptions resolved only from the exception state.

const lifter: AgvView = {
  id: 'agv-1', vendor: 'acme', model: 'M', type: 'lifter', connection: 'online', mode: 'normal', state: 'idle',
  pose: { x: 1, y: 1, theta: 0, mapId: 'demo-warehouse' }, battery: 80, heldNodes: [], lastSeen: Date.UTC(2026, 5, 1, 8),
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ fleet: [lifter] });
});
afterAll(() => h.close());

const op = () => ({ 'x-api-key': h.keys.operator });
const post = (url: string, payload: object, headers: Record<string, string> = op()) => h.app.inject({ method: 'POST', url, payload, headers });

describe('no silent type coercion', () => {
  it.each([
    ['a boolean priority', { priority: true }, 'body.priority must be integer'],
    ['a numeric-string priority', { priority: '7' }, 'body.priority must be integer'],
    ['a number as a station id', { pick: 1 }, 'body.pick must be string'],
    ['a number as externalRef', { externalRef: 42 }, 'body.externalRef must be string'],
  ])('refuses %s in a body with 400', async (_name, over, message) => {
    const res = await post('/api/v1/tasks', { pick: 'PICK-01', drop: 'DROP-01', ...over });
    expect(errorOf(res, 400, 'invalid_request').message).toContain(message);
  });

  it('reads query numbers only when they spell one', async () => {
    expect((await h.app.inject({ url: '/api/v1/tasks?limit=5', headers: op() })).statusCode).toBe(200);
    for (const q of ['limit=abc', 'limit=5x', 'limit=', 'limit=1.5', 'limit=true']) {
      const res = await h.app.inject({ url: `/api/v1/tasks?${q}`, headers: op() });
      expect(errorOf(res, 400, 'invalid_request').message, q).toContain('querystring.limit');
    }
  });
});

describe('content types', () => {
  it('refuses a body that is not JSON with 415, and takes JSON with a charset', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/tasks', payload: 'pick=PICK-01&drop=DROP-01', headers: { ...op(), 'content-type': type } });
      errorOf(res, 415, 'unsupported_media_type');
    }
    const ok = await h.app.inject({
      method: 'POST', url: '/api/v1/tasks', payload: JSON.stringify({ pick: 'PICK-01', drop: 'DROP-01' }), headers: { ...op(), 'content-type': 'application/json; charset=utf-8' },
    });
    expect(ok.statusCode).toBe(201);
  });
});

describe('tasks no AGV could serve', () => {
  it('refuses a vendor or type no known AGV has with 422 and the reason', async () => {
    const vendor = errorOf(await post('/api/v1/tasks', { pick: 'PICK-01', drop: 'DROP-01', preferredVendor: 'nordlift' }), 422, 'unservable');
    expect(vendor.message).toContain("vendor 'nordlift'");
    const type = errorOf(await post('/api/v1/tasks', { pick: 'PICK-01', drop: 'DROP-01', agvType: 'forklift' }), 422, 'unservable');
    expect(type.message).toContain("type 'forklift'");
    expect(type.details).toEqual([{ field: 'body.agvType', message: expect.stringContaining('forklift') }]);
    // Both exist, but not on one AGV.
    expect((await post('/api/v1/tasks', { pick: 'PICK-01', drop: 'DROP-01', preferredVendor: 'acme', agvType: 'forklift' })).statusCode).toBe(422);
  });

  it('accepts one that a live or a registered (offline) AGV can serve', async () => {
    expect((await post('/api/v1/tasks', { pick: 'PICK-01', drop: 'DROP-01', preferredVendor: 'acme', agvType: 'lifter' })).statusCode).toBe(201);
    await h.store.agvs.enrol({ id: 'fork-1', vendor: 'nordlift', type: 'forklift' });
    expect((await post('/api/v1/tasks', { pick: 'PICK-01', drop: 'DROP-01', preferredVendor: 'nordlift', agvType: 'forklift' })).statusCode).toBe(201);
  });
});

describe('POST /api/v1/tasks/:id/resolve', () => {
  it('resolves only a task in exception, for an operator, with a known outcome', async () => {
    const { task } = await h.tasks.create({ pick: 'PICK-02', drop: 'DROP-02' });
    errorOf(await post(`/api/v1/tasks/${task.id}/resolve`, { outcome: 'completed' }), 409, 'invalid_state');
    errorOf(await post('/api/v1/tasks/tsk_nope/resolve', { outcome: 'completed' }), 404, 'not_found');
    await h.tasks.assign(task.id, 'agv-1');
    for (const s of ['to_pick', 'picking', 'to_drop'] as const) await h.tasks.transition(task.id, s);
    await h.tasks.transition(task.id, 'exception', 'load is on agv-1, lost');
    errorOf(await post(`/api/v1/tasks/${task.id}/resolve`, { outcome: 'completed' }, { authorization: `Bearer ${h.keys.viewer}` }), 403, 'forbidden');
    errorOf(await post(`/api/v1/tasks/${task.id}/resolve`, { outcome: 'found' }), 400, 'invalid_request');
    errorOf(await post(`/api/v1/tasks/${task.id}/resolve`, {}), 400, 'invalid_request');

    const listed = await h.app.inject({ url: '/api/v1/tasks?state=exception', headers: op() });
    expect(listed.json().items.map((t: { id: string }) => t.id)).toEqual([task.id]);
    const res = await post(`/api/v1/tasks/${task.id}/resolve`, { outcome: 'cancelled', note: 'load damaged' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'cancelled', reason: expect.stringContaining('load damaged') });
    const audit = await h.store.events.query({ type: 'task.resolved', taskId: task.id });
    expect(audit.map((e) => e.message)).toEqual([expect.stringContaining('wms')]);
  });
});
