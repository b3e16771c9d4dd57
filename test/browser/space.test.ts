import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock, Simulator } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { launchChromium } from './chromium.ts';
import { loginAs as login } from './login.ts';
import { submitTask } from '../rcs/e2e-harness.ts';
import { gridSite } from '../rcs/space-grid.ts';
import { testConfig } from '../rcs/test-config.ts';

// Autonomous space in the dashboard, in a real browser against the real platform (TCP sessions, SQLite, simulated
// AGVs): an AGV meets an obstacle, is granted a detour the space panel shows until it is released; a refused detour
// becomes a blockage an operator clears from the panel.

const ROOT = join(import.meta.dirname, '../..');
const USERS = [{ username: 'operator', password: 'operator-browser-1', role: 'operator' as const }];

let browser: Browser;
let running: { platform: PlatformHandle; sim: Simulator } | undefined;

/**
 * A platform on the space grid and simulated AGVs on `startNodes`. Real time: a detour around a 3 m edge takes a
 * few seconds, several of the panel's polls.
 */
async function start(startNodes: string[], detourOffsetM = 1): Promise<{ platform: PlatformHandle; sim: Simulator; key: string }> {
  const site = gridSite();
  const clock = new ScaledClock(1);
  const platform = await startPlatform(testConfig({ autoEnrol: true, demoKey: true, heartbeatTimeoutMs: 30_000, webhooks: false }), { site, clock, ops: { seedUsers: USERS } });
  const sim = new Simulator({ clock, nodes: site.nodes, count: startNodes.length, startNodes, host: '127.0.0.1', port: platform.rcsPort, batteryPct: () => 90, detourOffsetM });
  sim.start();
  running = { platform, sim };
  await expect.poll(() => sim.agvs.every((a) => platform.traffic.held(a.controller.client.agvId).length > 0), { timeout: 30_000 }).toBe(true);
  return { platform, sim, key: platform.demoApiKey! };
}

const loginAs = (platform: PlatformHandle, username: string): Promise<Page> => login(browser, platform.apiUrl, USERS.find((u) => u.username === username)!, '[data-testid=space]');

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  browser = await launchChromium();
}, 120_000);

afterEach(async () => {
  running?.sim.stop();
  await running?.platform.stop();
  running = undefined;
});

afterAll(async () => {
  await browser?.close();
});

describe('space and blockages in the dashboard', () => {
  it('shows the detour an AGV is granted around an obstacle while it drives it, and drops it once released', async () => {
    const { platform, sim, key } = await start(['0:0']);
    const agvId = sim.agvs[0]!.client.agvId;
    const page = await loginAs(platform, 'operator');
    expect(await page.textContent('[data-testid=space]')).toContain('No granted space');

    sim.addObstacle({ edge: ['3:0', '4:0'] });
    expect((await submitTask(platform.apiUrl, key, { pick: 'P1', drop: 'D1' })).status).toBe(201);
    const lease = page.locator(`[data-testid=lease-item][data-agv="${agvId}"]`);
    await lease.waitFor({ timeout: 60_000 });
    expect(await lease.textContent()).toMatch(new RegExp(`^${agvId} · lease \\d+ s left · \\d+ nodes`));

    await lease.waitFor({ state: 'detached', timeout: 60_000 });
    await expect.poll(async () => (await platform.tasks.list({ limit: 10 })).items.map((t) => t.state), { timeout: 60_000 }).toEqual(['completed']);
    const types = (await platform.store.events.query({ agvId, limit: 200 })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['space.granted', 'space.released']));
    expect(await page.locator('[data-testid=lease-item]').count()).toBe(0);
  });

  it('lists a blockage an AGV reported when its detour was refused, and an operator clears it from the panel', async () => {
    // A maintenance block next to the obstacle: a detour 3 m wide would cover it, so it is refused and reported.
    const { platform, sim, key } = await start(['0:0'], 3);
    platform.traffic.blockResources({ id: 'maintenance', nodes: ['3:1', '4:1'], edges: [] });
    const agvId = sim.agvs[0]!.client.agvId;
    const page = await loginAs(platform, 'operator');
    sim.addObstacle({ edge: ['3:0', '4:0'] });
    await submitTask(platform.apiUrl, key, { pick: 'P1', drop: 'D1' });

    const item = page.locator('[data-testid=blockage-item]');
    await item.waitFor({ timeout: 60_000 });
    expect(await item.textContent()).toContain(`by ${agvId}`);
    await item.locator('[data-testid=blockage-clear]').click();
    await item.waitFor({ state: 'detached', timeout: 10_000 });
    expect(platform.space.blockages.list()).toEqual([]);
    expect(platform.traffic.blockedResources().map((b) => b.id)).toEqual(['maintenance']);
  });
});
