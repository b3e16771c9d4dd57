// Generates maps/demo-warehouse.json (30 m × 20 m, for 20–60 AGVs of compact size) and
// maps/demo-warehouse-large.json (60 m × 42 m, for ~200 AGVs of mixed sizes up to 1.8 m), warehouses on a 1 m
// lattice. The small one:
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
// The large one is laid out for mixed fleets (bodies up to 1.8 m, so a standing forklift covers lane nodes up to
// 1.35–1.8 m away): see mixedFleetWarehouse below.
// Run: npx tsx scripts/generate-demo-warehouse.ts

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSiteMap } from '../src/rcs/site/validate.ts';
import type { Charger, ParkingSpot, SiteEdge, SiteMap, SiteNode, Station } from '../src/rcs/site/types.ts';

const ROAD_SPEED = 2.0;
const AISLE_SPEED = 1.2;
const DOCK_SPEED = 0.5;
const HALF_PI = Math.PI / 2;

/** Nodes on a 1 m lattice (ids n{x}_{y}), edges between them, and the site's stations, chargers and parking. */
function latticeBuilder() {
  const nodes = new Map<string, SiteNode>();
  const edges: SiteEdge[] = [];
  const stations: Station[] = [];
  const chargers: Charger[] = [];
  const parking: ParkingSpot[] = [];
  function node(x: number, y: number, extra: Partial<SiteNode> = {}): string {
    const nid = `n${x}_${y}`;
    if (!nodes.has(nid)) nodes.set(nid, { id: nid, x, y, kind: 'waypoint', ...extra, map: extra.map ?? '' });
    else Object.assign(nodes.get(nid)!, extra);
    return nid;
  }
  function edge(a: [number, number], b: [number, number], maxSpeed: number, bidirectional: boolean): void {
    const from = node(...a);
    const to = node(...b);
    edges.push({ id: `e_${from}_${to}`, from, to, length: Math.hypot(a[0] - b[0], a[1] - b[1]), maxSpeed, bidirectional });
  }
  /** One-way lane through the given lattice points, in order. */
  function lane(points: [number, number][], maxSpeed: number): void {
    for (let i = 0; i + 1 < points.length; i++) edge(points[i]!, points[i + 1]!, maxSpeed, false);
  }
  function finish(id: string, name: string): SiteMap {
    return loadSiteMap({
      id,
      name,
      nodes: [...nodes.values()].map((n) => ({ ...n, map: id, ...(n.theta !== undefined ? { theta: Number(n.theta.toFixed(4)) } : {}) })),
      edges,
      stations,
      chargers,
      parking,
    });
  }
  return { node, edge, lane, stations, chargers, parking, finish };
}

/** Builds a warehouse of the pattern above, width × height metres (both multiples of the 1 m lattice). */
function warehouse(id: string, name: string, WIDTH: number, HEIGHT: number): SiteMap {
  const BOTTOM_ROAD = 1;
  const TOP_ROAD = HEIGHT - 1;
  // One cross aisle per ~15 m of hall depth, evenly spaced.
  const crossCount = Math.max(1, Math.floor(HEIGHT / 15));
  const CROSS_AISLES = Array.from({ length: crossCount }, (_, k) => Math.round((HEIGHT * (k + 1)) / (crossCount + 1)));
  const AISLES: number[] = [];
  for (let x = 3; x < WIDTH; x += 3) AISLES.push(x);

  const { node, edge, stations, chargers, parking, finish } = latticeBuilder();

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

  return finish(id, name);
}

/**
 * A warehouse for mixed fleets. The rule behind every choice: wherever an AGV may stand still for long (stations,
 * chargers, parking, waiting in a bay), it is at least 2 m from every node of another lane, so even two 1.8 m
 * bodies do not cover each other's way; the only nodes closer than that to a lane are links marked noStop, which
 * traffic control lets an AGV cross but never stop on. And nothing is a dead end where work happens: a pick or
 * drop station sits on a one-way drive-through bay, so the AGV that finishes leaves forward and never meets the
 * next one head-on (a dead-end spur is where a docked AGV and the AGV queueing for it block each other).
 *
 *   y=H     drop service lanes (3 drops each, drive-through, westbound)
 *   y=H-2   ← ← ← ← ← ←          top road, one-way westbound
 *           ↑ ↓ aisles every 4 m, alternating one-way; pick bays 2 m to the side of the aisle (4 per aisle);
 *           one-way cross aisles every 10 m, alternating east/west
 *   y=2     → → → → → →          bottom road, one-way eastbound
 *   y=0     drop service lanes (3 drops each, drive-through, eastbound) | charger spurs every 2 m
 *   parking spurs every 2 m beside the west and east roads (spot 2 m from the road, noStop link between)
 */
function mixedFleetWarehouse(id: string, name: string, WIDTH: number, HEIGHT: number): SiteMap {
  const BOTTOM_ROAD = 2;
  const TOP_ROAD = HEIGHT - 2;
  const BAY_SPEED = 1.0;
  const { node, edge, lane, stations, chargers, parking, finish } = latticeBuilder();
  const range = (from: number, to: number): number[] => {
    const step = to >= from ? 1 : -1;
    return Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => from + i * step);
  };

  // Ring, counter-clockwise.
  lane(range(0, WIDTH).map((x) => [x, BOTTOM_ROAD]), ROAD_SPEED);
  lane(range(BOTTOM_ROAD, TOP_ROAD).map((y) => [WIDTH, y]), ROAD_SPEED);
  lane(range(WIDTH, 0).map((x) => [x, TOP_ROAD]), ROAD_SPEED);
  lane(range(TOP_ROAD, BOTTOM_ROAD).map((y) => [0, y]), ROAD_SPEED);

  const AISLES: number[] = [];
  for (let x = 4; x <= WIDTH - 4; x += 4) AISLES.push(x);
  const aisleNorth = (i: number) => i % 2 === 0;
  AISLES.forEach((x, i) => {
    const ys = range(BOTTOM_ROAD, TOP_ROAD);
    lane((aisleNorth(i) ? ys : ys.reverse()).map((y) => [x, y]), AISLE_SPEED);
  });
  // Cross aisles every 10 m, one-way, alternating, so two AGVs never meet head-on there either.
  const CROSS_AISLES: number[] = [];
  for (let y = BOTTOM_ROAD + 10; y <= TOP_ROAD - 6; y += 10) CROSS_AISLES.push(y);
  CROSS_AISLES.forEach((y, k) => {
    const xs = range(0, WIDTH);
    lane((k % 2 === 0 ? xs : xs.reverse()).map((x) => [x, y]), AISLE_SPEED);
  });

  // Pick bays, one per face and section: halfway between the roads and cross aisles, west faces in the 1st and
  // 3rd section, east faces in the 2nd and 4th, so the bays of neighbouring aisles never share a column stretch.
  const sections = [BOTTOM_ROAD, ...CROSS_AISLES, TOP_ROAD];
  let pickNo = 0;
  AISLES.forEach((x, i) => {
    const dy = aisleNorth(i) ? 1 : -1;
    for (let k = 0; k + 1 < sections.length; k++) {
      const centre = Math.round((sections[k]! + sections[k + 1]!) / 2);
      const side = k % 2 === 0 ? -1 : 1;
      // Entry 2 m upstream of the centre, exit 2 m downstream; the bay lane runs 2 m to the side.
      const up = centre - 2 * dy;
      const down = centre + 2 * dy;
      const bx = x + 2 * side;
      const sid = `PICK-${String(++pickNo).padStart(2, '0')}`;
      node(x + side, up, { noStop: true });
      node(x + side, down, { noStop: true });
      const dock = node(bx, centre, { kind: 'station', stationId: sid, theta: side < 0 ? Math.PI : 0 });
      lane([[x, up], [x + side, up], ...range(up, down).map((y): [number, number] => [bx, y]), [x + side, down], [x, down]], BAY_SPEED);
      stations.push({ id: sid, node: dock, kind: 'pick' });
    }
  });

  // Drop service lanes beside both roads, 3 drops on each 8 m lane, entered and left through noStop links and
  // driven the same way as the road beside them: half the loaded AGVs go to the bottom road, half to the top.
  let dropNo = 0;
  const serviceLane = (x0: number, roadY: number, outward: number, eastbound: boolean) => {
    const laneY = roadY + 2 * outward;
    const xs = eastbound ? range(x0, x0 + 8) : range(x0 + 8, x0);
    node(xs[0]!, roadY + outward, { noStop: true });
    node(xs[xs.length - 1]!, roadY + outward, { noStop: true });
    for (const x of [xs[2]!, xs[4]!, xs[6]!]) {
      const sid = `DROP-${String(++dropNo).padStart(2, '0')}`;
      stations.push({ id: sid, node: node(x, laneY, { kind: 'station', stationId: sid, theta: outward * HALF_PI }), kind: 'drop' });
    }
    const first = xs[0]!;
    const last = xs[xs.length - 1]!;
    lane([[first, roadY], [first, roadY + outward], ...xs.map((x): [number, number] => [x, laneY]), [last, roadY + outward], [last, roadY]], BAY_SPEED);
  };
  const chargerFrom = WIDTH - 2 * Math.ceil((WIDTH / 30) * 4) + 2;
  for (let x0 = 1; x0 + 8 < chargerFrom - 1; x0 += 10) serviceLane(x0, BOTTOM_ROAD, -1, true);
  for (let x0 = 1; x0 + 8 < WIDTH; x0 += 10) serviceLane(x0, TOP_ROAD, 1, false);
  // Chargers: AGVs stay long, so each has its own spur (2 m deep, noStop link); spurs 2 m apart.
  let chargerNo = 0;
  for (let x = chargerFrom; x < WIDTH; x += 2) {
    const cid = `CHG-${String(++chargerNo).padStart(2, '0')}`;
    node(x, BOTTOM_ROAD - 1, { noStop: true });
    const dock = node(x, BOTTOM_ROAD - 2, { kind: 'charger', chargerId: cid, theta: -HALF_PI });
    edge([x, BOTTOM_ROAD], [x, BOTTOM_ROAD - 1], DOCK_SPEED, true);
    edge([x, BOTTOM_ROAD - 1], [x, BOTTOM_ROAD - 2], DOCK_SPEED, true);
    chargers.push({ id: cid, node: dock });
  }
  // Parking beside the west and east edges of the ring, the same way, clear of the cross-aisle junctions.
  let parkNo = 0;
  for (const [edgeX, outward] of [[0, -1], [WIDTH, 1]] as const) {
    for (let y = BOTTOM_ROAD + 3; y <= TOP_ROAD - 3; y += 2) {
      if (CROSS_AISLES.includes(y)) continue;
      const pid = `PARK-${String(++parkNo).padStart(2, '0')}`;
      node(edgeX + outward, y, { noStop: true });
      const spot = node(edgeX + 2 * outward, y, { kind: 'parking', theta: outward > 0 ? 0 : Math.PI });
      edge([edgeX, y], [edgeX + outward, y], DOCK_SPEED, true);
      edge([edgeX + outward, y], [edgeX + 2 * outward, y], DOCK_SPEED, true);
      parking.push({ id: pid, node: spot });
    }
  }

  return finish(id, name);
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
write('demo-warehouse-large.json', mixedFleetWarehouse('demo-warehouse-large', 'Large demo warehouse for mixed fleets (80 m × 52 m, 19 one-way aisles, drive-through bays)', 80, 52));
