import mqtt, { type MqttClient } from 'mqtt';
import { AgvClient } from 'vda-5050-lib';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { VdaVirtualFleet } from '../../src/agv/vda5050/virtual-fleet.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { VDA_ERROR_CODES } from '../../src/rcs/vda5050/convert.ts';
import { demoSite, e2eConfig, submitTask, taskPairs, waitFor } from './e2e-harness.ts';

// The VDA 5050 side against the real Mosquitto when things go wrong: garbage on every inbound topic, duplicates and
// replays, skewed clocks, an AGV that never takes up its order, and the platform's broker connection dropping while
// orders are under way. The AGVs are vda-5050-lib's (AgvController + VirtualAgvAdapter, or its bare AgvClient for an
// AGV that ignores orders); the garbage comes from a plain MQTT client.

const BROKER = process.env.UNIFLEET_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setUp(overrides: Record<string, unknown> = {}): Promise<{ platform: PlatformHandle; iface: string; raw: MqttClient }> {
  const site = await demoSite();
  const iface = `uf-test-${Math.random().toString(36).slice(2, 10)}`;
  const platform = await startPlatform(e2eConfig({ vda5050: true, vdaBrokerUrl: BROKER, vdaInterface: iface, demoKey: true, ...overrides }), { site, clock: systemClock });
  cleanup.push(() => platform.stop());
  const raw = await mqtt.connectAsync(BROKER);
  cleanup.push(() => raw.endAsync());
  return { platform, iface, raw };
}

async function virtualFleet(platform: PlatformHandle, iface: string, count: number): Promise<VdaVirtualFleet> {
  const parking = platform.site.parking.map((p) => platform.site.nodes.find((n) => n.id === p.node)!);
  const fleet = new VdaVirtualFleet({ brokerUrl: BROKER, interfaceName: iface, manufacturer: 'VirtualCo', serialPrefix: 'VDA-', count, startNodes: parking, mapId: platform.site.id, timeLapse: 10 });
  await fleet.start();
  cleanup.push(() => fleet.stop());
  await waitFor('VDA AGVs online', () => platform.registry.onlineCount() === count);
  return fleet;
}

function header(serialNumber: string, headerId: number, timestamp = new Date().toISOString()) {
  return { headerId, timestamp, version: '2.0.0', manufacturer: 'VirtualCo', serialNumber };
}

function stateAt(serialNumber: string, headerId: number, x: number, y: number, mapId: string, timestamp?: string) {
  return {
    ...header(serialNumber, headerId, timestamp),
    orderId: '', orderUpdateId: 0, lastNodeId: '', lastNodeSequenceId: 0, nodeStates: [], edgeStates: [],
    agvPosition: { x, y, theta: 0, mapId, positionInitialized: true },
    driving: false, operatingMode: 'AUTOMATIC', actionStates: [], batteryState: { batteryCharge: 80, charging: false }, errors: [],
    safetyState: { eStop: 'NONE', fieldViolation: false },
  };
}

async function completeTasks(platform: PlatformHandle, count: number, during?: () => void): Promise<void> {
  const ids: string[] = [];
  for (const pair of taskPairs(platform.site, count)) ids.push((await submitTask(platform.apiUrl, platform.demoApiKey!, pair)).json.id as string);
  await waitFor('tasks completed', async () => {
    during?.();
    return (await Promise.all(ids.map((id) => platform.tasks.get(id)))).every((t) => t?.state === 'completed');
  }, 200_000);
}

describe('VDA 5050 bridge robustness', () => {
  it('counts and drops malformed, schema-invalid, misaddressed, duplicate and unknown-version messages, notes clock skew, and keeps driving', async () => {
    const { platform, iface, raw } = await setUp();
    await virtualFleet(platform, iface, 1);
    const base = `${iface}/v2/VirtualCo/VDA-001`;
    const counters = platform.vda!.counters;
    const duplicatesBefore = counters.duplicates;
    await raw.publishAsync(`${base}/state`, '{"headerId": 1, this is not json');
    await raw.publishAsync(`${base}/factsheet`, Buffer.from([0xff, 0xfe, 0x00]));
    await raw.publishAsync(`${base}/connection`, JSON.stringify({ ...header('VDA-001', 99), connectionState: 'SIDEWAYS' }));
    await raw.publishAsync(`${base}/state`, JSON.stringify({ ...stateAt('VDA-001', 100_000, 0, 0, 'x'), driving: 'yes' }));
    await raw.publishAsync(`${base}/state`, JSON.stringify(stateAt('SOMEONE-ELSE', 100_000, 0, 0, 'x')));
    await raw.publishAsync(`${iface}/v9/VirtualCo/VDA-001/state`, JSON.stringify(stateAt('VDA-001', 100_000, 0, 0, 'x')));
    // A replay of an old header id: out of order, dropped (the real AGV is far past header 0 of its state topic).
    await waitFor('a few states', () => (platform.registry.live('VDA-001')?.status !== undefined));
    await raw.publishAsync(`${base}/state`, JSON.stringify(stateAt('VDA-001', 0, 99, 99, platform.site.id)));
    // Another AGV whose clock runs an hour ahead: counted, its messages still used.
    await raw.publishAsync(`${iface}/v2/VirtualCo/SKEWED-1/connection`, JSON.stringify({ ...header('SKEWED-1', 0, new Date(Date.now() + 3_600_000).toISOString()), connectionState: 'ONLINE' }));
    await waitFor('every bad message counted', () => {
      const i = counters.invalid;
      return (i.json ?? 0) >= 2 && (i.schema ?? 0) >= 2 && (i.identity ?? 0) >= 1 && (i.version ?? 0) >= 1 && counters.duplicates > duplicatesBefore && counters.clockSkew >= 1;
    });
    // The replayed state did not move the AGV to (99, 99).
    expect(platform.registry.live('VDA-001')!.status!.x).toBeLessThan(50);
    await completeTasks(platform, 2);
    expect(platform.registry.live('VDA-001')!.link).toBeDefined();
  }, 240_000);

  it('raises an alarm when an AGV does not take up its order within the timeout', async () => {
    const { platform, iface } = await setUp({ vdaCommandTimeoutMs: 1_500 });
    const site = platform.site;
    const start = site.nodes.find((n) => n.id === site.parking[0]!.node)!;
    // vda-5050-lib's bare AGV client: it connects (last will included) and publishes, but never executes an order.
    const agv = new AgvClient({ manufacturer: 'VirtualCo', serialNumber: 'DEAF-1' }, { interfaceName: iface, transport: { brokerUrl: BROKER }, vdaVersion: '2.0.0' });
    await agv.start();
    cleanup.push(() => agv.stop());
    await agv.subscribe('instantActions', (message) => {
      if (message.instantActions.some((a) => a.actionType === 'factsheetRequest')) {
        void agv.publish('factsheet', {
          typeSpecification: { seriesName: 'Deaf', agvKinematic: 'DIFF', agvClass: 'CARRIER', maxLoadMass: 100, localizationTypes: ['NATURAL'], navigationTypes: ['VIRTUAL_LINE_GUIDED'] },
          physicalParameters: { speedMin: 0.1, speedMax: 1, accelerationMax: 1, decelerationMax: 1, heightMax: 0.4, width: 0.7, length: 1 },
          protocolLimits: { maxStringLens: {}, maxArrayLens: {}, timing: { minOrderInterval: 1, minStateInterval: 1 } },
          protocolFeatures: { optionalParameters: [], agvActions: [] },
          agvGeometry: {},
          loadSpecification: {},
        } as never, { retainMessage: true });
      }
    });
    const { headerId: _h, timestamp: _t, version: _v, manufacturer: _m, serialNumber: _s, ...state } = stateAt('DEAF-1', 0, start.x, start.y, site.id);
    const timer = setInterval(() => void agv.publish('state', { ...state, lastNodeId: start.id } as never), 200);
    cleanup.push(() => clearInterval(timer));
    await waitFor('DEAF-1 online', () => platform.registry.live('DEAF-1')?.link !== undefined);
    await submitTask(platform.apiUrl, platform.demoApiKey!, taskPairs(site, 1)[0]!);
    await waitFor('order timeout alarm', () => (platform.registry.live('DEAF-1')?.status?.alarms ?? []).some((a) => a.code === VDA_ERROR_CODES.orderTimeout));
    expect(platform.vda!.counters.ordersIgnored).toBeGreaterThan(0);
    const events = await platform.store.events.query({ agvId: 'DEAF-1' });
    expect(events.some((e) => e.type === 'vda.command_timeout')).toBe(true);
  }, 120_000);

  it('loses no order when the platform loses its broker connection mid-task', async () => {
    const { platform, iface } = await setUp();
    await virtualFleet(platform, iface, 2);
    const client = (platform.vda as unknown as { client: MqttClient }).client;
    let drops = 0;
    let lastDrop = 0;
    await completeTasks(platform, 4, () => {
      // Cut the platform's socket to the broker every few seconds while the tasks run; mqtt.js reconnects.
      if (Date.now() - lastDrop > 3_000 && client.connected) {
        lastDrop = Date.now();
        drops++;
        client.stream.destroy();
      }
    });
    expect(drops).toBeGreaterThan(0);
  }, 240_000);
});
