import { describe, expect, it } from 'vitest';
import { CentralTrafficController } from '../../src/rcs/traffic/central/index.ts';
import { ReservationTrafficController, RoadGraph, type TrafficController } from '../../src/rcs/traffic/index.ts';
import { gridSite } from './grid-site.ts';

// Blocked resources in both controllers: nobody but the holder is granted a blocked node or edge, routes go
// around, and lifting the block gives the way back.

const site = gridSite(5, 2);
const controllers: [string, () => TrafficController][] = [
  ['central', () => new CentralTrafficController(site)],
  ['reservation', () => new ReservationTrafficController(new RoadGraph(site))],
];

/** Follows grants at once, node by node, and returns every node visited (the start included). */
function drive(traffic: TrafficController, agvId: string, goal: string, startMs = 0): { visited: string[]; arrived: boolean } {
  const visited = [traffic.held(agvId)[0]!];
  for (let step = 0, now = startMs; step < 100; step++, now += 200) {
    traffic.tick(now);
    const grant = traffic.request(agvId, goal, now);
    if (grant.kind === 'arrived') return { visited, arrived: true };
    if (grant.kind !== 'go') continue;
    for (const node of grant.path.slice(1)) {
      expect(traffic.reportProgress(agvId, node)).toBe(true);
      visited.push(node);
    }
  }
  return { visited, arrived: false };
}

describe.each(controllers)('blocked resources (%s controller)', (_name, make) => {
  it('routes around a blocked node and never enters it', () => {
    const traffic = make();
    traffic.place('A', '0,0');
    traffic.blockResources({ id: 'spill', nodes: ['2,0'], edges: [] });
    const { visited, arrived } = drive(traffic, 'A', '4,0');
    expect(arrived).toBe(true);
    expect(visited).not.toContain('2,0');
  });

  it('routes around a blocked edge in either direction', () => {
    const traffic = make();
    traffic.place('A', '0,0');
    traffic.blockResources({ id: 'aisle', nodes: [], edges: ['2,0->1,0'] });
    const { visited, arrived } = drive(traffic, 'A', '4,0');
    expect(arrived).toBe(true);
    const steps = visited.slice(1).map((n, i) => `${visited[i]}->${n}`);
    expect(steps).not.toContain('1,0->2,0');
  });

  it('lets the holder use its block and keeps others out until it is lifted', () => {
    const traffic = make();
    traffic.place('H', '1,0');
    traffic.place('B', '0,1');
    traffic.blockResources({ id: 'space', nodes: ['2,0', '2,1'], edges: [], holder: 'H' });
    // The column x=2 is the only way across: B cannot pass while it is blocked.
    expect(drive(traffic, 'B', '4,1').arrived).toBe(false);
    expect(traffic.held('B')).not.toContain('2,1');
    expect(drive(traffic, 'H', '3,0', 20_000).arrived).toBe(true);
    traffic.unblockResources('space');
    expect(traffic.blockedResources()).toEqual([]);
    expect(drive(traffic, 'B', '4,1', 40_000).arrived).toBe(true);
  });

  it('refuses a block naming unknown nodes or edges and changes nothing', () => {
    const traffic = make();
    traffic.blockResources({ id: 'a', nodes: ['1,1'], edges: [] });
    expect(() => traffic.blockResources({ id: 'b', nodes: ['9,9'], edges: ['0,0->4,1'] })).toThrow(/node 9,9, edge 0,0->4,1/);
    expect(traffic.blockedResources()).toEqual([{ id: 'a', nodes: ['1,1'], edges: [] }]);
  });
});

describe('blocked resources in the central controller', () => {
  it('reports waits behind a block and lists AGVs whose held path crosses a new block', () => {
    const traffic = new CentralTrafficController(site);
    traffic.place('A', '0,0');
    traffic.request('A', '4,0', 0);
    const grant = traffic.request('A', '4,0', 200);
    expect(grant.kind).toBe('go');
    const held = traffic.held('A');
    traffic.blockResources({ id: 'late', nodes: [held[1]!], edges: [] });
    // Granted before the block appeared: A keeps it and finishes leaving unless stopped.
    expect(traffic.crossing('late')).toEqual(['A']);
    expect(traffic.held('A')).toEqual(held);
  });

  it('keeps other bodies from covering a blocked node', () => {
    const traffic = new CentralTrafficController(gridSite(5, 2), { footprintOf: () => ({ lengthM: 2.4, widthM: 1 }) });
    traffic.place('A', '0,0');
    traffic.blockResources({ id: 'p', nodes: ['2,1'], edges: [] });
    // A 2.4 m body covers nodes 1 m away: it cannot stand on 2,0 or on 1,1 / 3,1 next to the blocked node.
    const { visited } = drive(traffic, 'A', '4,0');
    for (const n of ['2,0', '1,1', '3,1']) expect(visited).not.toContain(n);
  });
});
