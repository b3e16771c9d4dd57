// Generates maps/demo-warehouse.json (30 m × 20 m, for 20–60 AGVs) and maps/demo-warehouse-large.json
// (60 m × 40 m, for up to ~200 AGVs), warehouses on a 1 m lattice. The small one:
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

const ROAD_SPEED = 2.0;
const AISLE_SPEED = 1.2;
const DOCK_SPEED = 0.5;
const HALF_PI = Math.PI / 2;

/** Builds a warehouse of the pattern above, width × height metres (both multiples of the 1 m lattice). */
function warehouse(id: string, name: string, WIDTH: number, HEIGHT: number): SiteMap {
  const BOTTOM_ROAD = 1;
  const TOP_ROAD = HEIGHT - 1;
  // One cross aisle per ~15 m of hall depth, evenly spaced.
  const crossCount = Math.max(1, Math.floor(HEIGHT / 15));
  const CROSS_AISLES = Array.from({ length: crossCount }, (_, k) => Math.round((HEIGHT * (k + 1)) / (crossCount + 1)));
  const AISLES: number[] = [];
  for (let x = 3; x < WIDTH; x += 3) AISLES.push(x);

  const nodes = new Map<string, SiteNode>();
  const edges: SiteEdge[] = [];
  const stations: Station[] = [];
  const chargers: Charger[] = [];
  const parking: ParkingSpot[] = [];

  const nodeId = (x: number, y: number) => `n${x}_${y}`;

  function node(x: number, y: number, extra: Partial<SiteNode> = {}): string {
    const nid = nodeId(x, y);
    if (!nodes.has(nid)) nodes.set(nid, { id: nid, x, y, kind: 'waypoint', ...extra });
    else Object.assign(nodes.get(nid)!, extra);
    return nid;
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

  // Two-way cross aisles through the racks: shortcuts between aisles of opposite direction.
  for (const y of CROSS_AISLES) for (let x = 0; x < WIDTH; x++) edge([x, y], [x + 1, y], AISLE_SPEED, true);

  // Pick stations: docking spurs into the racks, on the west face at y ≡ 5 and the east face at y ≡ 15 (mod 20).
  let pickNo = 0;
  for (const x of AISLES) {
    const faces: [number, number][] = [];
    for (let y = 5; y < TOP_ROAD; y += 20) faces.push([-1, y]);
    for (let y = 15; y < TOP_ROAD; y += 20) faces.push([1, y]);
    for (const [dx, y] of faces) {
      const sid = `PICK-${String(++pickNo).padStart(2, '0')}`;
      const dock = node(x + dx, y, { kind: 'station', stationId: sid, theta: dx < 0 ? Math.PI : 0 });
      edge([x, y], [x + dx, y], DOCK_SPEED, true);
      stations.push({ id: sid, node: dock, kind: 'pick' });
    }
  }

  // Outbound drop stations and chargers (8 per 30 m of width, at the east end) below the bottom road.
  const chargerCount = Math.ceil((WIDTH / 30) * 8);
  const firstCharger = WIDTH - chargerCount + 1;
  let dropNo = 0;
  for (let x = 1; x < firstCharger; x += 3) {
    const sid = `DROP-${String(++dropNo).padStart(2, '0')}`;
    const dock = node(x, 0, { kind: 'station', stationId: sid, theta: -HALF_PI });
    edge([x, BOTTOM_ROAD], [x, 0], DOCK_SPEED, true);
    stations.push({ id: sid, node: dock, kind: 'drop' });
  }
  for (let x = firstCharger; x <= WIDTH; x++) {
    const cid = `CHG-${String(x - firstCharger + 1).padStart(2, '0')}`;
    const dock = node(x, 0, { kind: 'charger', chargerId: cid, theta: -HALF_PI });
    edge([x, BOTTOM_ROAD], [x, 0], DOCK_SPEED, true);
    chargers.push({ id: cid, node: dock });
  }

  // Parking above the top road.
  for (let x = 1; x <= WIDTH; x++) {
    const pid = `PARK-${String(x).padStart(2, '0')}`;
    const spot = node(x, HEIGHT, { kind: 'parking', theta: HALF_PI });
    edge([x, TOP_ROAD], [x, HEIGHT], DOCK_SPEED, true);
    parking.push({ id: pid, node: spot });
  }

  return loadSiteMap({
    id,
    name,
    nodes: [...nodes.values()].map((n) => ({ ...n, ...(n.theta !== undefined ? { theta: Number(n.theta.toFixed(4)) } : {}) })),
    edges,
    stations,
    chargers,
    parking,
  });
}

// One record per line: small diffs when the layout changes, still easy to read.
const list = (items: unknown[]) => `[\n    ${items.map((i) => JSON.stringify(i)).join(',\n    ')}\n  ]`;

function write(file: string, site: SiteMap): void {
  const out = fileURLToPath(new URL(`../maps/${file}`, import.meta.url));
  writeFileSync(
    out,
    `{\n  "id": ${JSON.stringify(site.id)},\n  "name": ${JSON.stringify(site.name)},\n` +
      (['nodes', 'edges', 'stations', 'chargers', 'parking'] as const).map((k) => `  "${k}": ${list(site[k])}`).join(',\n') +
      '\n}\n',
  );
  console.log(
    JSON.stringify({ written: out, nodes: site.nodes.length, edges: site.edges.length, stations: site.stations.length, chargers: site.chargers.length, parking: site.parking.length }),
  );
}

write('demo-warehouse.json', warehouse('demo-warehouse', 'Demo warehouse (30 m × 20 m, 9 one-way aisles)', 30, 20));
write('demo-warehouse-large.json', warehouse('demo-warehouse-large', 'Large demo warehouse (60 m × 40 m, 19 one-way aisles)', 60, 40));
