// A protocol gateway killed under load is replaced: its AGVs' sessions end as on a dropped link (they stop where
// authorised), the pool starts a new gateway on the shared socket, the AGVs reconnect and every task finishes once.
// Real sockets, real gateway processes, SIGKILL. The restart budget (backoff, per-minute cap) is checked on its own.

import { describe, expect, it } from 'vitest';
import { RestartBudget } from '../../src/rcs/gateway/restart-budget.ts';
import { startPlatform } from '../../src/rcs/platform.ts';
import { demoSite, everyTaskCompleted, refusesConnections, startFleet, submitTask, taskPairs, waitFor } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';

describe('a protocol gateway that dies', () => {
  it('is replaced; its AGVs come back through the gateways and every task completes once, with no violation', async () => {
    const { platform, sim, checker } = await startFleet(8, { gateways: 2, recoveryMs: 60_000 });
    try {
      await waitFor('AGVs online', () => platform.registry.onlineCount() === 8, 30_000);
      const pairs = taskPairs(platform.site, 16);
      for (const [i, pair] of pairs.entries()) expect((await submitTask(platform.apiUrl, platform.demoApiKey!, pair, `gw-${i}`)).status).toBe(201);
      await waitFor('tasks under way', async () => (await platform.tasks.list({ limit: 100 })).items.some((t) => t.state === 'to_drop' || t.state === 'to_pick'));

      const pool = platform.gateways!;
      const victim = pool.processes().reduce((a, b) => (b.connections > a.connections ? b : a));
      expect(victim.connections).toBeGreaterThan(0);
      process.kill(victim.pid!, 'SIGKILL');

      await waitFor('a replacement gateway running', () => pool.status().restarts === 1 && pool.status().up === 2, 30_000);
      expect(pool.processes().map((p) => p.pid)).not.toContain(victim.pid);
      expect(pool.status().capped).toBe(false);
      await waitFor('every AGV back', () => platform.registry.onlineCount() === 8 && pool.processes().reduce((n, p) => n + p.connections, 0) === 8, 60_000);

      const metrics = await platform.ops!.metrics.text();
      expect(metrics).toMatch(/^unifleet_gateway_restarts_total 1$/m);
      expect(metrics).toMatch(/^unifleet_gateways\{state="up"\} 2$/m);
      const ready = await fetch(`${platform.apiUrl}/readyz`);
      expect(((await ready.json()) as { checks: Record<string, boolean> }).checks.gateways).toBe(true);

      // Each task done exactly once: one terminal state, 'completed'.
      expect([...(await everyTaskCompleted(platform)).values()]).toEqual(Array(16).fill(['completed']));
      expect(checker.violations).toEqual([]);
    } finally {
      sim.stop();
      await platform.stop();
    }
  }, 240_000);
});

describe('a platform that stops taking AGV connections', () => {
  it('closes the gateways\' copies of the listening socket too (shutdown, leadership lost)', async () => {
    const platform = await startPlatform(testConfig({ webhooks: false, gateways: 2 }), { site: await demoSite(), ops: false });
    try {
      const port = platform.rcsPort;
      expect(await refusesConnections(port)).toBe(false);
      await platform.sessions.close();
      await waitFor('nobody accepting on the AGV port', () => refusesConnections(port), 10_000);
      expect(platform.gateways!.status().up).toBe(2);
    } finally {
      await platform.stop();
    }
  });
});

describe('gateway restart budget', () => {
  it('backs off, then caps restarts per minute and waits for the window to move', () => {
    const budget = new RestartBudget({ maxPerMinute: 3, firstDelayMs: 100, maxDelayMs: 1_000 });
    const delays: { delayMs: number; capped: boolean }[] = [];
    let now = 0;
    for (let i = 0; i < 4; i++) {
      const next = budget.next(now);
      delays.push(next);
      now += next.delayMs;
      budget.record(now);
    }
    expect(delays.slice(0, 3)).toEqual([{ delayMs: 100, capped: false }, { delayMs: 200, capped: false }, { delayMs: 400, capped: false }]);
    // Three restarts at 100, 300 and 700 ms: the fourth waits until the first leaves the 60 s window.
    expect(delays[3]).toEqual({ delayMs: 60_100 - 700, capped: true });
    // A quiet minute later the budget is whole again.
    expect(budget.next(now + 120_000)).toEqual({ delayMs: 100, capped: false });
    expect(() => new RestartBudget({ maxPerMinute: 0, firstDelayMs: 1, maxDelayMs: 1 })).toThrow(/maxPerMinute/);
  });
});
