import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { SimAgv, VENDOR_PROFILES, type VendorProfile } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { CentralTrafficController } from '../../src/rcs/traffic/central/index.ts';
import { demoSite, waitFor } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';

// The platform plans each AGV with the body it registered, always, over real TCP: the simulator's vendor
// profiles send their lengthM/widthM as capabilities.length/width, the session checks them, and the central
// traffic controller sizes the AGV from them when it is first placed and again on every re-registration.
// The parking row of the demo warehouse has nodes 1 m apart, which tells a 0.45 m radius from a 0.9 m one.

const HEXA = VENDOR_PROFILES[0]!; // 0.9 m x 0.65 m: radius 0.45 m
const NORD = VENDOR_PROFILES[1]!; // 1.8 m x 0.95 m: radius 0.9 m

/** A simulated AGV of the given profile standing on nodeId, talking to the platform over TCP in real time. */
function simAgvAt(platform: PlatformHandle, id: string, profile: VendorProfile, nodeId: string): SimAgv {
  const index = platform.site.nodes.findIndex((n) => n.id === nodeId);
  const node = platform.site.nodes[index]!;
  const start = { nodeNumber: index + 1, x: node.x, y: node.y };
  return new SimAgv({ id, profile, serial: `SER-${id}`, start, mapNumber: 1, clock: systemClock, port: platform.rcsPort, selfTickMs: 50 });
}

describe('registered AGV bodies reach traffic control', () => {
  let platform: PlatformHandle;
  let traffic: CentralTrafficController;
  const started: SimAgv[] = [];
  const byId = new Map<string, SimAgv>();

  beforeAll(async () => {
    platform = await startPlatform(testConfig({ autoEnrol: true, webhooks: false, statusPeriodMs: 100 }), { site: await demoSite() });
    traffic = platform.traffic as CentralTrafficController;
  });
  afterAll(async () => {
    for (const agv of started) agv.stop();
    await platform.stop();
  });

  function agvAt(id: string, profile: VendorProfile, nodeId: string): SimAgv {
    const agv = simAgvAt(platform, id, profile, nodeId);
    started.push(agv);
    byId.set(id, agv);
    return agv;
  }

  /** Whether a default-sized body (0.45 m) could stand on nodeId now: the reservation table's verdict. */
  function roomFor(nodeId: string): boolean {
    const fits = traffic.place('PROBE', nodeId);
    traffic.release('PROBE');
    return fits;
  }

  it('plans two vendors with their own radii, and blocks the nodes the larger body covers', async () => {
    expect(platform.traffic).toBeInstanceOf(CentralTrafficController);
    agvAt('FP-S', HEXA, 'n3_20').start();
    agvAt('FP-L', NORD, 'n10_20').start();
    await waitFor('both AGVs placed', () => platform.traffic.held('FP-S').length > 0 && platform.traffic.held('FP-L').length > 0, 15_000);

    expect(platform.registry.footprintOf('FP-S')).toEqual({ lengthM: 0.9, widthM: 0.65 });
    expect(platform.registry.footprintOf('FP-L')).toEqual({ lengthM: 1.8, widthM: 0.95 });
    expect(traffic.footprintRadius('FP-S')).toBeCloseTo(0.45);
    expect(traffic.footprintRadius('FP-L')).toBeCloseTo(0.9);
    expect(platform.traffic.held('FP-S')[0]).toBe('n3_20');
    expect(platform.traffic.held('FP-L')[0]).toBe('n10_20');
    // 1 m from the small AGV a default body fits (0.45 + 0.45 m); 1 m from the forklift it does not (0.9 + 0.45 m).
    expect(roomFor('n4_20')).toBe(true);
    expect(roomFor('n11_20')).toBe(false);
    expect(roomFor('n9_20')).toBe(false);
  });

  it('re-sizes an AGV that registers again with a different body', async () => {
    byId.get('FP-S')!.stop();
    await waitFor('FP-S offline', () => platform.registry.get('FP-S')?.connection === 'offline', 15_000);
    // Same AGV, same place, now carrying a top module that makes it 2.4 m long.
    agvAt('FP-S', { ...HEXA, lengthM: 2.4 }, 'n3_20').start();
    await waitFor('FP-S back online', () => platform.registry.get('FP-S')?.connection === 'online', 15_000);
    expect(platform.registry.footprintOf('FP-S')).toEqual({ lengthM: 2.4, widthM: 0.65 });
    expect(traffic.footprintRadius('FP-S')).toBeCloseTo(1.2);
    expect(roomFor('n4_20')).toBe(false);
    expect(roomFor('n6_20')).toBe(true);
  });

  it('refuses a registration whose body is 0 or over 10 m, saying why', async () => {
    for (const [id, body] of [['FP-ZERO', { lengthM: 0 }], ['FP-HUGE', { widthM: 12 }]] as const) {
      const agv = agvAt(id, { ...HEXA, ...body }, 'n20_20');
      const refusals: string[] = [];
      agv.client.on('refused', (stage, reason) => refusals.push(`${stage}: ${reason}`));
      agv.start();
      await waitFor(`${id} refused`, () => refusals.length > 0, 15_000);
      agv.stop();
      expect(refusals[0]).toMatch(/^registration: rejectedCapabilities: capabilities\.(length|width) \d+ mm is outside 200\.\.10000 mm/);
      expect(platform.registry.live(id)).toBeUndefined();
      expect(platform.traffic.held(id)).toEqual([]);
    }
  });
});
