import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/core/clock.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../../src/rcs/site/index.ts';
import { openStore } from '../../src/rcs/store/index.ts';
import { TaskService } from '../../src/rcs/tasks/index.ts';
import { eventMatches, verifySignature, WebhookDelivery } from '../../src/rcs/webhooks/index.ts';
import { startHarness } from './api-harness.ts';
import { capturingLogger, LEVEL } from './log-capture.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver that answers 500 to the first `failFirst` requests. */
class Receiver {
  readonly received: Received[] = [];
  failFirst = 0;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body });
        res.statusCode = this.received.length <= this.failFirst ? 500 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'unifleet-webhooks-'));
const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);
const receiver = new Receiver();
let url: string;
beforeAll(async () => {
  url = await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

const SECRET = 'a-very-secret-shared-key';

describe('webhook event filters', () => {
  it('matches exact types, prefixes and everything', () => {
    expect(eventMatches(['task.completed'], 'task.completed')).toBe(true);
    expect(eventMatches(['task.completed'], 'task.failed')).toBe(false);
    expect(eventMatches(['task.*'], 'task.failed')).toBe(true);
    expect(eventMatches(['task.*'], 'taskforce.x')).toBe(false);
    expect(eventMatches(['*'], 'alarm.raised')).toBe(true);
  });
});

describe('webhook delivery', () => {
  it('signs, retries with backoff after failures, and survives a restart of the platform', async () => {
    receiver.received.length = 0;
    receiver.failFirst = 2;
    const path = join(dir, 'restart.sqlite');
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    let store = openStore({ path });
    await store.webhooks.create({ id: 'wh1', url, secret: SECRET, events: ['task.*'], createdAt: clock.now() });
    const tasks = new TaskService({ store, site, clock });
    const { task } = await tasks.create({ pick: 'PICK-01', drop: 'DROP-01' });

    let worker = new WebhookDelivery({ outbox: store.outbox, clock, baseDelayMs: 1000, random: () => 1 });
    expect(await worker.runOnce()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    // Not due yet: a retry waits for its backoff.
    clock.advance(999);
    expect(await worker.runOnce()).toEqual({ delivered: 0, retried: 0, dead: 0 });
    clock.advance(1);
    expect(await worker.runOnce()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    const [row] = await store.outbox.list();
    expect(row).toMatchObject({ attempts: 2, status: 'pending', lastError: 'HTTP 500', nextAttemptAt: clock.now() + 2000 });

    // Restart: the pending row is in SQLite, so a new worker on a reopened store delivers it.
    await store.close();
    store = openStore({ path });
    worker = new WebhookDelivery({ outbox: store.outbox, clock, baseDelayMs: 1000, random: () => 1 });
    clock.advance(2000);
    expect(await worker.runOnce()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect((await store.outbox.list())[0]).toMatchObject({ status: 'delivered', attempts: 3 });

    expect(receiver.received).toHaveLength(3);
    const last = receiver.received[2]!;
    expect(receiver.received.map((r) => r.body)).toEqual([last.body, last.body, last.body]);
    const event = JSON.parse(last.body);
    expect(event).toMatchObject({ type: 'task.queued', data: { task: { id: task.id, state: 'queued' }, from: null, to: 'queued' } });
    expect(last.headers['x-unifleet-event']).toBe('task.queued');
    expect(last.headers['x-unifleet-delivery']).toBe(event.id);
    const signature = { signature: last.headers['x-unifleet-signature'] as string, timestamp: last.headers['x-unifleet-timestamp'] as string };
    const now = Math.floor(clock.now() / 1000);
    expect(signature.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, signature, last.body, now)).toBe(true);
    expect(verifySignature('wrong-secret-wrong-secret', signature, last.body, now)).toBe(false);
    expect(verifySignature(SECRET, signature, last.body.replace('queued', 'complete'), now)).toBe(false);
    expect(verifySignature(SECRET, signature, last.body, now + 3600)).toBe(false);
    await store.close();
  });

  it('marks a row dead after the last attempt, logs each failure with the webhook, and keeps delivering others', async () => {
    receiver.received.length = 0;
    receiver.failFirst = 0;
    const clock = new ManualClock(1_000_000);
    const store = openStore({ path: ':memory:' });
    await store.webhooks.create({ id: 'down', url: 'http://127.0.0.1:9/unreachable', secret: SECRET, events: ['*'], createdAt: 0 });
    await store.webhooks.create({ id: 'up', url, secret: SECRET, events: ['task.completed'], createdAt: 0 });
    await store.outbox.enqueue('task.completed', { n: 1 }, clock.now());
    const dead: string[] = [];
    const log = capturingLogger();
    const worker = new WebhookDelivery({ outbox: store.outbox, clock, maxAttempts: 3, baseDelayMs: 100, onDeadLetter: (r) => dead.push(r.subscriptionId), logger: log.logger });
    expect(await worker.runOnce()).toEqual({ delivered: 1, retried: 1, dead: 0 });
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      await worker.runOnce();
    }
    const rows = await store.outbox.list();
    expect(rows.find((r) => r.subscriptionId === 'down')).toMatchObject({ status: 'dead', attempts: 3 });
    expect(rows.find((r) => r.subscriptionId === 'up')).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(dead).toEqual(['down']);
    const about = { webhookId: 'down', url: 'http://127.0.0.1:9/unreachable', eventType: 'task.completed' };
    expect(log.lines.filter((l) => l.level === LEVEL.warn)).toEqual([1, 2].map((attempts) => expect.objectContaining({ ...about, attempts })));
    expect(log.lines.filter((l) => l.level === LEVEL.error)).toEqual([expect.objectContaining({ ...about, attempts: 3, error: expect.any(String) })]);
    expect(receiver.received).toHaveLength(1);
    await store.close();
  });

  it('posts one subscriber its events in order, one at a time', async () => {
    receiver.received.length = 0;
    receiver.failFirst = 0;
    const clock = new ManualClock(5_000);
    const store = openStore({ path: ':memory:' });
    await store.webhooks.create({ id: 'w', url, secret: SECRET, events: ['*'], createdAt: 0 });
    for (let i = 0; i < 12; i++) await store.outbox.enqueue('task.step', { i }, clock.now());
    const worker = new WebhookDelivery({ outbox: store.outbox, clock });
    expect(await worker.runOnce()).toEqual({ delivered: 12, retried: 0, dead: 0 });
    expect(receiver.received.map((r) => JSON.parse(r.body).data.i)).toEqual([...Array(12).keys()]);
    await store.close();
  });

  it('uses exponential backoff with jitter, capped', () => {
    const clock = new ManualClock();
    const store = { outbox: undefined as never };
    const low = new WebhookDelivery({ outbox: store.outbox, clock, baseDelayMs: 1000, maxDelayMs: 8000, random: () => 0 });
    const high = new WebhookDelivery({ outbox: store.outbox, clock, baseDelayMs: 1000, maxDelayMs: 8000, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map((a) => high.backoffMs(a))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect([1, 2, 3, 4].map((a) => low.backoffMs(a))).toEqual([500, 1000, 2000, 4000]);
  });

  it('runs on its own timer: a subscription made over the API receives task changes', async () => {
    receiver.received.length = 0;
    receiver.failFirst = 1;
    const h = await startHarness();
    const worker = new WebhookDelivery({ outbox: h.store.outbox, clock: systemClock, baseDelayMs: 20, pollMs: 20 });
    try {
      const sub = await h.app.inject({ method: 'POST', url: '/api/v1/webhooks', payload: { url, events: ['task.assigned'] }, headers: { 'x-api-key': h.keys.operator } });
      expect(sub.statusCode).toBe(201);
      const { id, secret } = sub.json();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const created = await h.app.inject({ method: 'POST', url: '/api/v1/tasks', payload: { pick: 'PICK-01', drop: 'DROP-01' }, headers: { 'x-api-key': h.keys.operator } });
      await h.tasks.assign(created.json().id, 'agv-7');
      worker.start();
      for (let i = 0; i < 200 && receiver.received.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
      expect(receiver.received).toHaveLength(2);
      const event = JSON.parse(receiver.received[1]!.body);
      expect(event).toMatchObject({ type: 'task.assigned', data: { task: { agvId: 'agv-7' }, from: 'queued', to: 'assigned' } });
      const headers = receiver.received[1]!.headers;
      expect(verifySignature(secret, { signature: headers['x-unifleet-signature'] as string, timestamp: headers['x-unifleet-timestamp'] as string }, receiver.received[1]!.body, Math.floor(Date.now() / 1000))).toBe(true);

      // The receiver logs a request before the worker has seen the answer; wait for the worker to record it.
      const info = async () => (await h.app.inject({ url: `/api/v1/webhooks/${id}`, headers: { 'x-api-key': h.keys.operator } })).json();
      for (let i = 0; i < 200 && (await info()).deliveries.delivered < 1; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await info()).toMatchObject({ id, deliveries: { pending: 0, delivered: 1, dead: 0 }, lastError: null });
      const list = await h.app.inject({ url: '/api/v1/webhooks', headers: { 'x-api-key': h.keys.operator } });
      expect(list.json().items).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
      expect((await h.app.inject({ url: '/api/v1/webhooks', headers: { 'x-api-key': h.keys.viewer } })).statusCode).toBe(403);
      expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: { 'x-api-key': h.keys.operator } })).statusCode).toBe(204);
      expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: { 'x-api-key': h.keys.operator } })).statusCode).toBe(404);
    } finally {
      await worker.stop();
      await h.close();
    }
  });

  it('validates subscriptions', async () => {
    const h = await startHarness();
    try {
      const bad = async (payload: object) =>
        h.app.inject({ method: 'POST', url: '/api/v1/webhooks', payload, headers: { 'x-api-key': h.keys.operator } });
      expect((await bad({ url: 'ftp://example.test/x' })).json().error.message).toContain('body.url');
      expect((await bad({ url, secret: 'short' })).json().error.message).toContain('body.secret');
      expect((await bad({ url, events: ['Task Completed'] })).json().error.message).toContain('body.events.0');
      expect((await bad({ url, events: [] })).statusCode).toBe(400);
    } finally {
      await h.close();
    }
  });
});
