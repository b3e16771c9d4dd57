import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock, Simulator } from '../../src/agv/sim/index.ts';
import { VdaVirtualFleet } from '../../src/agv/vda5050/virtual-fleet.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { COMPACT_PROFILES, demoSite, e2eConfig, submitTask, taskPairs, waitFor } from './e2e-harness.ts';
import { brokerReachable, MQTT_URL } from './mqtt-broker.ts';
import { MixedFleetChecker } from './vda-mixed-checker.ts';

// A mixed site against the real Mosquitto: guide-protocol simulated AGVs over TCP and vda-5050-lib's AgvController +
// VirtualAgvAdapter over MQTT, one dispatch and one central traffic control, checked by an observer that reads only
// what the AGVs report.

const BROKER = MQTT_URL;
const available = await brokerReachable();
if (!available) console.warn(`VDA 5050 mixed fleet tests SKIPPED: no MQTT broker at ${MQTT_URL} (.ci/run starts Mosquitto; or set UNIFLEET_TEST_MQTT)`);
const TIME_FACTOR = 10;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe.skipIf(!available)('VDA 5050 mixed fleet over Mosquitto', () => {
  it('guide-protocol and VDA 5050 AGVs complete tasks under one traffic control with no two on one node', async () => {
    const site = await demoSite();
    const iface = `uf-test-${Math.random().toString(36).slice(2, 10)}`;
    const clock = new ScaledClock(TIME_FACTOR);
    const checker = new MixedFleetChecker(site.nodes);
    await checker.watchVda(BROKER, iface);
    cleanup.push(() => checker.stop());
    const platform: PlatformHandle = await startPlatform(
      e2eConfig({ vda5050: true, vdaBrokerUrl: BROKER, vdaInterface: iface, demoKey: true, vdaStaleAfterMs: 600_000, vdaCommandTimeoutMs: 60_000 }),
      { site, clock, tap: checker.tap },
    );
    cleanup.push(() => platform.stop());
    const parking = site.parking.map((p) => site.nodes.find((n) => n.id === p.node)!);
    const sim = new Simulator({ clock, nodes: site.nodes, count: 3, startNodes: parking.slice(0, 3).map((n) => n.id), host: '127.0.0.1', port: platform.rcsPort, batteryPct: () => 90, profiles: COMPACT_PROFILES });
    sim.start();
    cleanup.push(() => sim.stop());
    const vda = new VdaVirtualFleet({ brokerUrl: BROKER, interfaceName: iface, manufacturer: 'VirtualCo', serialPrefix: 'VDA-', count: 3, startNodes: parking.slice(3, 6), mapId: site.id, timeLapse: TIME_FACTOR });
    await vda.start();
    cleanup.push(() => vda.stop());

    await waitFor('6 AGVs online', () => platform.registry.onlineCount() === 6);
    const res = await fetch(`${platform.apiUrl}/api/v1/agvs`, { headers: { 'x-api-key': platform.demoApiKey! } });
    const agvs = ((await res.json()) as { items: { id: string; protocol: string; protocolVersion: string }[] }).items;
    expect(agvs.filter((a) => a.protocol === 'vda5050').map((a) => a.id).sort()).toEqual(['VDA-001', 'VDA-002', 'VDA-003']);
    expect(agvs.find((a) => a.id === 'VDA-001')!.protocolVersion).toBe('2.0.0');
    expect(agvs.filter((a) => a.protocol === 'unifleet')).toHaveLength(3);

    const ids: string[] = [];
    for (const pair of taskPairs(site, 12)) {
      const { status, json } = await submitTask(platform.apiUrl, platform.demoApiKey!, pair);
      expect(status).toBe(201);
      ids.push(json.id as string);
    }
    const done = async () => {
      const tasks = await Promise.all(ids.map((id) => platform.tasks.get(id)));
      return tasks.every((t) => t?.state === 'completed');
    };
    await waitFor('all tasks completed', done, 240_000);
    const tasks = await Promise.all(ids.map((id) => platform.tasks.get(id)));
    const byVda = tasks.filter((t) => t!.agvId?.startsWith('VDA-')).length;
    expect(byVda).toBeGreaterThan(0);
    expect(tasks.length - byVda).toBeGreaterThan(0);
    expect(checker.reports.vda).toBeGreaterThan(0);
    expect(checker.violations).toEqual([]);
    expect(platform.vda!.counters.invalid).toEqual({});
  }, 300_000);
});
