import { loadSiteMap } from '../../src/rcs/site/index.ts';
import type { SiteMap } from '../../src/rcs/site/types.ts';

// The site of the autonomous-space tests: an 8 × 3 grid of nodes "x:y" 3 m apart, pick station P1 at 1:0 and drop
// D1 at 7:0. A detour 1 m beside a row stays clear of the next row.

const SPACING = 3;
const id = (x: number, y: number) => `${x}:${y}`;

export function gridSite(): SiteMap {
  const nodes: Omit<SiteMap['nodes'][number], 'map'>[] = [];
  const edges: SiteMap['edges'] = [];
  for (let y = 0; y < 3; y++) {
    for (let x = 0; x < 8; x++) {
      const station = id(x, y) === '1:0' ? 'P1' : id(x, y) === '7:0' ? 'D1' : undefined;
      nodes.push({ id: id(x, y), x: x * SPACING, y: y * SPACING, kind: station ? 'station' : 'waypoint', ...(station ? { stationId: station } : {}) });
      if (x < 7) edges.push({ id: `h${x}-${y}`, from: id(x, y), to: id(x + 1, y), length: SPACING, maxSpeed: 1.5, bidirectional: true });
      if (y < 2) edges.push({ id: `v${x}-${y}`, from: id(x, y), to: id(x, y + 1), length: SPACING, maxSpeed: 1.5, bidirectional: true });
    }
  }
  return loadSiteMap({
    id: 'grid',
    name: 'space test grid',
    nodes,
    edges,
    stations: [{ id: 'P1', node: '1:0', kind: 'pick' }, { id: 'D1', node: '7:0', kind: 'drop' }],
    chargers: [],
    parking: [],
  });
}

