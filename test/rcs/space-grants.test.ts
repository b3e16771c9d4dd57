import { describe, expect, it } from 'vitest';
import { CentralTrafficController } from '../../src/rcs/traffic/central/index.ts';
import { SpaceGrants, type SpaceAsk } from '../../src/rcs/traffic/space/space-grants.ts';
import { gridSite } from './grid-site.ts';

// Space decisions against real traffic state: bodies on held nodes, granted space, blocks.

const site = gridSite(8, 3);
const square = (x0: number, y0: number, x1: number, y1: number) => [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }];

function setup() {
  const traffic = new CentralTrafficController(site);
  const grants = new SpaceGrants(traffic, site, (id) => traffic.footprintRadius(id), { leaseMs: 1_000 });
  return { traffic, grants };
}

const ask = (agvId: string, polygon: { x: number; y: number }[], extra: Partial<SpaceAsk> = {}): SpaceAsk => ({
  agvId, requestId: 1, polygon, nodes: [], startMs: 0, durationMs: 20_000, renewable: true, ...extra,
});

describe('space grants', () => {
  it('grants free space, blocks it for others and returns it at once on release', () => {
    const { traffic, grants } = setup();
    traffic.place('A', '1,1');
    traffic.place('B', '6,1');
    const decision = grants.request(ask('A', square(0.5, 0.5, 3.5, 1.5)), 0);
    expect(decision.decision).toBe('granted');
    if (decision.decision !== 'granted') return;
    const block = traffic.blockedResources().find((b) => b.id === `space:${decision.lease.leaseId}`)!;
    expect(block.holder).toBe('A');
    // Nodes from which a 0.45 m body reaches into the square: only those inside it (the next rows are 0.5 m away).
    expect(block.nodes).toEqual(['1,1', '2,1', '3,1']);
    expect(block.edges).toEqual(expect.arrayContaining(['1,1->2,1', '2,1->3,1', '0,1->1,1', '3,1->4,1', '1,0->1,1']));
    expect(grants.release('A', decision.lease.leaseId)).toBe(true);
    expect(traffic.blockedResources()).toEqual([]);
  });

  it('refuses malformed asks, asks from outside the space and trajectories leaving it, with reasons', () => {
    const { traffic, grants } = setup();
    traffic.place('A', '1,1');
    expect(grants.request(ask('A', [{ x: 0, y: 0 }, { x: 1, y: 1 }]), 0)).toMatchObject({ decision: 'refused', reason: 'invalidArea' });
    expect(grants.request(ask('A', [], { nodes: ['9,9'] }), 0)).toMatchObject({ decision: 'refused', reason: 'invalidArea' });
    expect(grants.request(ask('A', square(4, 0, 6, 2)), 0)).toMatchObject({ decision: 'refused', reason: 'notInside' });
    expect(grants.request(ask('A', square(0.5, 0.5, 3.5, 1.5), { trajectory: [{ x: 1, y: 1 }, { x: 5, y: 1 }] }), 0)).toMatchObject({ decision: 'refused', reason: 'trajectoryOutside' });
    expect(grants.request(ask('A', square(0.5, 0.5, 3.5, 1.5), { durationMs: 10 * 60_000 }), 0)).toMatchObject({ decision: 'refused', reason: 'windowTooLong' });
    expect(grants.request(ask('X', square(0.5, 0.5, 3.5, 1.5)), 0)).toMatchObject({ decision: 'refused', reason: 'unknownAgv' });
  });

  it('refuses space on a blocked zone', () => {
    const { traffic, grants } = setup();
    traffic.place('A', '1,1');
    traffic.blockResources({ id: 'spill', nodes: ['2,1'], edges: [] });
    expect(grants.request(ask('A', square(0.5, 0.5, 3.5, 1.5)), 0)).toMatchObject({ decision: 'refused', reason: 'blocked' });
  });

  it('queues space covered by another body and grants it once that body is gone', () => {
    const { traffic, grants } = setup();
    traffic.place('A', '1,1');
    traffic.place('B', '3,1');
    const first = grants.request(ask('A', square(0.5, 0.5, 3.5, 1.5)), 0);
    expect(first).toMatchObject({ decision: 'queued', position: 0, waitingFor: 'B' });
    // While A waits, B is granted nothing more on that ground.
    expect(traffic.blockedResources().map((b) => b.id)).toEqual(['space-pending:A']);
    expect(grants.tick(100).decided).toEqual([]);
    traffic.release('B');
    const { decided } = grants.tick(200);
    expect(decided).toHaveLength(1);
    expect(decided[0]!.result.decision).toBe('granted');
    expect(traffic.blockedResources().map((b) => b.id)).toEqual(['space:1']);
  });

  it('queues space overlapping a granted one, and times it out at the end of its window', () => {
    const { traffic, grants } = setup();
    traffic.place('A', '1,1');
    traffic.place('B', '4,1');
    expect(grants.request(ask('A', square(0.5, 0.5, 3.5, 1.5)), 0).decision).toBe('granted');
    expect(grants.request(ask('B', square(3, 0.5, 5.5, 1.5), { durationMs: 5_000 }), 0)).toMatchObject({ decision: 'queued', waitingFor: 'space granted to A' });
    // A renews; B's window ends first.
    for (let t = 500; t < 5_000; t += 500) expect(grants.renew('A', 1, t)).toBeDefined();
    const { decided } = grants.tick(5_000);
    expect(decided.map((d) => d.result)).toEqual([expect.objectContaining({ decision: 'refused', reason: 'timeout' })]);
  });

  it('expires a lease that is not renewed and can revoke one', () => {
    const { traffic, grants } = setup();
    traffic.place('A', '1,1');
    traffic.place('B', '6,1');
    grants.request(ask('A', square(0.5, 0.5, 3.5, 1.5)), 0);
    expect(grants.tick(999).expired).toEqual([]);
    expect(grants.tick(1_000).expired.map((l) => l.agvId)).toEqual(['A']);
    // A may have stopped anywhere inside: the space stays blocked until it reports standing on a node.
    expect(traffic.blockedResources().map((b) => b.id)).toEqual(['space:1']);
    grants.settled('A');
    expect(traffic.blockedResources()).toEqual([]);
    const again = grants.request(ask('B', square(5.5, 0.5, 7.5, 1.5)), 2_000);
    expect(again.decision).toBe('granted');
    if (again.decision !== 'granted') return;
    expect(grants.revoke(again.lease.leaseId)?.agvId).toBe('B');
    expect(grants.renew('B', again.lease.leaseId, 2_100)).toBeUndefined();
  });

  it('tells when a reported position leaves the granted space', () => {
    const { traffic, grants } = setup();
    traffic.place('A', '1,1');
    grants.request(ask('A', square(0.5, 0.5, 3.5, 1.5)), 0);
    expect(grants.leftSpace('A', { x: 3.55, y: 1 })).toBeUndefined();
    expect(grants.leftSpace('A', { x: 4, y: 1 })?.agvId).toBe('A');
  });

  it('grants node sets with the body of the asking AGV', () => {
    const { traffic, grants } = setup();
    traffic.place('A', '1,1');
    traffic.place('B', '3,1');
    // 2,1 is 1 m from B: two 0.45 m bodies do not overlap there.
    expect(grants.request(ask('A', [], { nodes: ['1,1', '2,1'] }), 0).decision).toBe('granted');
  });
});
