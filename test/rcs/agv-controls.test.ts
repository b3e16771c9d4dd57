import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiKeyAuth } from '../../src/rcs/auth/index.ts';
import { openStoreFrom } from '../../src/rcs/store/index.ts';
import type { Store } from '../../src/rcs/store/types.ts';
import { startFleet, submitTask, taskPairs, waitFor, type Fleet } from './e2e-harness.ts';
import { dropSchemas, PG_URL, postgresReachable } from './postgres.ts';

// Operator controls over real sockets: a platform with simulated AGVs on accelerated time, driven through the HTTP
// API the dashboard and upper systems use. What the AGVs do is read from their own status reports.

let fleet: Fleet | undefined;
afterEach(async () => {
  fleet?.sim.stop();
  await fleet?.platform.stop();
  fleet = undefined;
});

/** The fields these tests read from the API's answers. */
interface Answer {
  id?: string;
  inService?: boolean;
  paused?: boolean;
  handedBack?: string | null;
  node?: string;
  priority?: number;
  history?: { from: string | null; to: string; detail: string | null }[];
  command?: string;
  confirmed?: string[];
  unconfirmed?: unknown[];
  items?: Answer[];
  error?: { code: string; details?: unknown };
}

async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${fleet!.platform.apiUrl}/api/v1${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Answer };
}

const key = () => fleet!.platform.demoApiKey!;
const status = (id: string) => fleet!.platform.registry.live(id)!.status!;

/** True when the AGV stands still within 5 cm of a node of the site. */
function standsOnNode(id: string): boolean {
  const s = status(id);
  return s.speed === 0 && fleet!.platform.site.nodes.some((n) => Math.hypot(n.x - s.x, n.y - s.y) < 0.05);
}

async function agvJson(id: string): Promise<Answer> {
  return (await call('GET', `/agvs/${id}`, key())).json;
}

async function taskState(id: string): Promise<string> {
  return (await fleet!.platform.tasks.get(id))!.state;
}

describe('AGV controls (real TCP and HTTP, SQLite)', () => {
  it('pause stops an AGV at its next node holding its nodes; resume lets it finish its task', async () => {
    fleet = await startFleet(2);
    const { platform } = fleet;
    await waitFor('2 AGVs online', () => platform.registry.onlineCount() === 2);
    const [pair] = taskPairs(platform.site, 1);
    const { json: task } = await submitTask(platform.apiUrl, key(), pair!);
    let agvId = '';
    await waitFor('the AGV driving to the pick station', async () => {
      const t = (await platform.tasks.get(task.id as string))!;
      agvId = t.agvId ?? '';
      return t.state === 'to_pick' && status(agvId).speed > 0.2;
    });

    const paused = await call('POST', `/agvs/${agvId}/pause`, key());
    expect(paused.status).toBe(200);
    expect(paused.json).toEqual({ id: agvId, inService: true, paused: true });
    await waitFor('the AGV standing still on a node', () => standsOnNode(agvId));
    const stoppedAt = { x: status(agvId).x, y: status(agvId).y };
    const node = platform.site.nodes.find((n) => Math.hypot(n.x - stoppedAt.x, n.y - stoppedAt.y) < 0.05)!;
    expect(platform.traffic.held(agvId)).toContain(node.id);
    expect((await agvJson(agvId)).paused).toBe(true);

    // Many status reports later it has not moved, still holds its nodes and its task has not gone on.
    const reportsBefore = fleet.checker.reports;
    await waitFor('more status reports', () => fleet!.checker.reports > reportsBefore + 40);
    expect(Math.hypot(status(agvId).x - stoppedAt.x, status(agvId).y - stoppedAt.y)).toBeLessThan(0.01);
    // It still holds where it stands (what it holds ahead may change with the reports that arrive meanwhile).
    expect(platform.traffic.held(agvId)).toContain(node.id);
    expect(await taskState(task.id as string)).toBe('to_pick');

    const resumed = await call('POST', `/agvs/${agvId}/resume`, key());
    expect(resumed.json).toEqual({ id: agvId, inService: true, paused: false });
    await waitFor('the task completed', async () => (await taskState(task.id as string)) === 'completed');
    expect(fleet.checker.violations).toEqual([]);

    const events = await platform.store.events.query({ agvId, limit: 100 });
    const types = events.map((e) => e.type);
    expect(types).toContain('agv.paused');
    expect(types).toContain('agv.resumed');
    expect(events.find((e) => e.type === 'agv.paused')!.message).toContain('by demo operator');
  });

  it('a fleet stop reaches every online AGV and each confirms; fleet resume lets them finish', async () => {
    fleet = await startFleet(4);
    const { platform } = fleet;
    await waitFor('4 AGVs online', () => platform.registry.onlineCount() === 4);
    const ids: string[] = [];
    for (const pair of taskPairs(platform.site, 4)) ids.push((await submitTask(platform.apiUrl, key(), pair)).json.id as string);
    await waitFor('some AGV moving', () => platform.registry.list().some((a) => status(a.id).speed > 0.2));

    const stop = await call('POST', '/fleet/stop', key(), { timeoutMs: 5_000 });
    expect(stop.status).toBe(200);
    const agvIds = platform.registry.list().map((a) => a.id);
    expect(stop.json.command).toBe('stop');
    expect([...stop.json.confirmed!].sort()).toEqual(agvIds);
    expect(stop.json.unconfirmed).toEqual([]);
    await waitFor('every AGV reporting its e-stop, standing still', () => agvIds.every((id) => status(id).emergencyStop && status(id).speed === 0));
    for (const a of (await call('GET', '/agvs', key())).json.items!) expect(a.paused).toBe(true);
    // A stopped AGV is released, not resumed.
    expect((await call('POST', `/agvs/${agvIds[0]}/resume`, key())).status).toBe(409);

    const resume = await call('POST', '/fleet/resume', key());
    expect([...resume.json.confirmed!].sort()).toEqual(agvIds);
    await waitFor('e-stops released', () => agvIds.every((id) => !status(id).emergencyStop));
    await waitFor('all 4 tasks completed', async () => {
      for (const id of ids) if ((await taskState(id)) !== 'completed') return false;
      return true;
    }, 90_000);
    expect(fleet.checker.violations).toEqual([]);
    const fleetEvents = await platform.store.events.query({ type: 'fleet.stop' });
    expect(fleetEvents).toHaveLength(1);
    expect(fleetEvents[0]!.message).toContain('by demo operator: 4 confirmed, 0 unconfirmed');
  });

  it('an AGV out of service gets no new task, and its task not yet picked up goes back to the queue', async () => {
    fleet = await startFleet(2);
    const { platform } = fleet;
    await waitFor('2 AGVs online', () => platform.registry.onlineCount() === 2);
    const [first, second] = platform.registry.list().map((a) => a.id) as [string, string];

    const out = await call('POST', `/agvs/${first}/out-of-service`, key(), { task: 'handBack' });
    expect(out.status).toBe(200);
    expect(out.json).toEqual({ id: first, inService: false, paused: false, handedBack: null });
    expect((await platform.store.agvs.get(first))!.inService).toBe(false);
    expect((await agvJson(first)).inService).toBe(false);

    const ids: string[] = [];
    for (const pair of taskPairs(platform.site, 3)) ids.push((await submitTask(platform.apiUrl, key(), pair)).json.id as string);
    await waitFor('3 tasks completed', async () => {
      for (const id of ids) if ((await taskState(id)) !== 'completed') return false;
      return true;
    }, 90_000);
    for (const id of ids) expect((await platform.tasks.get(id))!.agvId).toBe(second);

    // Back in service and the other one out: the next task is the first one's, and a task before pick is handed back.
    expect((await call('POST', `/agvs/${first}/in-service`, key())).json).toEqual({ id: first, inService: true, paused: false });
    expect((await platform.store.agvs.get(first))!.inService).toBe(true);
    expect((await call('POST', `/agvs/${second}/out-of-service`, key())).json.inService).toBe(false);
    const [pair] = taskPairs(platform.site, 1);
    const next = (await submitTask(platform.apiUrl, key(), pair!)).json.id as string;
    await waitFor('the next task on its way to pick-up', async () => (await taskState(next)) === 'to_pick');
    expect((await platform.tasks.get(next))!.agvId).toBe(first);
    const handBack = await call('POST', `/agvs/${first}/out-of-service`, key(), { task: 'handBack' });
    expect(handBack.json).toEqual({ id: first, inService: false, paused: false, handedBack: next });
    const handed = (await platform.tasks.get(next))!;
    expect(handed.state).toBe('queued');
    expect(handed.history.at(-1)!.detail).toContain('taken out of service');
    expect(await platform.store.events.query({ agvId: first, type: 'agv.out_of_service' })).toHaveLength(2);
  });

  it('an AGV the store keeps out of service stays out after a restart', async () => {
    const store = await openStoreFrom({ path: ':memory:' });
    try {
      await store.agvs.upsertSeen({ id: 'AGV-001', at: Date.now() - 60_000 });
      await store.agvs.setInService('AGV-001', false);
      fleet = await startFleet(1, {}, { store });
      const { platform } = fleet;
      await waitFor('AGV-001 online', () => platform.registry.onlineCount() === 1);
      expect((await agvJson('AGV-001')).inService).toBe(false);
      const [pair] = taskPairs(platform.site, 1);
      const id = (await submitTask(platform.apiUrl, key(), pair!)).json.id as string;
      const reportsBefore = fleet.checker.reports;
      await waitFor('more status reports', () => fleet!.checker.reports > reportsBefore + 40);
      expect(await taskState(id)).toBe('queued');
      await call('POST', '/agvs/AGV-001/in-service', key());
      await waitFor('the task dispatched', async () => (await taskState(id)) !== 'queued');
      fleet.sim.stop();
      await fleet.platform.stop();
      fleet = undefined;
    } finally {
      await store.close();
    }
  });

  it('a priority change re-orders dispatch; only a queued task can change', async () => {
    fleet = await startFleet(1);
    const { platform } = fleet;
    await waitFor('1 AGV online', () => platform.registry.onlineCount() === 1);
    const [agv] = platform.registry.list().map((a) => a.id) as [string];
    await call('POST', `/agvs/${agv}/out-of-service`, key());
    const [a, b] = taskPairs(platform.site, 2) as [{ pick: string; drop: string }, { pick: string; drop: string }];
    const older = (await submitTask(platform.apiUrl, key(), { ...a, priority: 3 })).json.id as string;
    const newer = (await submitTask(platform.apiUrl, key(), { ...b, priority: 3 })).json.id as string;

    const patched = await call('PATCH', `/tasks/${newer}`, key(), { priority: 8 });
    expect(patched.status).toBe(200);
    expect(patched.json.priority).toBe(8);
    expect(patched.json.history!.at(-1)).toMatchObject({ from: 'queued', to: 'queued', detail: 'priority 3 → 8 by demo operator' });
    expect((await call('PATCH', `/tasks/${newer}`, key(), { priority: '9' })).status).toBe(400);
    expect((await call('PATCH', `/tasks/${newer}`, key(), { priority: 10 })).status).toBe(400);
    expect((await call('PATCH', '/tasks/tsk_unknown', key(), { priority: 1 })).status).toBe(404);

    await call('POST', `/agvs/${agv}/in-service`, key());
    await waitFor('the re-prioritised task dispatched', async () => (await taskState(newer)) !== 'queued');
    expect(await taskState(older)).toBe('queued');
    const late = await call('PATCH', `/tasks/${newer}`, key(), { priority: 1 });
    expect(late.status).toBe(409);
    expect(late.json.error!.code).toBe('invalid_state');
    await waitFor('both tasks completed', async () => (await taskState(older)) === 'completed', 90_000);
  });

  it('sends an idle AGV to park and to charge; refuses a busy or offline one', async () => {
    fleet = await startFleet(1);
    const { platform } = fleet;
    await waitFor('1 AGV online', () => platform.registry.onlineCount() === 1 && platform.traffic.held(platform.registry.list()[0]!.id).length > 0);
    const [agv] = platform.registry.list().map((a) => a.id) as [string];
    const charge = await call('POST', `/agvs/${agv}/charge`, key());
    expect(charge.status).toBe(200);
    const charger = platform.site.chargers.find((c) => c.node === charge.json.node);
    expect(charger).toBeDefined();
    await waitFor('the AGV charging', () => status(agv).charging);
    expect(platform.traffic.held(agv)[0]).toBe(charger!.node);
    const busy = await call('POST', `/agvs/${agv}/park`, key());
    expect(busy.status).toBe(409);
    expect(busy.json.error!.code).toBe('invalid_state');
  });

  it('refuses a viewer (403), an unknown AGV (404) and an offline AGV (409)', async () => {
    fleet = await startFleet(1);
    const { platform } = fleet;
    await waitFor('1 AGV online', () => platform.registry.onlineCount() === 1);
    const [agv] = platform.registry.list().map((a) => a.id) as [string];
    const viewer = (await new ApiKeyAuth(platform.store.apiKeys, fleet.clock).issue('wall display', 'viewer')).token;
    for (const [method, path] of [['POST', `/agvs/${agv}/pause`], ['POST', `/agvs/${agv}/estop`], ['POST', '/fleet/stop'], ['POST', `/agvs/${agv}/out-of-service`], ['PATCH', '/tasks/x']] as const) {
      const res = await call(method, path, viewer, method === 'PATCH' ? { priority: 1 } : undefined);
      expect(res.status, path).toBe(403);
      expect(res.json.error!.code).toBe('forbidden');
    }
    expect(status(agv).emergencyStop).toBe(false);
    const unknown = await call('POST', '/agvs/nobody/pause', key());
    expect(unknown.status).toBe(404);
    expect(unknown.json.error!.code).toBe('not_found');
    expect((await call('POST', '/agvs/nobody/out-of-service', key())).status).toBe(404);
    expect((await call('POST', `/agvs/${agv}/out-of-service`, key(), { task: 'drop' })).status).toBe(400);

    fleet.sim.stop();
    await waitFor('the AGV offline', () => platform.registry.onlineCount() === 0);
    const offline = await call('POST', `/agvs/${agv}/estop`, key());
    expect(offline.status).toBe(409);
    expect(offline.json.error).toMatchObject({ code: 'invalid_state', details: { connection: 'offline' } });
  });
});

describe('out of service is kept in the store', () => {
  const schemas: string[] = [];
  afterAll(() => dropSchemas(schemas));
  const backends = [
    { name: 'SQLite', available: () => Promise.resolve(true), open: () => openStoreFrom({ path: ':memory:' }) },
    {
      name: 'PostgreSQL',
      available: postgresReachable,
      open: () => {
        const schema = `uf_ctl_${randomBytes(6).toString('hex')}`;
        schemas.push(schema);
        return openStoreFrom({ url: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}` });
      },
    },
  ];
  it.each(backends)('on $name', async ({ available, open }) => {
    if (!(await available())) return;
    const store: Store = await open();
    try {
      expect(await store.agvs.setInService('nobody', false)).toBeUndefined();
      await store.agvs.upsertSeen({ id: 'agv-1', at: 1_000 });
      expect((await store.agvs.get('agv-1'))!.inService).toBe(true);
      expect((await store.agvs.setInService('agv-1', false))!.inService).toBe(false);
      await store.agvs.upsertSeen({ id: 'agv-1', at: 2_000, lastNode: 'n1' });
      expect((await store.agvs.list()).find((a) => a.id === 'agv-1')!.inService).toBe(false);
      expect((await store.agvs.setInService('agv-1', true))!.inService).toBe(true);
    } finally {
      await store.close();
    }
  });
});
