import { createECDH } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgvView } from '../../src/rcs/api/fleet-view.ts';
import { startHarness, type Harness } from './api-harness.ts';
import { capturingLogger, LEVEL } from './log-capture.ts';

const agv = (id: string, vendor: string, extra: Partial<AgvView> = {}): AgvView => ({
  id,
  vendor,
  model: 'M',
  type: 'lifter',
  connection: 'online',
  mode: 'normal',
  state: 'idle',
  pose: { x: 1, y: 1, theta: 0, mapId: 'demo-warehouse' },
  battery: 80,
  heldNodes: ['n1_1'],
  lastSeen: Date.UTC(2026, 5, 1, 8),
  ...extra,
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ fleet: [agv('agv-1', 'acme', { currentTaskId: 't' }), agv('agv-2', 'bolt', { connection: 'offline' })] });
});
afterAll(() => h.close());

const op = () => ({ 'x-api-key': h.keys.operator });
const view = () => ({ authorization: `Bearer ${h.keys.viewer}` });

async function post(url: string, payload: unknown, headers: Record<string, string> = op()) {
  return h.app.inject({ method: 'POST', url, payload: payload as object, headers });
}

describe('POST /api/v1/tasks', () => {
  it('creates a task (201, Location, history)', async () => {
    const res = await post('/api/v1/tasks', { pick: 'PICK-01', drop: 'DROP-01', priority: 8, deadline: '2026-06-01T09:00:00Z', preferredVendor: 'acme' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ state: 'queued', pick: 'PICK-01', drop: 'DROP-01', priority: 8, deadline: '2026-06-01T09:00:00.000Z', preferredVendor: 'acme' });
    expect(res.headers.location).toBe(`/api/v1/tasks/${body.id}`);
    expect(body.history).toEqual([expect.objectContaining({ seq: 1, from: null, to: 'queued' })]);
  });

  it.each([
    ['missing pick', { drop: 'DROP-01' }, 'body.pick is required'],
    ['priority out of range', { pick: 'PICK-01', drop: 'DROP-01', priority: 10 }, 'body.priority must be <= 9'],
    ['priority not a number', { pick: 'PICK-01', drop: 'DROP-01', priority: 'high' }, 'body.priority must be integer'],
    ['bad deadline', { pick: 'PICK-01', drop: 'DROP-01', deadline: 'tomorrow' }, 'body.deadline must match format "date-time"'],
    ['unknown field', { pick: 'PICK-01', drop: 'DROP-01', priorty: 3 }, 'body.priorty is not a known field'],
    ['bad station id', { pick: 'PICK 01', drop: 'DROP-01' }, 'body.pick must match pattern'],
    ['not an object', [1, 2], 'body must be object'],
  ])('rejects %s with 400 naming the field', async (_name, payload, message) => {
    const res = await post('/api/v1/tasks', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(res.json().error.message).toContain(message);
  });

  it('rejects malformed JSON and wrong content types with 4xx and the error shape', async () => {
    const bad = await h.app.inject({ method: 'POST', url: '/api/v1/tasks', payload: '{"pick":', headers: { ...op(), 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('bad_request');
    const text = await h.app.inject({ method: 'POST', url: '/api/v1/tasks', payload: '<pick/>', headers: { ...op(), 'content-type': 'application/xml' } });
    expect(text.statusCode).toBe(415);
    expect(text.json().error).toHaveProperty('message');
  });

  it('rejects stations the site does not have with 422', async () => {
    const res = await post('/api/v1/tasks', { pick: 'PICK-99', drop: 'DROP-01' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'unprocessable', message: "pick station 'PICK-99' does not exist on site 'demo-warehouse'" });
    const wrongKind = await post('/api/v1/tasks', { pick: 'PICK-01', drop: 'PICK-02' });
    expect(wrongKind.statusCode).toBe(422);
  });

  it('answers a repeat with the same Idempotency-Key with 200 and the same task; different content is 409', async () => {
    const payload = { pick: 'PICK-02', drop: 'DROP-02' };
    const first = await post('/api/v1/tasks', payload, { ...op(), 'idempotency-key': 'wms-order-1' });
    const again = await post('/api/v1/tasks', payload, { ...op(), 'idempotency-key': 'wms-order-1' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const viaField = await post('/api/v1/tasks', { ...payload, clientRequestId: 'wms-order-1' });
    expect(viaField.statusCode).toBe(200);
    expect(viaField.json().id).toBe(first.json().id);
    const changed = await post('/api/v1/tasks', { pick: 'PICK-03', drop: 'DROP-02' }, { ...op(), 'idempotency-key': 'wms-order-1' });
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error).toMatchObject({ code: 'idempotency_conflict', details: { taskId: first.json().id } });
    const mismatch = await post('/api/v1/tasks', { ...payload, clientRequestId: 'other' }, { ...op(), 'idempotency-key': 'wms-order-1' });
    expect(mismatch.statusCode).toBe(400);
  });
});

describe('reading and cancelling tasks', () => {
  it('gets a task with history, 404 for an unknown id', async () => {
    const created = (await post('/api/v1/tasks', { pick: 'PICK-03', drop: 'DROP-03' })).json();
    await h.tasks.assign(created.id, 'agv-1');
    const res = await h.app.inject({ url: `/api/v1/tasks/${created.id}`, headers: view() });
    expect(res.statusCode).toBe(200);
    expect(res.json().history.map((x: { to: string }) => x.to)).toEqual(['queued', 'assigned']);
    const missing = await h.app.inject({ url: '/api/v1/tasks/tsk_missing', headers: view() });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'not_found', message: "task 'tsk_missing' not found" } });
  });

  it('cancels, then answers 409 for an already terminal task and 404 for an unknown one', async () => {
    const created = (await post('/api/v1/tasks', { pick: 'PICK-04', drop: 'DROP-04' })).json();
    const res = await post(`/api/v1/tasks/${created.id}/cancel`, { reason: 'order withdrawn' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'cancelled', reason: 'order withdrawn' });
    const noBody = await h.app.inject({ method: 'POST', url: `/api/v1/tasks/${created.id}/cancel`, headers: op() });
    expect(noBody.statusCode).toBe(409);
    expect(noBody.json().error).toMatchObject({ code: 'invalid_state', details: { state: 'cancelled' } });
    expect((await post('/api/v1/tasks/tsk_missing/cancel', {})).statusCode).toBe(404);
  });

  it('lists with filters and pages with a cursor', async () => {
    for (let i = 0; i < 7; i++) {
      h.clock.advance(1000);
      await post('/api/v1/tasks', { pick: 'PICK-05', drop: 'DROP-05', preferredVendor: i % 2 ? 'bolt' : 'acme' });
    }
    const all: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await h.app.inject({ url: '/api/v1/tasks', query: { limit: '4', ...(cursor ? { cursor } : {}) }, headers: view() });
      expect(res.statusCode).toBe(200);
      all.push(...res.json().items.map((t: { id: string }) => t.id));
      cursor = res.json().nextCursor;
      pages++;
    } while (cursor);
    const total = (await h.tasks.list({ limit: 500 })).items.length;
    expect(all).toHaveLength(total);
    expect(pages).toBe(Math.ceil(total / 4));

    const cancelled = await h.app.inject({ url: '/api/v1/tasks?state=cancelled', headers: view() });
    expect(cancelled.json().items.every((t: { state: string }) => t.state === 'cancelled')).toBe(true);
    const multi = await h.app.inject({ url: '/api/v1/tasks?state=queued,assigned&limit=500', headers: view() });
    expect(multi.json().items.every((t: { state: string }) => ['queued', 'assigned'].includes(t.state))).toBe(true);
    const byAgv = await h.app.inject({ url: '/api/v1/tasks?agvId=agv-1', headers: view() });
    expect(byAgv.json().items).toHaveLength(1);
    const bolt = await h.app.inject({ url: '/api/v1/tasks?vendor=bolt', headers: view() });
    expect(bolt.json().items).toHaveLength(3);
    const since = new Date(h.clock.now() - 1500).toISOString();
    const recent = await h.app.inject({ url: `/api/v1/tasks?since=${encodeURIComponent(since)}`, headers: view() });
    expect(recent.json().items).toHaveLength(2);

    for (const q of ['state=flying', 'limit=0', 'limit=501', 'since=yesterday', 'cursor=zzz', 'colour=red']) {
      const bad = await h.app.inject({ url: `/api/v1/tasks?${q}`, headers: view() });
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json().error.message, q).toMatch(/^querystring\./);
    }
  });
});

describe('AGVs, site, docs', () => {
  it('lists live AGVs and registry-only ones, with filters', async () => {
    await h.store.agvs.enrol({ id: 'agv-3', vendor: 'acme', publicKeyHex: '04aa' });
    const res = await h.app.inject({ url: '/api/v1/agvs', headers: view() });
    expect(res.json().items.map((a: { id: string }) => a.id)).toEqual(['agv-1', 'agv-2', 'agv-3']);
    expect(res.json().items[2]).toMatchObject({ connection: 'offline', pose: null, enrolled: true });
    const acme = await h.app.inject({ url: '/api/v1/agvs?vendor=acme&connection=online', headers: view() });
    expect(acme.json().items.map((a: { id: string }) => a.id)).toEqual(['agv-1']);
    const one = await h.app.inject({ url: '/api/v1/agvs/agv-1', headers: view() });
    expect(one.json()).toMatchObject({ id: 'agv-1', battery: 80, heldNodes: ['n1_1'], currentTaskId: 't', lastSeen: '2026-06-01T08:00:00.000Z' });
    expect((await h.app.inject({ url: '/api/v1/agvs/nope', headers: view() })).statusCode).toBe(404);
  });

  it('enrols an SM2 key (admin only), normalising compressed keys and refusing points off the curve', async () => {
    const key = createECDH('SM2');
    key.generateKeys();
    const url = '/api/v1/agvs/agv-9/enrol';
    const asOperator = await post(url, { publicKey: key.getPublicKey('hex', 'compressed') });
    expect(asOperator.statusCode).toBe(403);
    const ok = await post(url, { publicKey: key.getPublicKey('hex', 'compressed'), vendor: 'acme' }, { 'x-api-key': h.keys.admin });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: 'agv-9', publicKey: key.getPublicKey('hex', 'uncompressed'), replaced: false });
    expect((await h.store.agvs.get('agv-9'))!.publicKeyHex).toBe(key.getPublicKey('hex', 'uncompressed'));
    const off = await post(url, { publicKey: `04${'11'.repeat(64)}` }, { 'x-api-key': h.keys.admin });
    expect(off.statusCode).toBe(400);
    expect(off.json().error.message).toMatch(/SM2 curve/);
    const malformed = await post(url, { publicKey: 'abc' }, { 'x-api-key': h.keys.admin });
    expect(malformed.statusCode).toBe(400);
    const other = createECDH('SM2');
    other.generateKeys();
    const replaced = await post(url, { publicKey: other.getPublicKey('hex') }, { 'x-api-key': h.keys.admin });
    expect(replaced.json().replaced).toBe(true);
  });

  it('serves the site map, the OpenAPI document and the docs UI', async () => {
    const site = await h.app.inject({ url: '/api/v1/site', headers: view() });
    expect(site.json()).toMatchObject({ id: 'demo-warehouse' });
    const doc = await h.app.inject({ url: '/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const spec = doc.json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tasks', '/api/v1/tasks/{id}', '/api/v1/tasks/{id}/cancel', '/api/v1/agvs', '/api/v1/agvs/{id}/enrol', '/api/v1/webhooks']),
    );
    expect(spec.paths['/api/v1/tasks'].post.requestBody.content['application/json'].schema.required).toEqual(['pick', 'drop']);
    const ui = await h.app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/html/);
  });

  it('answers unknown routes with the error shape', async () => {
    const res = await h.app.inject({ url: '/api/v1/robots' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});

describe('auth', () => {
  it('needs a key to write (401) and operator role (403)', async () => {
    const payload = { pick: 'PICK-01', drop: 'DROP-01' };
    expect((await post('/api/v1/tasks', payload, {})).statusCode).toBe(401);
    const wrong = await post('/api/v1/tasks', payload, { 'x-api-key': `uf_0123456789abcdef_${'A'.repeat(43)}` });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');
    expect((await post('/api/v1/tasks', payload, { 'x-api-key': 'garbage' })).statusCode).toBe(401);
    const viewer = await post('/api/v1/tasks', payload, view());
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().error).toMatchObject({ code: 'forbidden' });
    expect((await post('/api/v1/tasks', payload, { 'x-api-key': h.keys.admin })).statusCode).toBe(201);
  });

  it('needs a viewer key to read by default; a revoked key stops working', async () => {
    expect((await h.app.inject({ url: '/api/v1/tasks' })).statusCode).toBe(401);
    expect((await h.app.inject({ url: '/api/v1/tasks', headers: view() })).statusCode).toBe(200);
    const { ApiKeyAuth } = await import('../../src/rcs/auth/index.ts');
    const auth = new ApiKeyAuth(h.store.apiKeys, h.clock);
    const issued = await auth.issue('temp', 'viewer');
    expect((await h.app.inject({ url: '/api/v1/site', headers: { 'x-api-key': issued.token } })).statusCode).toBe(200);
    await auth.revoke(issued.record.id);
    expect((await h.app.inject({ url: '/api/v1/site', headers: { 'x-api-key': issued.token } })).statusCode).toBe(401);
  });

  it('creates the demo operator key once and returns the same token on later starts', async () => {
    const { ApiKeyAuth, ensureDemoKey } = await import('../../src/rcs/auth/index.ts');
    const auth = new ApiKeyAuth(h.store.apiKeys, h.clock);
    const first = await ensureDemoKey(auth, h.store.settings);
    expect(await ensureDemoKey(auth, h.store.settings)).toBe(first);
    expect(await auth.verify(first)).toMatchObject({ role: 'operator', name: 'demo operator' });
    expect((await post('/api/v1/tasks', { pick: 'PICK-01', drop: 'DROP-01' }, { authorization: `Bearer ${first}` })).statusCode).toBe(201);
    // Revoked (e.g. by an operator who found it in production): a new one is made rather than printing a dead key.
    await auth.revoke(first.split('_')[1]!);
    expect(await ensureDemoKey(auth, h.store.settings)).not.toBe(first);
  });

  it('allows anonymous reads when configured open, but never anonymous writes', async () => {
    const open = await startHarness({ readAccess: 'open' });
    try {
      expect((await open.app.inject({ url: '/api/v1/tasks' })).statusCode).toBe(200);
      expect((await open.app.inject({ method: 'POST', url: '/api/v1/tasks', payload: { pick: 'PICK-01', drop: 'DROP-01' } })).statusCode).toBe(401);
    } finally {
      await open.close();
    }
  });
});

describe('server errors', () => {
  it('answers 500 in the one error shape and logs the failure with the request id, method and URL', async () => {
    const { logger, lines } = capturingLogger();
    const broken = await startHarness({ readAccess: 'open', logger });
    try {
      // A real failure below the API: the store's connection is gone.
      await broken.store.close();
      const res = await broken.app.inject({ url: '/api/v1/tasks?limit=5' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal error; see the server log' } });
      const failure = lines.find((l) => l.level === LEVEL.error);
      expect(failure).toMatchObject({ method: 'GET', url: '/api/v1/tasks?limit=5', err: { type: expect.any(String), message: expect.any(String) } });
      expect(failure!.reqId).toBeDefined();
      // Request logs come from the same logger.
      expect(lines.some((l) => l.level === LEVEL.info && l.msg === 'request completed')).toBe(true);
    } finally {
      await broken.close();
    }
  });
});
