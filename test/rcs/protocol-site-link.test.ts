import { afterEach, describe, expect, it } from 'vitest';
import { AgvClient, type MotionCommand, type RegistrationFields, type StatusFields } from '../../src/agv/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { demoSite } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';

// What the platform tells an AGV about the site over real sockets: per-edge limits in motion orders.

const registration: RegistrationFields = {
  vendor: 'Test', model: 'T1', serial: 'T-1', agvType: 'latentLifting', softwareVersion: '1.0',
  capabilities: { kinematics: 'differential', length: 900, width: 600, height: 300, maxSpeed: 1500, maxAcceleration: 500, maxDeceleration: 500, maxAngularSpeed: 1000, maxPayload: 500, actuators: [{ type: 'lift', index: 0, min: 0, max: 60 }], navigationTypes: ['qrCode'], maps: [{ mapId: 1, mapVersion: 1 }] },
};

function status(): StatusFields {
  return {
    orderId: 0, orderUpdateId: 0, pose: { x: 3000, y: 5000, theta: 0 }, localisationScore: 99, mapId: 1, navMode: 'qrCode', vx: 0, vy: 0, omega: 0,
    battery: 800, batteryVoltage: 4800, charging: false, loadState: 'empty', state: 'idle', operatingMode: 'automatic', lastNodeId: 0,
    lastNodeSequenceId: 0, currentEdgeId: 0, edgeProgress: 0, eStop: 'none', protectiveField: false, actuators: [], actions: [], errors: [],
  };
}

async function until(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('motion orders carry the site map', () => {
  let platform: PlatformHandle | undefined;
  let client: AgvClient | undefined;
  afterEach(async () => {
    client?.stop();
    await platform?.stop();
  });

  it('sends every edge with the map speed limit: a 0.5 m/s docking spur goes out as 500 mm/s, never 0', async () => {
    const site = await demoSite();
    platform = await startPlatform(testConfig({ autoEnrol: true }), { site, ops: false });
    const received: MotionCommand[] = [];
    client = new AgvClient({ agvId: 'SPUR-1', port: platform.rcsPort, registration, status, initialBackoffMs: 50 });
    client.onMotion((cmd) => void received.push(cmd));
    client.start();
    await until('the AGV online', () => platform!.registry.live('SPUR-1')?.link !== undefined);

    // n3_5 → n2_5 is the docking spur of PICK-01 (0.5 m/s); n3_4 → n3_5 is an aisle edge with its own limit.
    const step = (id: string) => {
      const n = site.nodes.find((node) => node.id === id)!;
      return { nodeId: id, x: n.x, y: n.y };
    };
    const aisle = site.edges.find((e) => e.from === 'n3_4' && e.to === 'n3_5')!;
    const outcome = await platform.registry.live('SPUR-1')!.link!.sendMotion({ orderId: 9, updateId: 0, released: [step('n3_4'), step('n3_5'), step('n2_5')], announced: [] });
    expect(outcome.ok).toBe(true);
    expect(received).toHaveLength(1);
    const edges = received[0]!.edges;
    expect(edges.map((e) => e.maxSpeed)).toEqual([Math.round(aisle.maxSpeed * 1000), 500]);
    expect(edges.every((e) => e.maxSpeed > 0)).toBe(true);
  });
});
