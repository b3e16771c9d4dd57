import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { systemClock } from '../../src/core/index.ts';
import { serveDoor, SimulatedDoor } from '../../src/rcs/equipment/index.ts';
import type { Frame } from '../../src/protocol/index.ts';
import { BROKER_URL, connectClient, uniquePrefix } from './equipment/mqtt-helpers.ts';
import { explainOpenTasks, startFleet, submitTask, waitFor, type Fleet } from './e2e-harness.ts';
import { RING_DOOR, RING_DOOR_EDGE, ringSite } from './lifts/ring-site.ts';

// A door that fails to open, over real sockets: the platform with the ring site, its roller door behind an MQTT
// gateway on the real broker (the simulated door, jammed, speaking the documented topic contract) and an SDK AGV
// from the simulator over TCP. The AGV asks to pass, the door reports the jam: an alarm is raised and shown by the
// HTTP API, the AGV goes the other way round the ring, never crosses the closed door, and its task completes.

const site = ringSite({ door: true });
const doorEdge = site.edges.find((e) => e.id === RING_DOOR_EDGE)!;

let fleet: Fleet | undefined;
afterEach(async () => {
  fleet?.sim.stop();
  await fleet?.platform.stop();
  fleet = undefined;
});

/**
 * Independent of the platform: the nodes each AGV reports standing on, and every crossing of the door's edge made
 * while the door (as the gateway's own controller says) was not open.
 */
function doorWatch(door: SimulatedDoor) {
  const visits = new Map<string, string[]>();
  const closedCrossings: string[] = [];
  const tap = (agvId: string, frame: Frame) => {
    const m = frame.message;
    if (m.kind !== 'statusReport') return;
    const x = m.pose.x / 1000;
    const y = m.pose.y / 1000;
    const node = site.nodes.find((n) => Math.hypot(n.x - x, n.y - y) < 0.3)?.id;
    // Between the door's two ends, on its edge: passing through the doorway.
    const a = site.nodes.find((n) => n.id === doorEdge.from)!;
    const b = site.nodes.find((n) => n.id === doorEdge.to)!;
    const inDoorway = Math.abs(y - a.y) < 0.3 && x > Math.min(a.x, b.x) + 0.3 && x < Math.max(a.x, b.x) - 0.3;
    if (inDoorway && door.state().position !== 'open') closedCrossings.push(`${agvId} at (${x.toFixed(2)}, ${y.toFixed(2)}) with the door ${door.state().position}`);
    const seen = visits.get(agvId) ?? [];
    if (node !== undefined && seen[seen.length - 1] !== node) seen.push(node);
    visits.set(agvId, seen);
  };
  return { visits, closedCrossings, tap };
}

/** The jammed roller door behind an MQTT gateway on the real broker, and a fleet of one AGV on `site`. */
async function fleetBehindJammedDoor(on: typeof site) {
  const prefix = uniquePrefix();
  const gateway = await connectClient();
  onTestFinished(() => gateway.endAsync());
  const door = new SimulatedDoor({ doorId: RING_DOOR, travelS: 1, clock: systemClock });
  door.jam(true);
  serveDoor({ client: gateway, prefix }, door);
  const watch = doorWatch(door);
  const f = await startFleet(1, { equipmentMqttUrl: BROKER_URL, equipmentTopicPrefix: prefix }, { tap: watch.tap }, { site: on, profiles: [VENDOR_PROFILES[0]!], startNodes: ['R.p8'] });
  fleet = f;
  await waitFor('AGV online', () => f.platform.registry.onlineCount() === 1);
  return { f, key: f.platform.demoApiKey!, door, watch };
}

async function openDoorAlarms(f: Fleet, key: string): Promise<{ code: string; severity: string; message: string }[]> {
  const res = await fetch(`${f.platform.apiUrl}/api/v1/alarms?state=open&code=DOOR_FAILED`, { headers: { 'x-api-key': key } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { alarms: { code: string; severity: string; message: string }[] }).alarms;
}

describe('a door fails to open', () => {
  it('raises an alarm the API shows, re-routes the AGV round the door and completes its task', async () => {
    const { f, key, watch } = await fleetBehindJammedDoor(site);
    const { json } = await submitTask(f.platform.apiUrl, key, { pick: 'P1', drop: 'D1' });
    await waitFor(
      'task completed',
      async () => (await f.platform.tasks.get(json.id as string))?.state === 'completed',
      50_000,
      () => explainOpenTasks(f.platform),
    );

    const alarms = await openDoorAlarms(f, key);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ code: 'DOOR_FAILED', severity: 'error' });
    expect(alarms[0]!.message).toContain(`door ${RING_DOOR} did not open (jammed)`);

    // It asked at the door, then went round by the top row to the drop.
    const path = watch.visits.get('AGV-001')!;
    expect(path).toContain(doorEdge.from);
    expect(path).not.toContain(doorEdge.to);
    expect(path.slice(path.indexOf(doorEdge.from))).toContain('R.n16_2');
    expect(path[path.length - 1]).toBe('R.s14');
    expect(watch.closedCrossings).toEqual([]);
    expect(f.checker.violations).toEqual([]);
  });

  it('with no other way, the AGV waits before the door with the reason shown, and goes on once the door opens', async () => {
    const { f, key, door, watch } = await fleetBehindJammedDoor(ringSite({ door: true, open: true }));
    const { json } = await submitTask(f.platform.apiUrl, key, { pick: 'P1', drop: 'D1' });
    const agv = async () => (await (await fetch(`${f.platform.apiUrl}/api/v1/agvs/AGV-001`, { headers: { 'x-api-key': key } })).json()) as { waitingFor: string | null };
    await waitFor('the AGV waiting for the door', async () => (await agv()).waitingFor !== null, 40_000, () => explainOpenTasks(f.platform));
    expect((await agv()).waitingFor).toBe(`waiting for door ${RING_DOOR}, which failed to open: no other way to R.s14`);
    expect(await openDoorAlarms(f, key)).toHaveLength(1);
    expect(f.platform.traffic.held('AGV-001')).not.toContain(doorEdge.to);

    // Repaired and opened at the site: the platform sees it open, clears the alarm and lets the AGV through.
    door.jam(false);
    await door.open();
    await waitFor('task completed', async () => (await f.platform.tasks.get(json.id as string))?.state === 'completed', 40_000, () => explainOpenTasks(f.platform));
    expect(await openDoorAlarms(f, key)).toEqual([]);
    expect((await agv()).waitingFor).toBeNull();
    expect(watch.visits.get('AGV-001')).toContain(doorEdge.to);
    expect(watch.closedCrossings).toEqual([]);
    expect(f.checker.violations).toEqual([]);
  });
});
