import { afterEach, describe, expect, it } from 'vitest';
import { AgvClient, type MotionCommand } from '../../src/agv/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { registration, status } from '../agv/fixtures.ts';
import { demoSite, waitFor } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';

// What the platform tells an AGV about the site over real sockets: per-edge limits in motion orders.

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
    await waitFor('the AGV online', () => platform!.registry.live('SPUR-1')?.link !== undefined);

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
