import { describe, expect, it } from 'vitest';
import { restoreHolds } from '../../src/rcs/dispatch/hold-restore.ts';
import { CentralTrafficController } from '../../src/rcs/traffic/central/index.ts';
import { ReservationTrafficController } from '../../src/rcs/traffic/reservation-controller.ts';
import { RoadGraph } from '../../src/rcs/traffic/road-graph.ts';
import type { TrafficController } from '../../src/rcs/traffic/types.ts';
import { gridSite } from './grid-site.ts';

// Taking a site over: the released nodes the store kept are held again before anything is granted, by both site
// controllers, and the AGV that returns is planned from where it stands.

const controllers: [string, () => TrafficController][] = [
  ['central', () => new CentralTrafficController(gridSite(6, 3))],
  ['reservation', () => new ReservationTrafficController(new RoadGraph(gridSite(6, 3)))],
];

describe.each(controllers)('restoring released nodes (%s traffic)', (_name, make) => {
  it('holds each AGV\'s last release; a node released later to another AGV goes to that one', () => {
    const traffic = make();
    // Newest release first: B was released 2,0 after A had left it.
    const releases = new Map([
      ['B', ['2,0', '3,0', '4,0']],
      ['A', ['0,0', '1,0', '2,0']],
    ]);
    const { restored, skipped } = restoreHolds(traffic, releases);
    expect(skipped).toEqual([]);
    expect(restored.get('B')).toEqual(['2,0', '3,0', '4,0']);
    expect(restored.get('A')).toEqual(['0,0', '1,0']);
    expect(traffic.heldBy('2,0')).toBe('B');
    expect(traffic.heldBy('1,0')).toBe('A');
  });

  it('grants nobody a restored node, and plans a returning AGV from where it reports', () => {
    const traffic = make();
    restoreHolds(traffic, new Map([['A', ['1,1', '2,1', '3,1']]]));
    expect(traffic.place('C', '2,1')).toBe(false);
    expect(traffic.place('C', '0,1')).toBe(true);
    const grant = traffic.request('C', '5,1', 0);
    // C waits behind A's restored nodes (or goes around them): never through them.
    if (grant.kind === 'go') expect(grant.path.filter((n) => ['1,1', '2,1', '3,1'].includes(n))).toEqual([]);
    // A is offline until it comes back and reports standing on one of its nodes; the ones behind it are freed.
    traffic.agvOnline('A');
    expect(traffic.place('A', '2,1')).toBe(true);
    expect(traffic.heldBy('1,1')).toBeUndefined();
    expect(traffic.held('A')).toContain('2,1');
  });

  it('restores nothing for unknown nodes or an AGV already on the map', () => {
    const traffic = make();
    traffic.place('A', '0,0');
    expect(restoreHolds(traffic, new Map([['A', ['1,0']], ['B', ['9,9']]])).skipped).toEqual(['A', 'B']);
    expect(traffic.held('A')).toEqual(['0,0']);
  });
});
