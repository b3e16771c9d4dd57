import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { systemClock } from '../../src/core/index.ts';
import { serveLift, SimulatedLift } from '../../src/rcs/equipment/index.ts';
import { BROKER_URL, connectClient, uniquePrefix } from './equipment/mqtt-helpers.ts';
import { mixedFleetSite, startFleet, submitTask, waitFor, type Fleet } from './e2e-harness.ts';
import { twoFloorSite } from './lifts/two-floor-site.ts';

// The lift ride over the protocol on real TCP sockets: the platform with the two-floor test site and its simulated
// lifts, SDK AGVs from the simulator. A cross-floor task drives into a cabin, rides, gets mapSwitch, relocalises,
// answers mapSwitchResult and drives out on the other map.

const ROLLWAY = VENDOR_PROFILES.find((p) => p.navigation === 'slam' && p.lengthM < 1.5)!;
let fleet: Fleet | undefined;
let gateway: MqttClient | undefined;
afterEach(async () => {
  fleet?.sim.stop();
  await fleet?.platform.stop();
  await gateway?.endAsync();
  fleet = undefined;
  gateway = undefined;
});

async function crossFloorFleet(agvs: number, settings: Parameters<typeof startFleet>[1] = {}) {
  const site = twoFloorSite();
  const mapResults: { agvId: string; result: string; mapId: number }[] = [];
  const f = await startFleet(agvs, settings, { tap: (agvId, frame) => frame.message.kind === 'mapSwitchResult' && mapResults.push({ agvId, result: frame.message.result, mapId: frame.message.currentMapId }) }, {
    site,
    profiles: [ROLLWAY],
    startNodes: ['F1.n2_4', 'F1.n10_4', 'F1.n6_8'],
  });
  fleet = f;
  const key = f.platform.demoApiKey!;
  await waitFor('AGVs online', () => [...f.platform.registry.all()].filter((a) => a.status).length === agvs);
  return { f, key, mapResults };
}

async function taskState(f: Fleet, key: string, id: string): Promise<string> {
  const res = await fetch(`${f.platform.apiUrl}/api/v1/tasks/${id}`, { headers: { 'x-api-key': key } });
  return ((await res.json()) as { state: string }).state;
}

describe('cross-floor tasks over the protocol', () => {
  it('ride lifts between floors with a map switch after every ride', async () => {
    const { f, key, mapResults } = await crossFloorFleet(2);
    const ids: string[] = [];
    for (const [pick, drop] of [['P1', 'D2'], ['P2', 'D1']]) {
      const { status, json } = await submitTask(f.platform.apiUrl, key, { pick, drop });
      expect(status).toBe(201);
      ids.push(json.id as string);
    }
    await waitFor('tasks completed', async () => (await Promise.all(ids.map((id) => taskState(f, key, id)))).every((s) => s === 'completed'), 100_000);
    expect(mapResults.length).toBeGreaterThanOrEqual(2);
    expect(mapResults.every((r) => r.result === 'success' && r.mapId === 2)).toBe(true);
    const events = await f.platform.store.events.query({});
    expect(events.filter((e) => e.type === 'lift.boarded').length).toBeGreaterThanOrEqual(2);
    expect(f.checker.violations).toEqual([]);
  });

  it('holds the AGV in the cabin with an alarm when relocalisation fails, and goes on after the retry', async () => {
    const { f, key, mapResults } = await crossFloorFleet(1);
    f.sim.agvs[0]!.body.faults.failedRelocalisations = 1;
    const { json } = await submitTask(f.platform.apiUrl, key, { pick: 'P1', drop: 'D3' });
    await waitFor('task completed', async () => (await taskState(f, key, json.id as string)) === 'completed', 100_000);
    expect(mapResults.map((r) => r.result)).toEqual(['failed', 'success']);
    const events = await f.platform.store.events.query({});
    expect(events.find((e) => e.type === 'lift.relocalisation_failed')).toMatchObject({ severity: 'error' });
  });

  it('rides lifts that stand behind an MQTT gateway on the real broker', async () => {
    const prefix = uniquePrefix();
    gateway = await connectClient();
    for (const id of ['A', 'B']) {
      serveLift({ client: gateway, prefix }, new SimulatedLift({ liftId: `LIFT-${id}`, floors: ['F1', 'F2'], doorS: 0.1, travelSPerFloor: 0.25, clock: systemClock }));
    }
    const { f, key, mapResults } = await crossFloorFleet(1, { equipmentMqttUrl: BROKER_URL, equipmentTopicPrefix: prefix });
    const { json } = await submitTask(f.platform.apiUrl, key, { pick: 'P2', drop: 'D1' });
    await waitFor('task completed', async () => (await taskState(f, key, json.id as string)) === 'completed', 100_000);
    expect(mapResults.map((r) => r.result)).toEqual(['success']);
  });

  it('keeps cross-floor tasks queued with the reason in the event log while no lift is in service', async () => {
    const prefix = uniquePrefix();
    gateway = await connectClient();
    const lifts = ['A', 'B'].map((id) => new SimulatedLift({ liftId: `LIFT-${id}`, floors: ['F1', 'F2'], doorS: 0.1, travelSPerFloor: 0.25, clock: systemClock }));
    for (const lift of lifts) {
      lift.setMode('fire');
      serveLift({ client: gateway, prefix }, lift);
    }
    const { f, key } = await crossFloorFleet(1, { equipmentMqttUrl: BROKER_URL, equipmentTopicPrefix: prefix });
    const { json } = await submitTask(f.platform.apiUrl, key, { pick: 'P1', drop: 'D2' });
    const held = async () => (await f.platform.store.events.query({})).find((e) => e.type === 'dispatch.cross_floor_held');
    await waitFor('held back', async () => (await held()) !== undefined, 30_000);
    expect((await held())!.message).toBe('cross-floor work waits: no lift in service (LIFT-A in fire mode; LIFT-B in fire mode); tasks that need a lift stay queued');
    expect(await taskState(f, key, json.id as string)).toBe('queued');
    // The reason is on the task too, for an upper system that polls it.
    const task = async () => (await (await fetch(`${f.platform.apiUrl}/api/v1/tasks/${json.id as string}`, { headers: { 'x-api-key': key } })).json()) as { state: string; waitingFor: string | null };
    expect(await task()).toMatchObject({ state: 'queued', waitingFor: 'cross-floor work waits: no lift in service (LIFT-A in fire mode; LIFT-B in fire mode)' });
    for (const lift of lifts) lift.setMode('agv');
    await waitFor('task completed', async () => (await taskState(f, key, json.id as string)) === 'completed', 100_000);
    expect((await f.platform.store.events.query({})).some((e) => e.type === 'dispatch.cross_floor_resumed')).toBe(true);
    expect((await task()).waitingFor).toBeNull();
  });

  it('on the default site, three vendors with their true bodies carry loads across floors through both lifts', async () => {
    const site = await mixedFleetSite();
    const f = await startFleet(9, {}, {}, { site, profiles: VENDOR_PROFILES, startNodes: site.parking.map((p) => p.node) });
    fleet = f;
    await waitFor('9 AGVs online', () => f.platform.registry.onlineCount() === 9);
    const mapOf = new Map(site.nodes.map((n) => [n.id, n.map]));
    const picks = site.stations.filter((st) => st.kind === 'pick');
    const drops = site.stations.filter((st) => st.kind === 'drop');
    for (let i = 0; i < 8; i++) {
      const pick = picks[(i * 5) % picks.length]!;
      const otherFloor = drops.filter((d) => mapOf.get(d.node) !== mapOf.get(pick.node));
      const { status } = await submitTask(f.platform.apiUrl, f.platform.demoApiKey!, { pick: pick.id, drop: otherFloor[i % otherFloor.length]!.id });
      expect(status).toBe(201);
    }
    await waitFor('8 cross-floor tasks completed', async () => (await f.platform.tasks.list({ limit: 50 })).items.filter((t) => t.state === 'completed').length === 8, 150_000);
    const boarded = (await f.platform.store.events.query({})).filter((e) => e.type === 'lift.boarded');
    expect(new Set(boarded.map((e) => /lift (\S+)/.exec(e.message)![1]))).toEqual(new Set(site.lifts.map((l) => l.id)));
    expect(f.checker.violations).toEqual([]);
  });
});
