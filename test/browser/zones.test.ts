import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock, Simulator } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../../src/rcs/site/index.ts';
import { launchChromium } from './chromium.ts';
import { loginAs as login } from './login.ts';
import { testConfig } from '../rcs/test-config.ts';

// Zones and the AGV's running data in the dashboard, in a real browser against the real platform (TCP sessions,
// SQLite, simulated AGVs at 20x time): an operator draws a blocked area on the map, sees traffic take it, removes it.

const ROOT = join(import.meta.dirname, '../..');
const USERS = [
  { username: 'operator', password: 'operator-browser-1', role: 'operator' as const },
  { username: 'viewer', password: 'viewer-browser-1', role: 'viewer' as const },
];

let platform: PlatformHandle;
let sim: Simulator;
let browser: Browser;

const loginAs = (username: string): Promise<Page> => login(browser, platform.apiUrl, USERS.find((u) => u.username === username)!);

/** Clicks the map at a point in site metres (the view's transform read through its test hook). */
async function clickMap(page: Page, x: number, y: number): Promise<void> {
  const view = JSON.parse((await page.evaluate('JSON.stringify({ ox: window.__unifleet.mapView.ox, oy: window.__unifleet.mapView.oy, scale: window.__unifleet.mapView.scale })')) as string) as { ox: number; oy: number; scale: number };
  const box = (await page.locator('[data-testid=map]').boundingBox())!;
  await page.mouse.click(box.x + view.ox + x * view.scale, box.y + view.oy - y * view.scale);
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);
  const clock = new ScaledClock(20);
  platform = await startPlatform(testConfig({ autoEnrol: true, heartbeatTimeoutMs: 30_000, webhooks: false, runningDataPeriodMs: 2_000 }), { site, clock, ops: { seedUsers: USERS } });
  sim = new Simulator({ clock, nodes: site.nodes, count: 2, startNodes: site.parking.map((p) => p.node), host: '127.0.0.1', port: platform.rcsPort, batteryPct: () => 90 });
  sim.start();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  sim?.stop();
  await platform?.stop();
});

describe('zones and running data in the dashboard', () => {
  it('lets an operator draw a blocked area on the map, lists it, blocks it in traffic, and removes it', async () => {
    const page = await loginAs('operator');
    await page.waitForFunction('(window.__unifleetMap?.drawnAgvs ?? 0) >= 2', undefined, { timeout: 30_000 });
    await page.selectOption('[data-testid=zone-type]', 'blocked');
    await page.fill('[data-testid=zone-name]', 'spill near n10_10');
    await page.click('[data-testid=zone-draw]');
    for (const [x, y] of [[9.6, 9.6], [10.4, 9.6], [10.4, 10.4], [9.6, 10.4]] as const) await clickMap(page, x, y);
    await expect.poll(() => page.textContent('[data-testid=zone-draw-cancel]')).toContain('4 corners');
    await page.click('[data-testid=zone-create]');

    await expect.poll(() => page.locator('[data-testid=zone-item]').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.textContent('[data-testid=zone-item]')).toContain('spill near n10_10 · blocked');
    const [zone] = platform.zones.list();
    expect(zone!.covered.nodes).toEqual(['n10_10']);
    expect(zone!.createdBy).toBe('operator');
    expect(platform.traffic.blockedResources().map((b) => b.id)).toEqual([`zone:${zone!.id}`]);

    // A viewer sees the zone but gets no controls for it.
    const viewer = await loginAs('viewer');
    await expect.poll(() => viewer.locator('[data-testid=zone-item]').count(), { timeout: 10_000 }).toBe(1);
    expect(await viewer.locator('[data-testid=zone-remove]').count()).toBe(0);
    expect(await viewer.locator('[data-testid=zone-create]').count()).toBe(0);

    await page.click('[data-testid=zone-remove]');
    await expect.poll(() => page.locator('[data-testid=zone-item]').count(), { timeout: 10_000 }).toBe(0);
    expect(platform.zones.list()).toEqual([]);
    expect(platform.traffic.blockedResources()).toEqual([]);
  });

  it("charts the selected AGV's running data and reads its parameters", async () => {
    const page = await loginAs('operator');
    const agvId = platform.registry.list()[0]!.id;
    await expect.poll(async () => (await platform.store.runningData.list(agvId, 0, 10)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await page.evaluate(`window.__unifleet.store.select(${JSON.stringify(agvId)})`);
    await page.click('[data-testid=running-sample]');
    await expect.poll(() => page.locator('[data-testid=running-chart] polyline').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getAttribute('[data-testid=running-chart] polyline', 'points')).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+)+$/);
    await page.click('[data-testid=params-read]');
    await expect.poll(() => page.textContent('[data-testid=agv-params]'), { timeout: 10_000 }).toContain('maxLinearSpeed');
  });

  it("pauses and resumes one vendor's AGVs from the legend", async () => {
    const page = await loginAs('operator');
    const agvs = platform.registry.list();
    const vendor = agvs[0]!.vendor;
    const ofVendor = agvs.filter((a) => a.vendor === vendor).map((a) => a.id);
    const others = agvs.filter((a) => a.vendor !== vendor).map((a) => a.id);
    await page.click(`[data-testid="vendor-pause-${vendor}"]`);
    await expect.poll(() => ofVendor.every((id) => platform.controls.state(id).paused), { timeout: 10_000 }).toBe(true);
    expect(others.some((id) => platform.controls.state(id).paused)).toBe(false);
    await expect.poll(() => page.textContent('[data-testid=toast]')).toContain(`${vendor} pause: ${ofVendor.length} confirmed`);
    await page.click(`[data-testid="vendor-resume-${vendor}"]`);
    await expect.poll(() => ofVendor.some((id) => platform.controls.state(id).paused), { timeout: 10_000 }).toBe(false);
    expect((await platform.store.events.query({ type: 'group.pause' }))[0]!.message).toContain('by operator');
  });
});
