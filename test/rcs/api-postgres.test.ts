// The HTTP API end to end on the PostgreSQL store (skipped when no PostgreSQL is reachable; .ci/run starts one).

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/rcs/store/index.ts';
import { startHarness, type Harness } from './api-harness.ts';
import { dropSchemas, PG_URL, postgresReachable } from './postgres.ts';

const available = await postgresReachable();
const schema = `uf_api_${randomBytes(6).toString('hex')}`;

describe.skipIf(!available)('HTTP API on PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 }) });
  });
  afterAll(async () => {
    await h?.close();
    await dropSchemas([schema]);
  });

  it('creates idempotently, lists, reads, cancels and refuses bad keys', async () => {
    const headers = { 'x-api-key': h.keys.operator, 'idempotency-key': 'pg-1' };
    const payload = { pick: 'PICK-01', drop: 'DROP-01', priority: 9, deadline: '2026-06-01T09:00:00Z' };
    const first = await h.app.inject({ method: 'POST', url: '/api/v1/tasks', payload, headers });
    expect(first.statusCode).toBe(201);
    const again = await h.app.inject({ method: 'POST', url: '/api/v1/tasks', payload, headers });
    expect([again.statusCode, again.json().id]).toEqual([200, first.json().id]);
    const conflict = await h.app.inject({ method: 'POST', url: '/api/v1/tasks', payload: { ...payload, priority: 1 }, headers });
    expect(conflict.statusCode).toBe(409);
    for (let i = 0; i < 5; i++) {
      h.clock.advance(10);
      await h.app.inject({ method: 'POST', url: '/api/v1/tasks', payload: { pick: 'PICK-02', drop: 'DROP-02' }, headers: { 'x-api-key': h.keys.operator } });
    }
    const page1 = (await h.app.inject({ url: '/api/v1/tasks?limit=4', headers: { 'x-api-key': h.keys.viewer } })).json();
    const page2 = (await h.app.inject({ url: `/api/v1/tasks?limit=4&cursor=${page1.nextCursor}`, headers: { 'x-api-key': h.keys.viewer } })).json();
    expect([...page1.items, ...page2.items].map((t: { id: string }) => t.id)).toHaveLength(6);
    expect(page2.nextCursor).toBeUndefined();
    const id = first.json().id;
    const got = (await h.app.inject({ url: `/api/v1/tasks/${id}`, headers: { 'x-api-key': h.keys.viewer } })).json();
    expect(got).toMatchObject({ priority: 9, deadline: '2026-06-01T09:00:00.000Z', history: [{ seq: 1, to: 'queued' }] });
    expect((await h.app.inject({ method: 'POST', url: `/api/v1/tasks/${id}/cancel`, headers: { 'x-api-key': h.keys.operator } })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: `/api/v1/tasks/${id}/cancel`, headers: { 'x-api-key': h.keys.operator } })).statusCode).toBe(409);
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/tasks', payload, headers: { 'x-api-key': h.keys.viewer } })).statusCode).toBe(403);
    expect((await h.app.inject({ url: '/api/v1/tasks' })).statusCode).toBe(401);
  });
});
