import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, submitTask, taskPairs, waitFor, type Fleet } from './e2e-harness.ts';

describe('platform end to end with injected faults', () => {
  let fleet: Fleet | undefined;
  afterEach(async () => {
    fleet?.sim.stop();
    await fleet?.platform.stop();
    fleet = undefined;
  });

  it('finishes every task through disconnects, stalls and e-stops, and sends a low-battery AGV to charge', async () => {
    fleet = await startFleet(10);
    const { platform, sim, checker } = fleet;
    await waitFor('AGVs online', () => platform.registry.onlineCount() === 10);
    sim.setBattery('AGV-003', 12);
    for (const [i, pair] of taskPairs(platform.site, 20).entries()) {
      expect((await submitTask(platform.apiUrl, platform.demoApiKey!, pair, `fault-${i}`)).status).toBe(201);
    }
    await waitFor('tasks under way', async () => (await platform.tasks.list({ state: ['to_drop', 'picking'] })).items.length >= 2);

    const busy = (await platform.tasks.list({ state: ['to_pick', 'to_drop'] })).items.map((t) => t.agvId!).filter((id) => id !== 'AGV-003');
    const [dropped, stalled, stopped] = [busy[0] ?? 'AGV-005', busy[1] ?? 'AGV-007', busy[2] ?? 'AGV-008'];
    sim.disconnect(dropped);
    sim.stall(stalled, true);
    sim.emergencyStop(stopped, true);
    await waitFor(`${dropped} back online`, () => platform.registry.get(dropped)?.connection === 'online' && platform.registry.get(stopped)?.state === 'emergencyStop');
    await new Promise((r) => setTimeout(r, 1_500));
    sim.stall(stalled, false);
    sim.emergencyStop(stopped, false);

    await waitFor('low-battery AGV charging', () => {
      const job = platform.coordinator.job('AGV-003');
      return job.kind === 'charge' && job.phase === 'charging' && sim.get('AGV-003')!.body.charging;
    });
    const charger = platform.site.chargers.map((c) => c.node);
    expect(charger).toContain(platform.traffic.held('AGV-003')[0]);

    await waitFor('all tasks completed', async () => (await platform.tasks.list({ limit: 500 })).items.every((t) => t.state === 'completed'), 100_000);
    expect(checker.violations).toEqual([]);
    const offline = await platform.store.events.query({ type: 'agv.offline', agvId: dropped });
    expect(offline.length).toBeGreaterThanOrEqual(1);
  });
});
