import { afterEach, describe, expect, it } from 'vitest';
import { AgvClient } from '../../src/agv/index.ts';
import { ScaledClock, Simulator } from '../../src/agv/sim/index.ts';
import { registration, status } from '../agv/fixtures.ts';
import type { ObstacleOutcome } from '../../src/agv/sim/sim-agv.ts';
import type { Frame } from '../../src/protocol/index.ts';
import type { PlatformConfig } from '../../src/rcs/config.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import type { SiteMap } from '../../src/rcs/site/types.ts';
import { e2eConfig, submitTask, waitFor } from './e2e-harness.ts';
import { gridSite } from './space-grid.ts';

// Autonomous space and blockages end to end: a real platform (TCP, HTTP, store) and simulated AGVs running the SDK
// over real sockets, on accelerated time, on the space grid (test/rcs/space-grid.ts).

interface SpaceFleet {
  platform: PlatformHandle;
  sim: Simulator;
  site: SiteMap;
  /** Every position each AGV reported: the independent record the assertions read. */
  poses: Map<string, { x: number; y: number }[]>;
  wire(node: string): string;
  key: string;
}

let fleet: SpaceFleet | undefined;
afterEach(async () => {
  fleet?.sim.stop();
  await fleet?.platform.stop();
  fleet = undefined;
});

async function start(startNodes: string[], settings: Partial<PlatformConfig> = {}, detourOffsetM = 1): Promise<SpaceFleet> {
  const site = gridSite();
  const clock = new ScaledClock(20);
  const poses = new Map<string, { x: number; y: number }[]>();
  const tap = (agvId: string, frame: Frame) => {
    if (frame.message.kind !== 'statusReport') return;
    const list = poses.get(agvId) ?? [];
    list.push({ x: frame.message.pose.x / 1000, y: frame.message.pose.y / 1000 });
    poses.set(agvId, list);
  };
  const platform = await startPlatform(e2eConfig({ statusPeriodMs: 200, ...settings }), { site, clock, tap });
  const sim = new Simulator({ clock, nodes: site.nodes, count: startNodes.length, startNodes, host: '127.0.0.1', port: platform.rcsPort, batteryPct: () => 90, detourOffsetM });
  sim.start();
  fleet = { platform, sim, site, poses, wire: (node) => String(site.nodes.findIndex((n) => n.id === node) + 1), key: platform.demoApiKey! };
  await waitFor('AGVs placed', () => sim.agvs.every((a) => platform.traffic.held(a.controller.client.agvId).length > 0));
  return fleet;
}

async function tasksCompleted(platform: PlatformHandle, n: number): Promise<void> {
  await waitFor(`${n} tasks completed`, async () => (await platform.tasks.list({ limit: 50 })).items.filter((t) => t.state === 'completed').length === n, 100_000);
}

const api = (f: SpaceFleet, path: string, init: RequestInit = {}) =>
  fetch(`${f.platform.apiUrl}/api/v1${path}`, { ...init, headers: { 'x-api-key': f.key, ...(init.headers ?? {}) } });

const square = (cx: number, cy: number, half: number) => [
  { x: Math.round((cx - half) * 1000), y: Math.round((cy - half) * 1000) },
  { x: Math.round((cx + half) * 1000), y: Math.round((cy - half) * 1000) },
  { x: Math.round((cx + half) * 1000), y: Math.round((cy + half) * 1000) },
  { x: Math.round((cx - half) * 1000), y: Math.round((cy + half) * 1000) },
];
const mm = (x: number, y: number) => ({ x: Math.round(x * 1000), y: Math.round(y * 1000), theta: 0 });
const ask = (polygon: { x: number; y: number }[]) => ({ reason: 'obstacleDetour' as const, restriction: 'exclusive' as const, mapId: 1, polygon, nodeIds: [], start: 0, duration: 100_000 });

describe('autonomous space over real sockets', () => {
  it('an AGV that meets an obstacle is granted a detour beside it, drives it on its own and finishes its task', async () => {
    const f = await start(['0:0']);
    const agv = f.sim.agvs[0]!;
    const outcomes: ObstacleOutcome[] = [];
    agv.onObstacle((o) => outcomes.push(o));
    f.sim.addObstacle({ edge: ['3:0', '4:0'] });
    expect((await submitTask(f.platform.apiUrl, f.key, { pick: 'P1', drop: 'D1' })).status).toBe(201);
    await tasksCompleted(f.platform, 1);

    expect(outcomes).toEqual([{ at: f.wire('3:0'), next: f.wire('4:0'), action: 'detour', space: { result: 'done', leaseId: 1 } }]);
    const types = (await f.platform.store.events.query({ agvId: agv.client.agvId, limit: 200 })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['space.granted', 'space.released']));
    // It drove beside the obstacle (1 m off the row), and the space went back to the pool.
    expect(f.poses.get(agv.client.agvId)!.some((p) => p.x > 9.5 && p.x < 11.5 && Math.abs(p.y - 1) < 0.2)).toBe(true);
    expect(f.platform.traffic.blockedResources()).toEqual([]);
  });

  it('a refused detour is reported as a blockage: the platform re-routes that AGV and the next, and an operator clears it', async () => {
    // A maintenance block next to the obstacle: a detour 3 m wide would cover it, so it is refused.
    const f = await start(['0:0', '0:2'], {}, 3);
    f.platform.traffic.blockResources({ id: 'maintenance', nodes: ['3:1', '4:1'], edges: [] });
    const [a, c] = f.sim.agvs as [(typeof f.sim.agvs)[0], (typeof f.sim.agvs)[0]];
    const outcomes: ObstacleOutcome[] = [];
    a.onObstacle((o) => outcomes.push(o));
    c.onObstacle((o) => outcomes.push(o));
    f.sim.addObstacle({ edge: ['3:0', '4:0'] });
    await submitTask(f.platform.apiUrl, f.key, { pick: 'P1', drop: 'D1' });
    await waitFor('the blockage report', () => outcomes.length === 1);
    expect(outcomes[0]).toEqual({ at: f.wire('3:0'), next: f.wire('4:0'), action: 'reroute', refusal: 'blocked', reported: true });
    await submitTask(f.platform.apiUrl, f.key, { pick: 'P1', drop: 'D1' });
    await tasksCompleted(f.platform, 2);

    // Nobody met the obstacle again, and no AGV ever stood on the blocked stretch.
    expect(outcomes).toHaveLength(1);
    for (const [, list] of f.poses) expect(list.filter((p) => p.x > 9.5 && p.x < 11.5 && Math.abs(p.y) < 0.5)).toEqual([]);
    expect((await f.platform.tasks.list({ limit: 10 })).items.map((t) => t.agvId).sort()).toEqual([a.client.agvId, c.client.agvId].sort());

    const listed = (await (await api(f, '/blockages')).json()) as { id: string; edges: string[]; reportedBy: string }[];
    expect(listed).toEqual([expect.objectContaining({ edges: ['3:0->4:0'], reportedBy: a.client.agvId })]);
    expect((await fetch(`${f.platform.apiUrl}/api/v1/blockages`)).status).toBe(401);
    expect((await api(f, `/blockages/${listed[0]!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(f, `/blockages/${listed[0]!.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(f.platform.traffic.blockedResources().map((b) => b.id)).toEqual(['maintenance']);
  });

  it('queues a request for space another AGV holds and grants it when that one is released', async () => {
    const f = await start(['0:0', '1:0'], { spaceLeaseMs: 600_000 });
    const [a, b] = f.sim.agvs as [(typeof f.sim.agvs)[0], (typeof f.sim.agvs)[0]];
    const first = await a.client.requestSpace(ask(square(0.7, 0, 1.3)));
    expect(first).toMatchObject({ decision: 'granted', refusal: 'none', onLeaseLoss: 'stop' });
    // B's space overlaps A's between x = 1.5 and 2.
    const moved = b.controller.moveInSpace(ask(square(2.7, 0, 1.2)), { poses: [mm(3, 0), mm(2.2, 0.5), mm(3, 0)], endNodeId: Number(f.wire('1:0')) });
    await waitFor('B queued', () => f.platform.space.grants.queued().some((q) => q.agvId === b.client.agvId));
    expect(f.platform.space.grants.leases().map((l) => l.agvId)).toEqual([a.client.agvId]);
    expect((await a.client.releaseSpace(first.leaseId)).ok).toBe(true);
    expect(await moved).toEqual({ result: 'done', leaseId: 2 });
    expect(f.platform.space.grants.leases()).toEqual([]);
  });

  it('an operator revokes granted space: the AGV stops at once and the space stays blocked until it stands on a node', async () => {
    const f = await start(['0:0']);
    const agv = f.sim.agvs[0]!;
    const moved = agv.controller.moveInSpace(ask([mm(-0.6, -0.6), mm(7, -0.6), mm(7, 1.8), mm(-0.6, 1.8)]), { poses: [mm(0, 0), mm(0, 1.2), mm(6, 1.2), mm(6, 0)], endNodeId: Number(f.wire('2:0')) });
    await waitFor('space granted', () => f.platform.space.grants.leases().length === 1);
    const revoked = await api(f, '/space/leases/1/revoke', { method: 'POST' });
    expect(revoked.status).toBe(200);
    expect(await moved).toEqual({ result: 'lost', leaseId: 1, reason: 'revoked', behaviour: 'stop' });
    await waitFor('the AGV at rest', () => agv.body.motion.speed === 0);
    expect(Math.hypot(agv.body.motion.x - 6, agv.body.motion.y)).toBeGreaterThan(0.5);
    expect(f.platform.space.grants.lostLeases().map((l) => l.leaseId)).toEqual([1]);
    expect((await api(f, '/space/leases/1/revoke', { method: 'POST' })).status).toBe(404);
  });

  it('a lease that is not renewed expires: the SDK stops the AGV on its own', async () => {
    const f = await start(['0:0'], { spaceLeaseMs: 1_500 });
    const agv = f.sim.agvs[0]!;
    const moved = agv.controller.moveInSpace(ask([mm(-0.6, -0.6), mm(13, -0.6), mm(13, 1.8), mm(-0.6, 1.8)]), { poses: [mm(0, 0), mm(0, 1.2), mm(12, 1.2), mm(12, 0)], endNodeId: Number(f.wire('4:0')) });
    await waitFor('space granted', () => f.platform.space.grants.leases().length === 1);
    // The link goes: no renewal reaches the platform, and the AGV cannot be told either.
    agv.client.stop();
    expect(await moved).toEqual({ result: 'lost', leaseId: 1, reason: 'expired', behaviour: 'stop' });
    await waitFor('the AGV at rest', () => agv.body.motion.speed === 0);
    expect(Math.hypot(agv.body.motion.x - 12, agv.body.motion.y)).toBeGreaterThan(0.5);
    await waitFor('the platform expired it', () => f.platform.space.grants.lostLeases().length === 1);
  });

  it('a reported position outside the granted space raises an alarm and ends the lease', async () => {
    const f = await start(['0:0'], { spaceLeaseMs: 600_000 });
    const agv = f.sim.agvs[0]!;
    expect((await agv.client.requestSpace(ask(square(0, 0, 0.8)))).decision).toBe('granted');
    agv.body.driveTo({ id: 'astray', x: 0, y: 2.5 });
    await waitFor('LEFT_SPACE alarm', () => (f.platform.ops?.alarms.active() ?? []).some((a) => a.code === 'LEFT_SPACE' && a.agvId === agv.client.agvId));
    expect(f.platform.space.grants.leases()).toEqual([]);
    expect(f.platform.space.grants.lostLeases()).toHaveLength(1);
  });

  it('speaks 1.1 to a 1.1 AGV: no refusal reasons or lease-loss field, a lease for the whole window, no renewals', async () => {
    const f = await start([]);
    const client = new AgvClient({ agvId: 'OLD-1', port: f.platform.rcsPort, registration, status: () => ({ ...status(), pose: { x: 0, y: 0, theta: 0 }, lastNodeId: Number(f.wire('0:0')) }), protocolVersionMax: 0x11 });
    client.start();
    try {
      await waitFor('placed', () => f.platform.traffic.held('OLD-1').length > 0);
      expect(client.protocolVersion).toBe(0x11);
      const refused = await client.requestSpace(ask(square(6, 0, 1)));
      expect(refused).toMatchObject({ decision: 'refused', detail: 'OLD-1 must stand in the space it asks for' });
      expect(refused.refusal).toBeUndefined();
      const granted = await client.requestSpace(ask(square(0, 0, 1)));
      expect(granted.decision).toBe('granted');
      // The whole window (100 s asked), less the moment the decision took in accelerated time.
      expect(granted.lease).toBeGreaterThan(90_000);
      expect(granted.lease).toBeLessThanOrEqual(100_000);
      expect(granted.onLeaseLoss).toBeUndefined();
      expect(client.renewSpace(granted.leaseId)).toBe(false);
      expect((await client.reportBlockage({ reportId: 1, mapId: 1, nodeIds: [1], edges: [], polygon: [], detail: '' })).ok).toBe(false);
      expect((await client.releaseSpace(granted.leaseId)).ok).toBe(true);
      await waitFor('released', () => f.platform.space.grants.leases().length === 0);
    } finally {
      client.stop();
    }
  });
});
