import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiKeyAuth } from '../../src/rcs/auth/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { RoadGraph } from '../../src/rcs/traffic/road-graph.ts';
import { withOneWayZones } from '../../src/rcs/zones/zone.ts';
import type { Frame } from '../../src/protocol/index.ts';
import { demoSite, e2eConfig, startFleet, submitTask, waitFor, type Fleet } from './e2e-harness.ts';
import { ScaledClock } from '../../src/agv/sim/scaled-clock.ts';

// Operator zones over real sockets and HTTP: created through the API, kept in SQLite across a restart, applied to
// traffic control while simulated AGVs drive. What the AGVs did is read from their own status reports.

const dir = mkdtempSync(join(tmpdir(), 'unifleet-zones-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fleet: Fleet | undefined;
let platforms: PlatformHandle[] = [];
afterEach(async () => {
  fleet?.sim.stop();
  await fleet?.platform.stop();
  fleet = undefined;
  for (const p of platforms) await p.stop();
  platforms = [];
});

interface Zone {
  id: string;
  type: string;
  name: string;
  covered: { nodes: string[]; edges: string[] };
  effective: string;
  occupants?: string[];
}

async function call<T = Record<string, unknown>>(apiUrl: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${apiUrl}/api/v1${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as T };
}

/** Records every node each AGV reports reaching (wire numbers; mapped with the platform's numbering later). */
function nodeRecorder() {
  const visits = new Map<string, number[]>();
  const tap = (agvId: string, frame: Frame): void => {
    const m = frame.message;
    if (m.kind !== 'statusReport' || m.lastNodeId === 0) return;
    const list = visits.get(agvId) ?? [];
    if (list[list.length - 1] !== m.lastNodeId) list.push(m.lastNodeId);
    visits.set(agvId, list);
  };
  return { tap, visited: (p: PlatformHandle, agvId: string) => (visits.get(agvId) ?? []).map((n) => p.numbering.nodeId(n)!) };
}

/** A platform with one simulated AGV, online. */
async function oneAgv(tap?: (agvId: string, frame: Frame) => void): Promise<{ platform: PlatformHandle; key: string; agvId: string }> {
  fleet = await startFleet(1, {}, tap ? { tap } : {});
  const { platform } = fleet;
  await waitFor('the AGV online', () => platform.registry.onlineCount() === 1);
  return { platform, key: platform.demoApiKey!, agvId: platform.registry.list()[0]!.id };
}

describe('operator zones (real TCP, HTTP and SQLite)', () => {
  it('validates zones strictly, checks roles, records who changed them, and keeps them across a restart', async () => {
    const site = await demoSite();
    const dbPath = join(dir, 'zones.sqlite');
    const clock = new ScaledClock(20);
    const first = await startPlatform(e2eConfig({ dbPath }), { site, clock });
    platforms.push(first);
    const key = first.demoApiKey!;
    const viewer = (await new ApiKeyAuth(first.store.apiKeys, clock).issue('wall display', 'viewer')).token;
    const api = (method: string, path: string, body?: unknown, as = key) => call<Zone & { items: Zone[]; error: { code: string; message: string } }>(first.apiUrl, as, method, path, body);

    const bad: [unknown, string][] = [
      [{ type: 'blocked', name: 'x', nodes: ['nowhere'] }, 'unknown node nowhere'],
      [{ type: 'blocked', name: 'x' }, 'give the area'],
      [{ type: 'blocked', name: 'x', polygon: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, 'at least 3 points'],
      [{ type: 'blocked', name: 'x', polygon: [{ x: 0, y: 0 }, { x: 2, y: 2 }, { x: 2, y: 0 }, { x: 0, y: 2 }] }, 'sides cross'],
      [{ type: 'blocked', name: 'x', polygon: [{ x: 500, y: 500 }, { x: 501, y: 500 }, { x: 501, y: 501 }] }, 'covers no node'],
      [{ type: 'speedLimit', name: 'x', nodes: ['n2_5'] }, 'need maxSpeed'],
      [{ type: 'blocked', name: 'x', nodes: ['n2_5'], maxAgvs: 2 }, 'maxAgvs belongs to maxOccupancy'],
      [{ type: 'oneWay', name: 'x', path: ['n0_1', 'n5_5'] }, 'no edge n0_1 → n5_5'],
      [{ type: 'oneWay', name: 'x', path: ['n1_1', 'n0_1'] }, 'one-way n0_1 → n1_1 already'],
    ];
    for (const [body, message] of bad) {
      const res = await api('POST', '/zones', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.message).toContain(message);
    }
    // Shape errors never reach the service: unknown fields, wrong types, no coercion.
    expect((await api('POST', '/zones', { type: 'blocked', name: 'x', nodes: ['n2_5'], colour: 'red' })).status).toBe(400);
    expect((await api('POST', '/zones', { type: 'speedLimit', name: 'x', nodes: ['n2_5'], maxSpeed: '0.5' })).status).toBe(400);
    expect((await api('POST', '/zones', { type: 'lava', name: 'x', nodes: ['n2_5'] })).status).toBe(400);
    expect((await api('POST', '/zones', { type: 'blocked', name: '   ', nodes: ['n2_5'] })).status).toBe(400);
    expect((await api('POST', '/zones', { type: 'blocked', name: 'x', nodes: ['n2_5'] }, viewer)).status).toBe(403);
    expect((await api('GET', '/zones')).json.items).toEqual([]);

    const spill = await api('POST', '/zones', { type: 'blocked', name: 'spill', reason: 'oil', polygon: [{ x: 9.5, y: 9.5 }, { x: 10.5, y: 9.5 }, { x: 10.5, y: 10.5 }, { x: 9.5, y: 10.5 }] });
    expect(spill.status).toBe(201);
    expect(spill.json.covered.nodes).toEqual(['n10_10']);
    expect(spill.json.covered.edges.length).toBeGreaterThan(0);
    const slow = await api('POST', '/zones', { type: 'speedLimit', name: 'slow aisle', nodes: ['n2_5', 'n3_5'], maxSpeed: 0.4 });
    const crowd = await api('POST', '/zones', { type: 'maxOccupancy', name: 'dock', nodes: ['n3_20', 'n4_20'], maxAgvs: 1 });
    const oneWay = await api('POST', '/zones', { type: 'oneWay', name: 'lane', path: ['n0_10', 'n1_10'] });
    expect(oneWay.status, JSON.stringify(oneWay.json)).toBe(201);
    expect(oneWay.json.effective).toBe('nextStart');
    expect(first.traffic.blockedResources()).toEqual([{ id: `zone:${spill.json.id}`, nodes: ['n10_10'], edges: spill.json.covered.edges }]);
    expect(first.zones.speedLimit('n2_5', 'n3_5')).toBe(0.4);
    expect((await api('GET', `/zones/${crowd.json.id}`, undefined, viewer)).json.occupants).toEqual([]);
    expect((await api('DELETE', `/zones/${slow.json.id}`, undefined, viewer)).status).toBe(403);
    expect((await api('DELETE', `/zones/${slow.json.id}`)).status).toBe(204);
    expect((await api('DELETE', `/zones/${slow.json.id}`)).status).toBe(404);
    expect(first.zones.speedLimit('n2_5', 'n3_5')).toBeUndefined();
    const events = await first.store.events.query({ type: 'zone.created' });
    expect(events.map((e) => e.message).join('\n')).toContain(`blocked zone 'spill' (${spill.json.id}) created by demo operator`);
    expect((await first.store.events.query({ type: 'zone.removed' }))[0]!.message).toContain('removed by demo operator');
    await first.stop();

    const second = await startPlatform(e2eConfig({ dbPath }), { site, clock });
    platforms.push(second);
    const listed = await call<{ items: Zone[] }>(second.apiUrl, second.demoApiKey!, 'GET', '/zones');
    expect(listed.json.items.map((z) => [z.name, z.type, z.effective])).toEqual([
      ['spill', 'blocked', 'now'],
      ['dock', 'maxOccupancy', 'now'],
      ['lane', 'oneWay', 'now'],
    ]);
    expect(second.traffic.blockedResources().map((b) => b.id)).toEqual([`zone:${spill.json.id}`]);
    // The one-way zone is part of the graph traffic control plans on now: n1_10 → n0_10 is no longer a way.
    const planned = new RoadGraph(withOneWayZones(second.site, second.zones.list()));
    expect(planned.arc('n0_10', 'n1_10')).toBeDefined();
    expect(planned.arc('n1_10', 'n0_10')).toBeUndefined();
    expect(new RoadGraph(second.site).arc('n1_10', 'n0_10')).toBeDefined();
  });

  it('a blocked node re-routes an AGV around it; removing the zone gives the node back', async () => {
    const recorder = nodeRecorder();
    const { platform, key, agvId } = await oneAgv(recorder.tap);
    // A task whose shortest route has a middle node with a way around it.
    const graph = new RoadGraph(platform.site);
    const stationNode = new Map(platform.site.stations.map((s) => [s.id, s.node]));
    let chosen: { pick: string; drop: string; node: string } | undefined;
    for (const pick of platform.site.stations.filter((s) => s.kind !== 'drop')) {
      for (const drop of platform.site.stations.filter((s) => s.kind !== 'pick')) {
        const route = graph.shortestPath(pick.node, drop.node)?.path ?? [];
        const node = route.slice(2, -2).find((n) => ![...stationNode.values()].includes(n) && graph.shortestPath(pick.node, drop.node, { blocked: (b) => b === n }));
        if (node && route.length > 8) chosen = { pick: pick.id, drop: drop.id, node };
        if (chosen) break;
      }
      if (chosen) break;
    }
    expect(chosen).toBeDefined();
    const zone = await call<Zone>(platform.apiUrl, key, 'POST', '/zones', { type: 'blocked', name: 'maintenance', nodes: [chosen!.node] });
    expect(zone.status).toBe(201);

    const { json: task } = await submitTask(platform.apiUrl, key, { pick: chosen!.pick, drop: chosen!.drop });
    await waitFor('the task completed', async () => (await platform.tasks.get(task.id as string))!.state === 'completed', 90_000);
    const visited = recorder.visited(platform, agvId);
    expect(visited).toContain(stationNode.get(chosen!.pick));
    expect(visited).toContain(stationNode.get(chosen!.drop));
    expect(visited).not.toContain(chosen!.node);

    expect((await call(platform.apiUrl, key, 'DELETE', `/zones/${zone.json.id}`)).status).toBe(204);
    expect(platform.traffic.blockedResources()).toEqual([]);
  });

  it('a speed-limit zone over the site caps how fast the AGV drives, and its task still completes', async () => {
    let fastest = 0;
    let limited = false;
    const tap = (_agvId: string, frame: Frame): void => {
      const m = frame.message;
      if (limited && m.kind === 'statusReport') fastest = Math.max(fastest, Math.abs(m.vx) / 1000);
    };
    const { platform, key } = await oneAgv(tap);
    const everywhere = [{ x: -5, y: -5 }, { x: 100, y: -5 }, { x: 100, y: 100 }, { x: -5, y: 100 }];
    expect((await call(platform.apiUrl, key, 'POST', '/zones', { type: 'speedLimit', name: 'slow site', polygon: everywhere, maxSpeed: 0.3 })).status).toBe(201);
    limited = true;
    const { json: task } = await submitTask(platform.apiUrl, key, { pick: 'PICK-01', drop: 'DROP-01' });
    await waitFor('the task completed', async () => (await platform.tasks.get(task.id as string))!.state === 'completed', 120_000);
    expect(fastest).toBeGreaterThan(0.1);
    expect(fastest).toBeLessThanOrEqual(0.3 + 1e-3);
  });

  it('a blocked zone in stop mode pauses the AGV inside until it is removed; a blocked edge re-routes it', async () => {
    const recorder = nodeRecorder();
    const { platform, key, agvId } = await oneAgv(recorder.tap);
    const { json: task } = await submitTask(platform.apiUrl, key, { pick: 'PICK-01', drop: 'DROP-01' });
    await waitFor('the AGV driving', () => (platform.registry.live(agvId)!.status?.speed ?? 0) > 0.2 && platform.traffic.held(agvId).length > 1);
    const zone = await call<Zone & { paused?: string[] }>(platform.apiUrl, key, 'POST', '/zones', { type: 'blocked', name: 'forklift crossing', mode: 'stop', nodes: [...platform.traffic.held(agvId)] });
    expect(zone.status).toBe(201);
    expect(zone.json.paused).toEqual([agvId]);
    expect(platform.controls.state(agvId).paused).toBe(true);
    await waitFor('the AGV standing still', () => platform.registry.live(agvId)!.status!.speed === 0);
    const created = (await platform.store.events.query({ type: 'zone.created' }))[0]!;
    expect(created.message).toContain(`paused inside: ${agvId}`);

    expect((await call(platform.apiUrl, key, 'DELETE', `/zones/${zone.json.id}`)).status).toBe(204);
    expect(platform.controls.state(agvId).paused).toBe(false);
    await waitFor('the task completed', async () => (await platform.tasks.get(task.id as string))!.state === 'completed', 90_000);

    // Now an edge: the next task's shortest way is closed at one edge, and the AGV goes around it.
    const graph = new RoadGraph(platform.site);
    const from = platform.registry.live(agvId)!.status!.lastNodeId!;
    const pickNode = platform.site.stations.find((s) => s.id === 'PICK-02')!.node;
    const route = graph.shortestPath(from, pickNode)!.path;
    const around = (a: string, b: string) => graph.shortestPath(from, pickNode, { closed: (x, y) => (x === a && y === b) || (x === b && y === a) });
    const i = route.findIndex((n, k) => k >= 1 && k + 1 < route.length && around(n, route[k + 1]!) !== undefined);
    expect(i).toBeGreaterThan(0);
    const [a, b] = [route[i]!, route[i + 1]!];
    const edge = platform.site.edges.find((e) => (e.from === a && e.to === b) || (e.from === b && e.to === a))!;
    expect((await call(platform.apiUrl, key, 'POST', '/zones', { type: 'blocked', name: 'cable repair', edges: [edge.id] })).status).toBe(201);
    const seenBefore = recorder.visited(platform, agvId).length;
    const { json: second } = await submitTask(platform.apiUrl, key, { pick: 'PICK-02', drop: 'DROP-01' });
    await waitFor('the second task completed', async () => (await platform.tasks.get(second.id as string))!.state === 'completed', 90_000);
    const path = recorder.visited(platform, agvId).slice(seenBefore - 1);
    const steps = path.slice(1).map((n, i) => `${path[i]}>${n}`);
    expect(steps).not.toContain(`${a}>${b}`);
    expect(steps).not.toContain(`${b}>${a}`);
  });
});
