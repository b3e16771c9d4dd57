import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { launchChromium } from './chromium.ts';
import { loginAs } from './login.ts';
import { startFleet, submitTask, waitFor, type Fleet } from '../rcs/e2e-harness.ts';
import { twoFloorSite } from '../rcs/lifts/two-floor-site.ts';

// A lift ride watched in the dashboard, in a real browser against the real platform: TCP sessions, SQLite, the
// two-floor test site with its simulated lifts and simulated SDK AGVs on accelerated time. An operator pins the AGV
// that carries a cross-floor load; the dashboard shows it in the lift's queue and cabin, follows it to the upper
// floor and shows its new map, and the task completes. An AGV that fails to relocalise after its ride is held in
// the cabin with an alarm on its panel, and the operator's *Retry map switch* button sends the switch again.

const ROOT = join(import.meta.dirname, '../..');
const OPERATOR = { username: 'operator', password: 'operator-browser-1', role: 'operator' as const };
const ROLLWAY = VENDOR_PROFILES.find((p) => p.navigation === 'slam' && p.lengthM < 1.5)!;

let fleet: Fleet;
let browser: Browser;

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  fleet = await startFleet(2, {}, { ops: { seedUsers: [OPERATOR] } }, { site: twoFloorSite(), profiles: [ROLLWAY], startNodes: ['F1.n2_4', 'F1.n10_4'] });
  await waitFor('AGVs online', () => fleet.platform.registry.onlineCount() === 2);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  fleet?.sim.stop();
  await fleet?.platform.stop();
});

/** What the page shows, read from its DOM and its map view's state. */
async function shown(page: Page): Promise<{ floor: string | null; active: string | null; agvMap: string | null }> {
  return (await page.evaluate(`({
    floor: window.__unifleetMap.floor,
    active: document.querySelector('[data-testid=floors] button.active')?.dataset.testid ?? null,
    agvMap: document.querySelector('[data-testid=agv-map]')?.textContent ?? null,
  })`)) as { floor: string | null; active: string | null; agvMap: string | null };
}

/**
 * Keeps every text a lift row showed, so a state the feed showed only briefly (at accelerated time a ride lasts
 * about a second) is still there to assert on.
 */
async function recordLiftRows(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const seen = (window.__liftRows = []);
    const record = () => {
      for (const row of document.querySelectorAll('[data-testid^=lift-]')) {
        const text = row.dataset.testid + ': ' + row.textContent;
        if (!seen.includes(text)) seen.push(text);
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    record();
  })()`);
}

const liftRows = async (page: Page): Promise<string[]> => (await page.evaluate('window.__liftRows')) as string[];

describe('a lift ride in the dashboard', () => {
  it('shows the pinned AGV queued and riding, follows it to the target floor with its new map, and the task completes', async () => {
    const { platform } = fleet;
    const page = await loginAs(browser, platform.apiUrl, OPERATOR);
    await page.waitForFunction('(window.__unifleet?.store.agvs.size ?? 0) === 2 && window.__unifleetMap.floor === "F1"', undefined, { timeout: 30_000 });
    await recordLiftRows(page);

    // The operator looks at the upper floor first: nobody is there yet.
    await page.click('[data-testid=floor-F2]');
    await expect.poll(async () => shown(page)).toMatchObject({ floor: 'F2', active: 'floor-F2' });

    const { status, json } = await submitTask(platform.apiUrl, platform.demoApiKey!, { pick: 'P1', drop: 'D2' });
    expect(status).toBe(201);
    const taskId = json.id as string;
    const assigned = async () => (await page.evaluate(`window.__unifleet.store.tasks.get(${JSON.stringify(taskId)})?.agvId ?? null`)) as string | null;
    await expect.poll(assigned, { timeout: 30_000 }).not.toBeNull();
    const agvId = (await assigned())!;
    // Held while the operator pins it, so a busy machine cannot let it reach the upper floor before the pin is seen.
    const control = async (action: 'pause' | 'resume') =>
      (await fetch(`${platform.apiUrl}/api/v1/agvs/${agvId}/${action}`, { method: 'POST', headers: { 'x-api-key': platform.demoApiKey! } })).status;
    expect(await control('pause')).toBe(200);

    // Pinning it from the AGV list takes the map back to its floor; its panel shows the ground floor's map.
    await page.click('[data-nav=agvs]');
    await page.fill('[data-testid=agv-filter]', agvId);
    await page.locator(`tr[data-agv="${agvId}"] a`).click();
    await expect.poll(async () => shown(page)).toMatchObject({ floor: 'F1', active: 'floor-F1', agvMap: 'Ground' });
    expect(await control('resume')).toBe(200);

    // The ride: the view follows the pinned AGV to the upper floor and its panel shows the upper floor's map.
    await expect.poll(async () => shown(page), { timeout: 90_000, interval: 100 }).toMatchObject({ floor: 'F2', active: 'floor-F2', agvMap: 'First' });
    // On the way the lift it took showed it waiting in its queue, then on board while the cabin moved.
    const rows = await liftRows(page);
    const queued = rows.findIndex((r) => r.includes(`queue: ${agvId}`));
    const riding = rows.findIndex((r) => r.includes('moving up') && r.includes(`riding: ${agvId}`));
    expect(queued, rows.join('\n')).toBeGreaterThanOrEqual(0);
    expect(riding, rows.join('\n')).toBeGreaterThan(queued);

    await page.click('[data-nav=tasks]');
    await expect.poll(async () => page.locator(`[data-task="${taskId}"]`).getAttribute('data-state'), { timeout: 90_000, interval: 250 }).toBe('completed');
    expect((await platform.tasks.get(taskId))?.state).toBe('completed');
    expect((await platform.store.events.query({ agvId, type: 'lift.boarded' })).length).toBe(1);
    expect(fleet.checker.violations).toEqual([]);
    await page.context().close();
  });

  it('shows an AGV held after failed relocalisation with its alarm; the operator retries the map switch from its panel', async () => {
    const { platform } = fleet;
    // As many failures as the platform's automatic attempts: only the operator's retry gets it out.
    for (const agv of fleet.sim.agvs) agv.body.faults.failedRelocalisations = 3;
    const page = await loginAs(browser, platform.apiUrl, OPERATOR);
    await page.waitForFunction('(window.__unifleet?.store.agvs.size ?? 0) === 2', undefined, { timeout: 30_000 });
    const { json } = await submitTask(platform.apiUrl, platform.demoApiKey!, { pick: 'P2', drop: 'D3' });
    const taskId = json.id as string;
    const failures = () => platform.store.events.query({ type: 'lift.relocalisation_failed' });
    await waitFor('three failed relocalisations', async () => (await failures()).length === 3, 90_000);
    const agvId = (await failures())[0]!.agvId!;

    await page.click('[data-nav=agvs]');
    await page.fill('[data-testid=agv-filter]', agvId);
    await page.locator(`tr[data-agv="${agvId}"] a`).click();
    await expect.poll(async () => page.textContent('[data-testid=agv-panel]'), { timeout: 30_000 }).toContain('RELOCALISATION_FAILED');
    await page.click('[data-testid=agv-map-switch-retry]');

    await expect.poll(async () => (await platform.tasks.get(taskId))?.state, { timeout: 90_000, interval: 250 }).toBe('completed');
    expect((await platform.store.events.query({ agvId, type: 'lift.map_switch_retried' }))[0]?.message).toBe(`map switch of ${agvId} retried by operator`);
    await expect.poll(async () => page.locator('[data-testid=agv-map-switch-retry]').count(), { timeout: 30_000 }).toBe(0);
    expect(fleet.checker.violations).toEqual([]);
    await page.context().close();
  });
});
