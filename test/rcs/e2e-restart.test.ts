import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock, Simulator } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { TERMINAL_STATES } from '../../src/rcs/tasks/types.ts';
import { COMPACT_PROFILES, demoSite, OccupancyChecker, submitTask, taskPairs, e2eConfig, TIME_FACTOR, waitFor } from './e2e-harness.ts';

describe('platform restart (same SQLite file, same ports)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unifleet-restart-'));
  let platform: PlatformHandle | undefined;
  let sim: Simulator | undefined;
  afterEach(async () => {
    sim?.stop();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes every accepted task exactly once after the RCS is stopped mid-run and started again', async () => {
    const site = await demoSite();
    const clock = new ScaledClock(TIME_FACTOR);
    const checker = new OccupancyChecker(site);
    const dbPath = join(dir, 'unifleet.db');
    const config = e2eConfig({ dbPath, recoveryMs: 60_000 });
    const parts = { site, clock, tap: checker.tap };
    platform = await startPlatform(config, parts);
    const { rcsPort } = platform;
    sim = new Simulator({ clock, nodes: site.nodes, count: 12, startNodes: site.parking.map((p) => p.node), host: '127.0.0.1', port: rcsPort, profiles: COMPACT_PROFILES, batteryPct: () => 90 });
    sim.start();
    await waitFor('AGVs online', () => platform!.registry.onlineCount() === 12);

    const pairs = taskPairs(site, 30);
    for (const [i, pair] of pairs.entries()) {
      expect((await submitTask(platform.apiUrl, platform.demoApiKey!, pair, `restart-${i}`)).status).toBe(201);
    }
    await waitFor('some tasks done and others under way', async () => {
      const items = (await platform!.tasks.list({ limit: 500 })).items;
      return items.filter((t) => t.state === 'completed').length >= 6 && items.some((t) => t.state === 'to_drop');
    });
    await platform.stop();

    // Same DB, same AGV port: the simulated AGVs reconnect on their own (SDK backoff).
    platform = await startPlatform({ ...config, rcsPort }, parts);
    const restarted = platform;
    await waitFor('AGVs reconnected', () => restarted.registry.onlineCount() === 12, 30_000);
    // Repeating a create with the same idempotency key after the restart must not duplicate the task.
    const again = await submitTask(restarted.apiUrl, restarted.demoApiKey!, pairs[0]!, 'restart-0');
    expect(again.status).toBe(200);

    await waitFor(
      'all tasks completed after restart',
      async () => (await restarted.tasks.list({ limit: 500 })).items.every((t) => t.state === 'completed'),
      90_000,
    );
    const items = (await restarted.tasks.list({ limit: 500 })).items;
    expect(items).toHaveLength(30);
    for (const task of items) {
      const history = (await restarted.tasks.get(task.id))!.history.map((h) => h.to);
      expect(history.filter((s) => TERMINAL_STATES.has(s))).toEqual(['completed']);
      expect(history.filter((s) => s === 'dropping').length).toBeGreaterThanOrEqual(1);
    }
    expect(checker.violations).toEqual([]);
  });
});
