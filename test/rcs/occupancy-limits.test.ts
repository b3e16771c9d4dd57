import { describe, expect, it } from 'vitest';
import { CentralTrafficController } from '../../src/rcs/traffic/central/index.ts';
import { OccupancyLimitedTraffic } from '../../src/rcs/traffic/occupancy-limits.ts';
import { gridSite } from './grid-site.ts';

// Max-occupancy zones in front of the central controller: AGVs driven grant by grant, one node per step each, with
// an independent count of who stands inside the zone after every step.

describe('occupancy limits', () => {
  it('never lets more AGVs into a zone than its limit, and every AGV still gets through', () => {
    const traffic = new OccupancyLimitedTraffic(new CentralTrafficController(gridSite(7, 3)));
    const zone = new Set(['3,0', '3,1', '3,2']);
    traffic.setLimits([{ id: 'gate', nodes: zone, maxAgvs: 1 }]);
    const agents = [
      { id: 'A', at: '0,0', goal: '6,0' },
      { id: 'B', at: '0,1', goal: '6,1' },
      { id: 'C', at: '0,2', goal: '6,2' },
    ];
    for (const a of agents) expect(traffic.place(a.id, a.at)).toBe(true);
    let mostInside = 0;
    let waitedAtZone = 0;
    for (let step = 0, now = 0; step < 400 && agents.some((a) => a.at !== a.goal); step++, now += 200) {
      traffic.tick(now);
      for (const a of agents) {
        const grant = traffic.request(a.id, a.goal, now);
        if (grant.kind === 'wait' && grant.blockedBy === 'zone:gate') waitedAtZone++;
        if (grant.kind !== 'go' || grant.path.length < 2) continue;
        a.at = grant.path[1]!;
        expect(traffic.reportProgress(a.id, a.at)).toBe(true);
        mostInside = Math.max(mostInside, agents.filter((x) => zone.has(x.at)).length);
      }
    }
    expect(agents.map((a) => a.at)).toEqual(agents.map((a) => a.goal));
    expect(mostInside).toBe(1);
    expect(waitedAtZone).toBeGreaterThan(0);
    expect(traffic.occupants('gate')).toEqual([]);
  });

  it('without limits it is the controller underneath', () => {
    const inner = new CentralTrafficController(gridSite(4, 1));
    const traffic = new OccupancyLimitedTraffic(inner);
    traffic.place('A', '0,0');
    traffic.blockResources({ id: 'b', nodes: ['2,0'], edges: [] });
    expect(inner.blockedResources().map((b) => b.id)).toEqual(['b']);
    expect(traffic.held('A')).toEqual(inner.held('A'));
  });
});
