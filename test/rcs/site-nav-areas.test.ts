import { afterEach, describe, expect, it } from 'vitest';
import { VENDOR_PROFILES, type VendorProfile } from '../../src/agv/sim/index.ts';
import type { Frame } from '../../src/protocol/index.ts';
import { explainOpenTasks, startFleet, submitTask, waitFor, type Fleet } from './e2e-harness.ts';
import { RING_SLAM_NODES, ringSite } from './lifts/ring-site.ts';

// Navigation areas over real sockets: the ring site's short way from P1 to D1 runs through a SLAM-only area. A
// QR-only AGV is never routed into it (it goes round by the top row); an AGV that registered both modes takes the
// short way and switches to SLAM at the switch point, confirmed by navModeSwitchResult and shown by the API.

const QR_ONLY = VENDOR_PROFILES.find((p) => p.navigation === 'qr')!;
const QR_AND_SLAM: VendorProfile = { ...QR_ONLY, model: `${QR_ONLY.model} (SLAM kit)`, alsoNavigates: ['slam'] };
const site = ringSite({ slam: true });
const slamNodes = new Set<string>(RING_SLAM_NODES);

let fleet: Fleet | undefined;
afterEach(async () => {
  fleet?.sim.stop();
  await fleet?.platform.stop();
  fleet = undefined;
});

/** Every node each AGV reported standing on (within 0.3 m), in order, and its navigation switch results. */
function watch() {
  const visits = new Map<string, string[]>();
  const switches: { agvId: string; result: string; mode: string; atNode: string | undefined }[] = [];
  const lastNode = new Map<string, string | undefined>();
  const tap = (agvId: string, frame: Frame) => {
    const m = frame.message;
    if (m.kind === 'statusReport') {
      const x = m.pose.x / 1000;
      const y = m.pose.y / 1000;
      const node = site.nodes.find((n) => Math.hypot(n.x - x, n.y - y) < 0.3)?.id;
      const seen = visits.get(agvId) ?? [];
      if (node !== undefined && seen[seen.length - 1] !== node) seen.push(node);
      visits.set(agvId, seen);
      lastNode.set(agvId, node);
    } else if (m.kind === 'navModeSwitchResult') {
      switches.push({ agvId, result: m.result, mode: m.currentMode, atNode: lastNode.get(agvId) });
    }
  };
  return { visits, switches, tap };
}

async function run(profile: VendorProfile, tasks: number) {
  const w = watch();
  const f = await startFleet(1, {}, { tap: w.tap }, { site, profiles: [profile], startNodes: ['R.p8'] });
  fleet = f;
  const key = f.platform.demoApiKey!;
  await waitFor('AGV online', () => f.platform.registry.onlineCount() === 1);
  for (let i = 0; i < tasks; i++) {
    const { status } = await submitTask(f.platform.apiUrl, key, { pick: 'P1', drop: 'D1' });
    expect(status).toBe(201);
  }
  await waitFor(
    `${tasks} tasks completed`,
    async () => (await f.platform.tasks.list({ limit: 10 })).items.filter((t) => t.state === 'completed').length === tasks,
    50_000,
    () => explainOpenTasks(f.platform),
  );
  return { f, key, ...w };
}

describe('navigation areas over the protocol', () => {
  it('never routes a QR-only AGV into the SLAM-only area; it goes the long way and its tasks complete', async () => {
    const { f, visits, switches } = await run(QR_ONLY, 2);
    const path = visits.get('AGV-001')!;
    expect(path).toContain('R.s14');
    expect(path.filter((n) => slamNodes.has(n))).toEqual([]);
    // The long way round: along the top row.
    expect(path).toContain('R.n16_2');
    expect(switches).toEqual([]);
    expect(f.checker.violations).toEqual([]);
  });

  it('switches an AGV that registered both modes to SLAM at the switch point, and the API shows its mode', async () => {
    const { f, key, visits, switches } = await run(QR_AND_SLAM, 1);
    const path = visits.get('AGV-001')!;
    // The short way, through the SLAM area, entered from its switch point (4,0).
    expect(path.filter((n) => slamNodes.has(n))).toEqual([...RING_SLAM_NODES]);
    expect(path[path.indexOf('R.n6_0') - 1]).toBe('R.n4_0');
    expect(switches[0]).toEqual({ agvId: 'AGV-001', result: 'success', mode: 'laserSlam', atNode: 'R.n4_0' });
    const events = await f.platform.store.events.query({});
    expect(events.find((e) => e.type === 'navigation.switched')?.message).toBe('AGV-001 switched to laserSlam at R.n4_0');
    const res = await fetch(`${f.platform.apiUrl}/api/v1/agvs/AGV-001`, { headers: { 'x-api-key': key } });
    expect(((await res.json()) as { navMode: string }).navMode).toBe('laserSlam');
    expect(f.checker.violations).toEqual([]);
  });
});
