import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { ScaledClock, SimAgv, Simulator, VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { startNodesByFloor } from '../../src/demo/start-nodes.ts';
import { DEMO_SITE_PATH, readSiteMapFile } from '../../src/rcs/site/index.ts';
import type { SiteMap } from '../../src/rcs/site/types.ts';
import type { EquipmentView, LiftStatusView } from '../../src/rcs/ops/ports.ts';
import { launchChromium } from './chromium.ts';
import { testConfig } from '../rcs/test-config.ts';

// The dashboard in a real browser against the real platform: TCP sessions, SQLite, the simulated three-vendor fleet
// on the default two-floor site at 20x time. Nothing here is faked: tasks are created through the UI and driven by the platform.

const ROOT = join(import.meta.dirname, '../..');
const USERS = [
  { username: 'admin', password: 'admin-browser-1', role: 'admin' as const },
  { username: 'operator', password: 'operator-browser-1', role: 'operator' as const },
  { username: 'viewer', password: 'viewer-browser-1', role: 'viewer' as const },
];

let platform: PlatformHandle;
let sim: Simulator;
let browser: Browser;
let site: SiteMap;
const lifts = new Map<string, LiftStatusView>();

async function loginAs(username: string, apiUrl = platform.apiUrl): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(apiUrl);
  await page.fill('[data-testid=login-user]', username);
  await page.fill('[data-testid=login-password]', USERS.find((u) => u.username === username)!.password);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=map]');
  return page;
}

/** Positions of every AGV as the dashboard holds them (read through its test hook). */
async function positions(page: Page): Promise<Record<string, [number, number]>> {
  const json = (await page.evaluate(
    'JSON.stringify(Object.fromEntries([...window.__unifleet.store.agvs.values()].map((m) => [m.agv.id, [m.agv.x, m.agv.y]])))',
  )) as string;
  return JSON.parse(json) as Record<string, [number, number]>;
}

/** A simulated AGV standing on the given floor (a forklift when there is one there). */
function registeredOn(map: string): SimAgv['body'] {
  const mapOf = new Map(site.nodes.map((n) => [n.id, n.map]));
  const onMap = sim.agvs.map((a) => a.body).filter((body) => mapOf.get(platform.registry.get(body.id)?.heldNodes[0] ?? '') === map);
  return onMap.find((body) => body.profile.lengthM > 1.5) ?? onMap[0]!;
}

async function apiFromPage(page: Page, method: string, path: string, body?: unknown): Promise<number> {
  return (await page.evaluate(
    `fetch(${JSON.stringify(path)}, { method: ${JSON.stringify(method)}, headers: ${body === undefined ? '{}' : "{ 'content-type': 'application/json' }"}, body: ${body === undefined ? 'undefined' : JSON.stringify(JSON.stringify(body))} }).then((r) => r.status)`,
  )) as number;
}

beforeAll(async () => {
  // The suite builds the dashboard it tests.
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  site = await readSiteMapFile(DEMO_SITE_PATH);
  const clock = new ScaledClock(20);
  // The lifts' and doors' state as their controllers would report it (set by the tests below).
  const equipment = (): EquipmentView => ({ lifts: [...lifts.values()].map((l) => ({ ...l })), doors: [] });
  platform = await startPlatform(testConfig({ autoEnrol: true, heartbeatTimeoutMs: 30_000, webhooks: false }), { site, clock, ops: { seedUsers: USERS, equipment } });
  sim = new Simulator({ clock, nodes: site.nodes, maps: site.maps, count: 8, startNodes: startNodesByFloor(site), host: '127.0.0.1', port: platform.rcsPort, batteryPct: () => 90 });
  sim.start();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  sim?.stop();
  await platform?.stop();
});

describe('dashboard in a real browser', () => {
  it('shows the live fleet moving, lets an operator create a task from the UI and watch it complete', async () => {
    const page = await loginAs('operator');
    await page.waitForFunction('(window.__unifleet?.store.agvs.size ?? 0) >= 8 && (window.__unifleetMap?.drawnAgvs ?? 0) > 0', undefined, { timeout: 30_000 });
    await expect.poll(async () => page.textContent('[data-testid=fleet-count]'), { timeout: 30_000 }).toContain('8 online');

    await page.click('[data-nav=tasks]');
    // A pick and a drop on the ground floor that every vendor may serve (outside the navigation areas).
    const restricted = new Set(site.navigationAreas.flatMap((a) => a.nodes));
    const ground = new Set(site.nodes.filter((n) => n.map === site.maps[0]!.id).map((n) => n.id));
    const pick = site.stations.find((s) => s.kind !== 'drop' && ground.has(s.node) && !restricted.has(s.node))!.id;
    const drop = site.stations.find((s) => s.kind !== 'pick' && ground.has(s.node) && s.id !== pick)!.id;
    await page.selectOption('[data-testid=task-from]', pick);
    await page.selectOption('[data-testid=task-to]', drop);
    const before = await positions(page);
    await page.click('[data-testid=task-create]');
    const row = page.locator('[data-testid=task-rows] tr').first();
    await expect.poll(async () => row.getAttribute('data-state'), { timeout: 10_000 }).not.toBeNull();
    const taskId = (await row.getAttribute('data-task'))!;
    expect(platform.ops).toBeDefined();

    // The assigned AGV drives: its position on the dashboard changes, pushed over the live feed.
    await expect
      .poll(async () => {
        const now = await positions(page);
        return Object.keys(now).some((id) => before[id] && (now[id]![0] !== before[id]![0] || now[id]![1] !== before[id]![1]));
      }, { timeout: 60_000 })
      .toBe(true);
    await expect.poll(async () => page.locator(`[data-task="${taskId}"]`).getAttribute('data-state'), { timeout: 90_000, interval: 250 }).toBe('completed');
    const stored = await platform.tasks.get(taskId);
    expect(stored?.state).toBe('completed');
    await page.context().close();
  });

  it('switches floors: each floor shows its own AGVs and lifts; a picked AGV shows its map, navigation mode and body', async () => {
    const page = await loginAs('operator');
    const [ground, first] = site.maps;
    await page.waitForFunction('(window.__unifleet?.store.agvs.size ?? 0) >= 8', undefined, { timeout: 30_000 });
    const shown = async () => JSON.parse((await page.evaluate(
      `JSON.stringify({ floor: window.__unifleetMap.floor, drawn: window.__unifleetMap.drawnAgvs, lifts: window.__unifleetMap.drawnLifts, doors: window.__unifleetMap.drawnDoors, onFloor: [...window.__unifleet.store.agvs.values()].filter((m) => m.agv.map === window.__unifleetMap.floor).length })`,
    )) as string) as { floor: string; drawn: number; lifts: number; doors: number; onFloor: number };
    const doorsOn = (map: string) => site.doors.filter((d) => site.nodes.find((n) => n.id === site.edges.find((e) => e.id === d.edge)!.from)!.map === map).length;
    expect((await shown()).floor).toBe(ground!.id);
    expect(await page.textContent(`[data-testid=floor-${ground!.id}]`)).toContain(ground!.name);
    await expect.poll(async () => { const s = await shown(); return s.onFloor > 0 && s.drawn === s.onFloor; }, { timeout: 10_000 }).toBe(true);
    expect(await shown()).toMatchObject({ lifts: site.lifts.length, doors: doorsOn(ground!.id) });

    // Each lift with its state and queue, as its controller reports it.
    lifts.set('LIFT-W', { id: 'LIFT-W', floor: ground!.id, door: 'open', motion: 'idle', mode: 'agv', fault: null, riders: [], queue: [] });
    await expect.poll(async () => page.textContent('[data-testid=lift-LIFT-W]'), { timeout: 10_000 }).toBe(`West lift ${ground!.name} · door open · idle · no queue`);
    lifts.set('LIFT-W', { id: 'LIFT-W', floor: ground!.id, door: 'closed', motion: 'up', mode: 'agv', fault: null, riders: ['AGV-001'], queue: ['AGV-002'] });
    await expect.poll(async () => page.textContent('[data-testid=lift-LIFT-W]'), { timeout: 10_000 }).toBe(`West lift ${ground!.name} · door closed · moving up · riding: AGV-001 · queue: AGV-002`);
    expect(await page.textContent('[data-testid=lift-LIFT-E]')).toBe('East lift state not reported');

    await page.click(`[data-testid=floor-${first!.id}]`);
    await expect.poll(async () => (await shown()).floor).toBe(first!.id);
    expect(await page.getAttribute(`[data-testid=floor-${first!.id}]`, 'class')).toContain('active');
    // The AGVs started on the first floor are drawn there, and only they; both lifts stop on it too.
    await expect.poll(async () => { const s = await shown(); return s.onFloor > 0 && s.drawn === s.onFloor; }, { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => shown()).toMatchObject({ lifts: site.lifts.length, doors: doorsOn(first!.id) });

    // Picking a ground-floor AGV from the list takes the map back to its floor; the panel shows its map and mode.
    const agv = registeredOn(ground!.id);
    await page.click('[data-nav=agvs]');
    await page.fill('[data-testid=agv-filter]', agv.id);
    await page.locator(`tr[data-agv="${agv.id}"] a`).click();
    await expect.poll(async () => (await shown()).floor).toBe(ground!.id);
    expect(await page.textContent('[data-testid=agv-map]')).toBe(ground!.name);
    await expect.poll(async () => page.textContent('[data-testid=agv-nav]')).toBe(agv.profile.navigation === 'qr' ? 'qrCode' : 'laserSlam');
    expect(await page.textContent('[data-testid=agv-body]')).toBe(`${agv.profile.lengthM} × ${agv.profile.widthM} m`);
    await page.context().close();
  });

  it('raises an alarm from an AGV fault and lets an operator acknowledge it', async () => {
    const page = await loginAs('operator');
    const faulty = sim.agvs[3]!;
    faulty.body.faults.stalled = true;
    await page.click('[data-nav=alarms]');
    const row = page.locator('[data-testid=alarm-rows] tr[data-code="AGV_2001"]');
    await row.waitFor({ timeout: 30_000 });
    await row.locator('[data-testid=alarm-ack]').click();
    await expect.poll(async () => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('acknowledged');
    const alarm = platform.ops!.alarms.active().find((a) => a.code === 'AGV_2001')!;
    expect(alarm).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'operator', agvId: faulty.body.id });
    faulty.body.faults.stalled = false;
    await page.context().close();
  });

  it('exposes the running platform in /metrics, /readyz and the event log', async () => {
    expect((await fetch(`${platform.apiUrl}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${platform.apiUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const metrics = await (await fetch(`${platform.apiUrl}/metrics`)).text();
    const value = (pattern: RegExp): number => [...metrics.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(value(/^unifleet_agvs_connected\{vendor="[^"]+",mode="normal"\} (\d+)/gm)).toBe(8);
    expect(value(/^unifleet_frames_total\{direction="in"\} (\d+)/gm)).toBeGreaterThan(0);
    expect(value(/^unifleet_command_latency_seconds_count\{command="[^"]+"\} (\d+)/gm)).toBeGreaterThan(0);
    expect(value(/^unifleet_planner_step_seconds_count (\d+)/gm)).toBeGreaterThan(0);
    expect(value(/^unifleet_tasks\{state="completed"\} (\d+)/gm)).toBeGreaterThanOrEqual(1);
    // Alarm lifecycle events sit in the platform's own event log, next to its session and task events.
    const events = await platform.store.events.query({ type: 'alarm.acknowledged' });
    expect(events.length).toBeGreaterThan(0);
  });

  it('refuses a viewer: no task creation, no acknowledgement, from the UI or the API', async () => {
    const page = await loginAs('viewer');
    await expect.poll(async () => page.textContent('[data-testid=who]')).toContain('viewer');
    await page.click('[data-nav=tasks]');
    expect(await page.isDisabled('[data-testid=task-create]')).toBe(true);
    const pick = site.stations.find((s) => s.kind !== 'drop')!.id;
    const drop = site.stations.find((s) => s.kind !== 'pick' && s.id !== pick)!.id;
    // The API enforces the role, whatever the UI shows: the dashboard's route and the platform's own task API.
    expect(await apiFromPage(page, 'POST', '/api/v1/dashboard/tasks', { from: pick, to: drop })).toBe(403);
    expect(await apiFromPage(page, 'POST', '/api/v1/tasks', { pick, drop })).toBe(403);
    const [anyAlarm] = await platform.ops!.alarms.query({ limit: 1 });
    expect(await apiFromPage(page, 'POST', `/api/v1/alarms/${anyAlarm?.id ?? 1}/acknowledge`)).toBe(403);
    expect(await page.locator('[data-testid=fleet-controls]').count()).toBe(0);
    expect(await apiFromPage(page, 'POST', '/api/v1/fleet/stop')).toBe(403);
    // Reading is allowed.
    expect(await apiFromPage(page, 'GET', '/api/v1/alarms?state=open')).toBe(200);
    await page.context().close();
  });

  it('lets an operator pause and resume an AGV and stop and resume the whole fleet from the UI', async () => {
    const page = await loginAs('operator');
    page.on('dialog', (dialog) => void dialog.accept());
    const id = sim.agvs[5]!.body.id;
    await page.click('[data-nav=agvs]');
    await page.fill('[data-testid=agv-filter]', id);
    await page.locator(`tr[data-agv="${id}"] a`).click();
    await page.locator('[data-testid=agv-pause]').click({ timeout: 30_000 });
    await expect.poll(() => platform.registry.get(id)?.paused, { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => page.textContent('[data-testid=agv-control]'), { timeout: 10_000 }).toContain('paused');
    await page.locator('[data-testid=agv-resume]').click({ timeout: 10_000 });
    await expect.poll(() => platform.registry.get(id)?.paused, { timeout: 10_000 }).toBe(false);

    const online = () => platform.registry.list().filter((a) => a.connection === 'online');
    await page.locator('[data-testid=fleet-stop]').click();
    await expect.poll(() => online().every((a) => platform.registry.live(a.id)!.status?.emergencyStop), { timeout: 15_000 }).toBe(true);
    await page.locator('[data-testid=fleet-resume]').click();
    await expect.poll(() => online().some((a) => a.paused || platform.registry.live(a.id)!.status?.emergencyStop), { timeout: 15_000 }).toBe(false);
    const [stop] = await platform.store.events.query({ type: 'fleet.stop' });
    expect(stop?.message).toContain(`by operator: ${online().length} confirmed, 0 unconfirmed`);
    await page.context().close();
  });

  it('lets an operator clear the reservations of an AGV that went offline', async () => {
    const page = await loginAs('operator');
    const gone = sim.agvs[7]!;
    const id = gone.body.id;
    await expect.poll(() => platform.traffic.held(id).length, { timeout: 30_000 }).toBeGreaterThan(0);
    gone.stop();
    await page.click('[data-nav=agvs]');
    await page.fill('[data-testid=agv-filter]', id);
    await page.locator(`tr[data-agv="${id}"] a`).click(); // pins it and shows it on the map
    page.on('dialog', (dialog) => void dialog.accept());
    await page.locator('[data-testid=clear-reservations]').click({ timeout: 30_000 });
    await expect.poll(() => platform.traffic.held(id).length, { timeout: 10_000 }).toBe(0);
    await page.context().close();
  });
});

describe('admission in the dashboard', () => {
  // The production default: an AGV that registers on first contact waits for an operator.
  let gated: PlatformHandle;
  let newcomer: SimAgv;
  const id = 'NEW-1';
  // HTML in an AGV-supplied string must reach the screen as text.
  const model = '<b>HX-600</b>';

  beforeAll(async () => {
    gated = await startPlatform(testConfig({ autoEnrol: true, autoApprove: false, webhooks: false }), { site, ops: { seedUsers: USERS } });
    const start = gated.site.nodes[0]!;
    newcomer = new SimAgv({
      id,
      profile: { ...VENDOR_PROFILES[0]!, model },
      serial: 'SER-NEW-1',
      start: { nodeNumber: 1, x: start.x, y: start.y },
      mapNumber: 1,
      clock: systemClock,
      port: gated.rcsPort,
      selfTickMs: 50,
    });
    newcomer.start();
  }, 60_000);

  afterAll(async () => {
    newcomer?.stop();
    await gated?.stop();
  });

  const pendingRow = (page: Page) => page.locator(`[data-testid=pending-rows] tr[data-pending="${id}"]`);

  it('lists an unknown AGV as waiting for approval; a viewer sees it but cannot approve it', async () => {
    const page = await loginAs('viewer', gated.apiUrl);
    await page.click('[data-nav=agvs]');
    await pendingRow(page).waitFor({ timeout: 30_000 });
    const cells = await pendingRow(page).locator('td').allTextContents();
    const registered = (await gated.store.agvs.get(id))!;
    expect(registered.admission).toBe('pending');
    expect(cells.slice(0, 4)).toEqual([id, VENDOR_PROFILES[0]!.vendor, model, registered.type]);
    expect(cells[4]).not.toBe('–'); // first seen
    expect(await pendingRow(page).locator('b').count()).toBe(0);
    expect(await page.locator('[data-testid=pending-approve]').count()).toBe(0);
    expect(await page.locator('[data-testid=pending-reject]').count()).toBe(0);
    expect(await apiFromPage(page, 'POST', `/api/v1/agvs/${id}/approve`)).toBe(403);
    expect(await page.locator(`tr[data-agv="${id}"]`).count()).toBe(0);
    await page.context().close();
  });

  it('lets an operator approve it: it leaves the list and joins the fleet online', async () => {
    const page = await loginAs('operator', gated.apiUrl);
    await page.click('[data-nav=agvs]');
    await pendingRow(page).locator('[data-testid=pending-approve]').click({ timeout: 30_000 });
    await expect.poll(async () => pendingRow(page).count(), { timeout: 10_000 }).toBe(0);
    expect(await page.textContent('[data-testid=pending-count]')).toBe('none');
    const fleetRow = page.locator(`tr[data-agv="${id}"]`);
    await expect.poll(async () => (await fleetRow.count()) > 0 && (await fleetRow.textContent()), { timeout: 30_000 }).toContain('online');
    expect((await gated.store.agvs.get(id))?.admission).toBe('approved');
    expect(gated.registry.get(id)?.connection).toBe('online');
    await page.context().close();
  });
});
