// Generates maps/demo-warehouse.json: a 30 m × 20 m warehouse on a 1 m lattice.
//
//   y=20  P P P P … P           parking spurs (30) above the top road
//   y=19  ← ← ← ← ← ← ← ←       top road, one-way westbound
//   y=2…18 ↓ aisles every 3 m, one-way, alternating north/south, racks between them;
//          pick stations are docking spurs into the racks; a two-way cross aisle at y=10
//   y=1   → → → → → → → →       bottom road, one-way eastbound
//   y=0   D D … D C C … C       drop-station spurs (8) and charger spurs (8) below it
//
// The left edge (x=0) runs south and the right edge (x=30) north, closing a counter-clockwise ring, so traffic on
// the main roads never meets head-on. Spurs are two-way (an AGV backs out the way it docked).
// Run: npx tsx scripts/generate-demo-warehouse.ts

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSiteMap } from '../src/rcs/site/validate.ts';
import type { Charger, ParkingSpot, SiteEdge, SiteMap, SiteNode, Station } from '../src/rcs/site/types.ts';

const WIDTH = 30;
const HEIGHT = 20;
const BOTTOM_ROAD = 1;
const TOP_ROAD = HEIGHT - 1;
const CROSS_AISLE = 10;
const AISLES = [3, 6, 9, 12, 15, 18, 21, 24, 27];
const ROAD_SPEED = 2.0;
const AISLE_SPEED = 1.2;
const DOCK_SPEED = 0.5;
const HALF_PI = Math.PI / 2;

const nodes = new Map<string, SiteNode>();
const edges: SiteEdge[] = [];
const stations: Station[] = [];
const chargers: Charger[] = [];
const parking: ParkingSpot[] = [];

const nodeId = (x: number, y: number) => `n${x}_${y}`;

function node(x: number, y: number, extra: Partial<SiteNode> = {}): string {
  const id = nodeId(x, y);
  if (!nodes.has(id)) nodes.set(id, { id, x, y, kind: 'waypoint', ...extra });
  else Object.assign(nodes.get(id)!, extra);
  return id;
}

function edge(a: [number, number], b: [number, number], maxSpeed: number, bidirectional: boolean): void {
  const from = node(...a);
  const to = node(...b);
  edges.push({ id: `e_${from}_${to}`, from, to, length: Math.hypot(a[0] - b[0], a[1] - b[1]), maxSpeed, bidirectional });
}

// Main ring, counter-clockwise: bottom eastbound, right northbound, top westbound, left southbound.
for (let x = 0; x < WIDTH; x++) edge([x, BOTTOM_ROAD], [x + 1, BOTTOM_ROAD], ROAD_SPEED, false);
for (let y = BOTTOM_ROAD; y < TOP_ROAD; y++) edge([WIDTH, y], [WIDTH, y + 1], ROAD_SPEED, false);
for (let x = WIDTH; x > 0; x--) edge([x, TOP_ROAD], [x - 1, TOP_ROAD], ROAD_SPEED, false);
for (let y = TOP_ROAD; y > BOTTOM_ROAD; y--) edge([0, y], [0, y - 1], ROAD_SPEED, false);

// Aisles alternate direction so a loop up one and down the next needs no turning around.
AISLES.forEach((x, i) => {
  const north = i % 2 === 0;
  for (let y = BOTTOM_ROAD; y < TOP_ROAD; y++) {
    if (north) edge([x, y], [x, y + 1], AISLE_SPEED, false);
    else edge([x, y + 1], [x, y], AISLE_SPEED, false);
  }
});

// Two-way cross aisle through the racks: a shortcut between aisles of opposite direction.
for (let x = 0; x < WIDTH; x++) edge([x, CROSS_AISLE], [x + 1, CROSS_AISLE], AISLE_SPEED, true);

// Pick stations: docking spurs into the racks, one low on the west face and one high on the east face of each aisle.
let pickNo = 0;
for (const x of AISLES) {
  for (const [dx, y] of [
    [-1, 5],
    [1, 15],
  ] as const) {
    const id = `PICK-${String(++pickNo).padStart(2, '0')}`;
    const dock = node(x + dx, y, { kind: 'station', stationId: id, theta: dx < 0 ? Math.PI : 0 });
    edge([x, y], [x + dx, y], DOCK_SPEED, true);
    stations.push({ id, node: dock, kind: 'pick' });
  }
}

// Outbound drop stations and chargers below the bottom road.
const DROPS = [1, 4, 7, 10, 13, 16, 19, 22];
DROPS.forEach((x, i) => {
  const id = `DROP-${String(i + 1).padStart(2, '0')}`;
  const dock = node(x, 0, { kind: 'station', stationId: id, theta: -HALF_PI });
  edge([x, BOTTOM_ROAD], [x, 0], DOCK_SPEED, true);
  stations.push({ id, node: dock, kind: 'drop' });
});
for (let x = 23; x <= WIDTH; x++) {
  const id = `CHG-${String(x - 22).padStart(2, '0')}`;
  const dock = node(x, 0, { kind: 'charger', chargerId: id, theta: -HALF_PI });
  edge([x, BOTTOM_ROAD], [x, 0], DOCK_SPEED, true);
  chargers.push({ id, node: dock });
}

// Parking above the top road.
for (let x = 1; x <= WIDTH; x++) {
  const id = `PARK-${String(x).padStart(2, '0')}`;
  const spot = node(x, HEIGHT, { kind: 'parking', theta: HALF_PI });
  edge([x, TOP_ROAD], [x, HEIGHT], DOCK_SPEED, true);
  parking.push({ id, node: spot });
}

const site: SiteMap = loadSiteMap({
  id: 'demo-warehouse',
  name: 'Demo warehouse (30 m × 20 m, 9 one-way aisles)',
  nodes: [...nodes.values()].map((n) => ({ ...n, ...(n.theta !== undefined ? { theta: Number(n.theta.toFixed(4)) } : {}) })),
  edges,
  stations,
  chargers,
  parking,
});

const out = fileURLToPath(new URL('../maps/demo-warehouse.json', import.meta.url));
// One record per line: small diffs when the layout changes, still easy to read.
const list = (items: unknown[]) => `[\n    ${items.map((i) => JSON.stringify(i)).join(',\n    ')}\n  ]`;
writeFileSync(
  out,
  `{\n  "id": ${JSON.stringify(site.id)},\n  "name": ${JSON.stringify(site.name)},\n` +
    (['nodes', 'edges', 'stations', 'chargers', 'parking'] as const).map((k) => `  "${k}": ${list(site[k])}`).join(',\n') +
    '\n}\n',
);
console.log(
  JSON.stringify({ written: out, nodes: site.nodes.length, edges: site.edges.length, stations: site.stations.length, chargers: site.chargers.length, parking: site.parking.length }),
);
