import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Simulator } from '../../src/agv/sim/index.ts';
import { ScaledClock } from '../../src/agv/sim/scaled-clock.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { demoSite, e2eConfig, TIME_FACTOR, waitFor } from './e2e-harness.ts';

// Group and fleet commands over real sockets: a list or a vendor of AGVs, every AGV accounted for (confirmed,
// unconfirmed or offline), holds kept in SQLite so a restarted platform keeps them, and each command in the event log.

const dir = mkdtempSync(join(tmpdir(), 'unifleet-groups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let platform: PlatformHandle | undefined;
let sim: Simulator | undefined;
afterEach(async () => {
  sim?.stop();
  await platform?.stop();
  platform = sim = undefined;
});

interface FleetAnswer {
  command: string;
  confirmed: string[];
  unconfirmed: { id: string }[];
  offline: string[];
  error?: { code: string; message: string };
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: FleetAnswer }> {
  const res = await fetch(`${platform!.apiUrl}/api/v1${path}`, {
    method,
    headers: { 'x-api-key': platform!.demoApiKey!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as FleetAnswer };
}

describe('group and fleet controls (real TCP, HTTP and SQLite)', () => {
  it('pauses a list, stops a vendor, counts offline AGVs in a fleet stop, and keeps every hold across a restart', async () => {
    const site = await demoSite();
    const clock = new ScaledClock(TIME_FACTOR);
    const config = e2eConfig({ dbPath: join(dir, 'groups.sqlite') });
    platform = await startPlatform(config, { site, clock });
    const { rcsPort } = platform;
    sim = new Simulator({ clock, nodes: site.nodes, count: 4, startNodes: site.parking.map((p) => p.node), host: '127.0.0.1', port: rcsPort, batteryPct: () => 90 });
    sim.start();
    await waitFor('4 AGVs online', () => platform!.registry.onlineCount() === 4);
    const agvs = platform.registry.list();
    const [a, b, c] = agvs.map((x) => x.id);

    const paused = await call('POST', '/fleet/pause', { agvIds: [a, b] });
    expect(paused.status).toBe(200);
    expect(paused.json).toEqual({ command: 'pause', confirmed: [a, b], unconfirmed: [], offline: [] });
    expect(platform.controls.state(a!).paused).toBe(true);
    expect(platform.controls.state(c!).paused).toBe(false);

    const vendor = agvs.find((x) => x.id === c)!.vendor;
    const ofVendor = agvs.filter((x) => x.vendor === vendor).map((x) => x.id).sort();
    const stopped = await call('POST', '/fleet/stop', { vendor });
    expect(stopped.json.confirmed).toEqual(ofVendor);
    await waitFor('the vendor\'s AGVs reporting their e-stop', () => ofVendor.every((id) => platform!.registry.live(id)!.status!.emergencyStop));

    // An AGV the platform knows but that is not connected is part of "every AGV": it keeps the stop for its return.
    await platform.store.agvs.enrol({ id: 'GHOST-1', vendor: 'acme' });
    const all = await call('POST', '/fleet/stop');
    expect([...all.json.confirmed].sort()).toEqual(agvs.map((x) => x.id).sort());
    expect(all.json.offline).toEqual(['GHOST-1']);
    const event = (await platform.store.events.query({ type: 'fleet.stop', limit: 1 }))[0]!;
    expect(event.message).toContain('4 confirmed, 0 unconfirmed, 1 offline (GHOST-1)');
    expect((await platform.store.events.query({ type: 'group.pause' }))[0]!.message).toContain('by demo operator: 2 confirmed');

    expect((await call('POST', '/fleet/pause', { agvIds: ['NOBODY'] })).status).toBe(404);
    expect((await call('POST', '/fleet/pause', { vendor: 'no-such-vendor' })).status).toBe(404);
    expect((await call('POST', '/fleet/pause', { agvIds: [] })).status).toBe(400);
    expect((await call('POST', '/fleet/pause', { agvIds: 'a1' })).status).toBe(400);

    // Restart: the holds come back from the store, and the AGVs are held again as they reconnect.
    await platform.stop();
    platform = await startPlatform({ ...config, rcsPort }, { site, clock });
    await waitFor('4 AGVs back online', () => platform!.registry.onlineCount() === 4);
    for (const id of [...agvs.map((x) => x.id), 'GHOST-1']) expect(platform.controls.state(id).paused).toBe(true);
    await waitFor('every AGV reporting its e-stop again', () => agvs.every((x) => platform!.registry.live(x.id)?.status?.emergencyStop === true));

    const resumed = await call('POST', '/fleet/resume');
    expect(resumed.json.offline).toEqual(['GHOST-1']);
    expect([...resumed.json.confirmed].sort()).toEqual(agvs.map((x) => x.id).sort());
    for (const id of [...agvs.map((x) => x.id), 'GHOST-1']) expect(platform.controls.state(id).paused).toBe(false);
    expect(await platform.store.holds.list()).toEqual([]);
  });
});
