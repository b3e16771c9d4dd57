import { afterEach, describe, expect, it } from 'vitest';
import { CentralTrafficController } from '../../src/rcs/traffic/central/index.ts';
import { startFleet, submitTask, taskPairs, waitFor, type Fleet } from './e2e-harness.ts';

// The central controller in the real platform: TCP sessions, HTTP task API, SQLite, the coordinator and the
// simulator, selected through the platform's configuration. The platform's own harness checks occupancy from
// the AGVs' status reports only.

describe('central traffic control in the running platform (real sockets, accelerated time)', () => {
  let fleet: Fleet | undefined;
  afterEach(async () => {
    fleet?.sim.stop();
    await fleet?.platform.stop();
    fleet = undefined;
  });

  it('12 AGVs of 3 vendors complete 30 tasks, never sharing a node', async () => {
    const events: string[] = [];
    fleet = await startFleet(12, { traffic: 'central' });
    fleet.platform.traffic.observe({ event: (e) => events.push(e.kind) });
    const { platform, checker } = fleet;
    await waitFor('12 AGVs online', () => platform.registry.onlineCount() === 12);
    for (const [i, pair] of taskPairs(platform.site, 30).entries()) {
      const { status } = await submitTask(platform.apiUrl, platform.demoApiKey!, pair, `central-${i}`);
      expect(status).toBe(201);
    }
    await waitFor(
      'all 30 tasks completed',
      async () => (await platform.tasks.list({ limit: 100 })).items.filter((t) => t.state === 'completed').length === 30,
      120_000,
    );
    expect(platform.traffic).toBeInstanceOf(CentralTrafficController);
    expect(checker.reports).toBeGreaterThan(100);
    expect(checker.violations).toEqual([]);
  }, 180_000);
});
