import { loadSiteMap, type SiteMap } from '../../../src/rcs/site/index.ts';

// A small two-floor site for lift tests: on each floor three rows (y = 0, 4, 8) joined at x = 0 and x = 16, two-way,
// 2 m apart; lift A's cabin west of (0,4), lift B's east of (16,4). F1 has pick stations below the bottom row (the
// one at x = 12 in a QR-code area) and a roller door on the top row; F2 has drop stations below its bottom row and
// one drop station above its top row in a SLAM-only area.

export function twoFloorSite(): SiteMap {
  const nodes: Record<string, unknown>[] = [];
  const edges: Record<string, unknown>[] = [];
  const stations: Record<string, unknown>[] = [];
  const link = (a: string, b: string, length = 2) => edges.push({ id: `e_${a}_${b}`, from: a, to: b, length, maxSpeed: 1.5, bidirectional: true });
  for (const map of ['F1', 'F2']) {
    const id = (x: number, y: number) => `${map}.n${x}_${y}`;
    for (const y of [0, 4, 8]) for (let x = 0; x <= 16; x += 2) nodes.push({ id: id(x, y), map, x, y, kind: 'waypoint' });
    for (const x of [0, 16]) for (const y of [2, 6]) nodes.push({ id: id(x, y), map, x, y, kind: 'waypoint' });
    for (const y of [0, 4, 8]) for (let x = 0; x < 16; x += 2) link(id(x, y), id(x + 2, y));
    for (const x of [0, 16]) for (let y = 0; y < 8; y += 2) link(id(x, y), id(x, y + 2));
    nodes.push({ id: `${map}.liftA`, map, x: -2, y: 4, kind: 'waypoint' }, { id: `${map}.liftB`, map, x: 18, y: 4, kind: 'waypoint' });
    link(`${map}.liftA`, id(0, 4));
    link(id(16, 4), `${map}.liftB`);
    for (const [k, x] of [4, 8, 12].entries()) {
      const station = map === 'F1' ? `P${k + 1}` : `D${k + 1}`;
      nodes.push({ id: `${map}.s${x}`, map, x, y: -2, kind: 'station', stationId: station });
      link(id(x, 0), `${map}.s${x}`);
      stations.push({ id: station, node: `${map}.s${x}`, kind: map === 'F1' ? 'pick' : 'drop' });
    }
  }
  nodes.push({ id: 'F2.slam', map: 'F2', x: 8, y: 10, kind: 'station', stationId: 'D-SLAM' });
  link('F2.n8_8', 'F2.slam');
  stations.push({ id: 'D-SLAM', node: 'F2.slam', kind: 'drop' });
  return loadSiteMap({
    id: 'two-floors',
    name: 'Two floors',
    maps: [
      { id: 'F1', name: 'Ground', building: 'A', floor: 0 },
      { id: 'F2', name: 'First', building: 'A', floor: 1 },
    ],
    nodes,
    edges,
    stations,
    chargers: [],
    parking: [],
    lifts: ['A', 'B'].map((l) => ({
      id: `LIFT-${l}`,
      name: `Lift ${l}`,
      stops: [{ map: 'F1', node: `F1.lift${l}` }, { map: 'F2', node: `F2.lift${l}` }],
      cabin: { lengthM: 2.2, widthM: 2 },
      capacity: [{ maxBodyM: 2, count: 1 }],
      doorOpenS: 2,
      doorCloseS: 2,
      travelSPerFloor: 5,
    })),
    doors: [{ id: 'ROLLER-1', edge: 'e_F1.n8_8_F1.n10_8', kind: 'roller', openS: 3 }],
    navigationAreas: [
      { id: 'QR-PICK', modes: ['qrCode'], nodes: ['F1.s12'] },
      { id: 'SLAM-DROP', modes: ['laserSlam'], nodes: ['F2.slam'] },
    ],
  });
}
