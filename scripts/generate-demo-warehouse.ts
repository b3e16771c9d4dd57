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

import type { SiteMap } from '../src/rcs/site/types.ts';
import { AISLE_SPEED, DOCK_SPEED, HALF_PI, latticeBuilder, ROAD_SPEED, warehouseFloor, writeSiteFile } from './lib/warehouse-layout.ts';

/** The small demo warehouse: the warehouse pattern on a 1 m lattice. */
function warehouse(id: string, name: string, width: number, height: number): SiteMap {
  const b = latticeBuilder();
  warehouseFloor(b, width, height);
  return b.finish(id, name);
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

writeSiteFile('demo-warehouse.json', warehouse('demo-warehouse', 'Demo warehouse (30 m × 20 m, 9 one-way aisles)', 30, 20));
writeSiteFile('demo-warehouse-large.json', mixedFleetWarehouse('demo-warehouse-large', 'Large demo warehouse for mixed fleets (80 m × 52 m, 19 one-way aisles, drive-through bays)', 80, 52));
