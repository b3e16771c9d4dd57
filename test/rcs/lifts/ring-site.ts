import { loadSiteMap, type SiteMap } from '../../../src/rcs/site/index.ts';

// A one-floor ring for door and navigation-area tests: two rows (y = 0 and y = 4) of nodes 2 m apart from x = 0 to
// x = 16, joined at both ends, so every trip along the bottom row has a second, longer way round by the top row.
// Pick station P1 hangs below (2,0), drop station D1 below (14,0); parking spurs above the top row keep waiting AGVs
// off the ring. The bottom row between them is the short way, and what each variant puts in it:
//   door: a roller door on the edge (8,0)–(10,0);
//   slam: a SLAM-only area over (6,0) … (12,0), with (4,0) and (14,0) as its switch points.
// `open: true` leaves out the east end (x = 16) of the ring: then the bottom row is the only way from P1 to D1.

export interface RingSiteOptions {
  door?: boolean;
  slam?: boolean;
  open?: boolean;
}

export const RING_DOOR = 'ROLLER-RING';
export const RING_DOOR_EDGE = 'e_R.n8_0_R.n10_0';
export const RING_SLAM_NODES = ['R.n6_0', 'R.n8_0', 'R.n10_0', 'R.n12_0'] as const;
export const RING_PARKING = ['R.p4', 'R.p8', 'R.p12'] as const;

export function ringSite(o: RingSiteOptions = {}): SiteMap {
  const id = (x: number, y: number) => `R.n${x}_${y}`;
  const nodes: Record<string, unknown>[] = [];
  const edges: Record<string, unknown>[] = [];
  const link = (a: string, b: string) => edges.push({ id: `e_${a}_${b}`, from: a, to: b, length: 2, maxSpeed: 1.5, bidirectional: true });
  for (const y of [0, 4]) for (let x = 0; x <= 16; x += 2) nodes.push({ id: id(x, y), map: 'R', x, y, kind: 'waypoint' });
  const ends = o.open ? [0] : [0, 16];
  for (const x of ends) nodes.push({ id: id(x, 2), map: 'R', x, y: 2, kind: 'waypoint' });
  for (const y of [0, 4]) for (let x = 0; x < 16; x += 2) link(id(x, y), id(x + 2, y));
  for (const x of ends) {
    link(id(x, 0), id(x, 2));
    link(id(x, 2), id(x, 4));
  }
  nodes.push({ id: 'R.s2', map: 'R', x: 2, y: -2, kind: 'station', stationId: 'P1' }, { id: 'R.s14', map: 'R', x: 14, y: -2, kind: 'station', stationId: 'D1' });
  link(id(2, 0), 'R.s2');
  link(id(14, 0), 'R.s14');
  for (const x of [4, 8, 12]) {
    nodes.push({ id: `R.p${x}`, map: 'R', x, y: 6, kind: 'parking' });
    link(id(x, 4), `R.p${x}`);
  }
  return loadSiteMap({
    id: 'ring',
    name: 'Ring',
    maps: [{ id: 'R', name: 'Ring floor' }],
    nodes,
    edges,
    stations: [
      { id: 'P1', node: 'R.s2', kind: 'pick' },
      { id: 'D1', node: 'R.s14', kind: 'drop' },
    ],
    chargers: [],
    parking: RING_PARKING.map((node, i) => ({ id: `PARK-${i + 1}`, node })),
    lifts: [],
    doors: o.door ? [{ id: RING_DOOR, edge: RING_DOOR_EDGE, kind: 'roller', openS: 2 }] : [],
    navigationAreas: o.slam ? [{ id: 'SLAM-SHORTCUT', modes: ['laserSlam'], nodes: [...RING_SLAM_NODES] }] : [],
  });
}
