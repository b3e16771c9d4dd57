import { afterEach, describe, expect, it } from 'vitest';
import type { Alarm } from '../../src/rcs/ops/alarms/types.ts';
import { startFleet, submitTask, taskPairs, waitFor, type Fleet } from './e2e-harness.ts';

// An AGV that vanishes with a load: its task must not hang. Real platform, real sockets, simulated AGVs on accelerated
// time; the AGV "vanishes" by closing its connection and not reconnecting until told.

describe('a task whose AGV vanished after pick-up', () => {
  let fleet: Fleet | undefined;
  afterEach(async () => {
    fleet?.sim.stop();
    await fleet?.platform.stop();
    fleet = undefined;
  });

  /** Starts two AGVs, gives them one task and makes its AGV vanish once the load is on board. */
  async function vanishWithLoad(): Promise<{ fleet: Fleet; taskId: string; agvId: string }> {
    fleet = await startFleet(2);
    const { platform, sim } = fleet;
    await waitFor('AGVs online', () => platform.registry.onlineCount() === 2);
    const [pair] = taskPairs(platform.site, 1);
    const created = await submitTask(platform.apiUrl, platform.demoApiKey!, pair!);
    expect(created.status).toBe(201);
    const taskId = created.json.id as string;
    await waitFor('load on board', async () => (await platform.tasks.get(taskId))?.state === 'to_drop');
    const agvId = (await platform.tasks.get(taskId))!.agvId!;
    sim.get(agvId)!.client.stop();
    await waitFor('task in exception', async () => (await platform.tasks.get(taskId))?.state === 'exception');
    return { fleet, taskId, agvId };
  }

  const openAlarm = (f: Fleet, code: string, match: (a: Alarm) => boolean): Alarm | undefined =>
    f.platform.ops!.alarms.active().find((a) => a.code === code && match(a));

  async function resolve(f: Fleet, taskId: string, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${f.platform.apiUrl}/api/v1/tasks/${taskId}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': f.platform.demoApiKey! },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it('becomes an exception with an alarm, keeps the AGV nodes held with an alarm naming them, and an operator resolves it', async () => {
    const { fleet: f, taskId, agvId } = await vanishWithLoad();
    const task = (await f.platform.tasks.get(taskId))!;
    expect(task).toMatchObject({ state: 'exception', agvId });
    expect(task.reason).toContain(agvId);
    await waitFor('lost-load alarm', () => openAlarm(f, 'LOAD_ON_LOST_AGV', (a) => a.taskId === taskId) !== undefined);
    expect(openAlarm(f, 'LOAD_ON_LOST_AGV', (a) => a.taskId === taskId)).toMatchObject({ agvId, severity: 'critical' });

    const held = f.platform.traffic.held(agvId);
    expect(held.length).toBeGreaterThan(0);
    await waitFor('held-nodes alarm', () => openAlarm(f, 'OFFLINE_HOLDS_NODES', (a) => a.agvId === agvId) !== undefined);
    const heldAlarm = openAlarm(f, 'OFFLINE_HOLDS_NODES', (a) => a.agvId === agvId)!;
    for (const node of held) expect(heldAlarm.message).toContain(node);

    expect((await resolve(f, taskId, { outcome: 'lost' })).status).toBe(400);
    const resolved = await resolve(f, taskId, { outcome: 'requeue', note: 'load found at the pick station' });
    expect(resolved.status).toBe(200);
    expect(resolved.json).toMatchObject({ id: taskId, agvId: null });
    expect(['queued', 'assigned', 'to_pick', 'picking', 'to_drop', 'dropping', 'completed']).toContain(resolved.json.state);
    await waitFor('lost-load alarm cleared', () => openAlarm(f, 'LOAD_ON_LOST_AGV', (a) => a.taskId === taskId) === undefined);
    // Safety: the vanished AGV's nodes stay held after the task is settled.
    expect(f.platform.traffic.held(agvId)).toEqual(held);

    const again = await resolve(f, taskId, { outcome: 'completed' });
    expect(again.status).toBe(409);
    const audit = await f.platform.store.events.query({ type: 'task.resolved', taskId });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.message).toContain('requeue');
  });

  it('resumes when the AGV comes back before an operator acts, and the alarm clears', async () => {
    const { fleet: f, taskId, agvId } = await vanishWithLoad();
    await waitFor('lost-load alarm', () => openAlarm(f, 'LOAD_ON_LOST_AGV', (a) => a.taskId === taskId) !== undefined);
    f.sim.get(agvId)!.client.start();
    await waitFor('task completed by its AGV', async () => (await f.platform.tasks.get(taskId))?.state === 'completed');
    const history = (await f.platform.tasks.get(taskId))!.history.map((h) => h.to);
    expect(history.slice(history.indexOf('exception'))).toContain('completed');
    expect((await f.platform.tasks.get(taskId))!.agvId).toBe(agvId);
    await waitFor('lost-load alarm cleared', () => openAlarm(f, 'LOAD_ON_LOST_AGV', (a) => a.taskId === taskId) === undefined);
  });
});
