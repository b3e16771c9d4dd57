// Generates maps/demo-site.json, the default site of `npm start`: a two-floor warehouse (building A, ground and first
// floor) joined by two lifts, laid out for the demo's three-vendor fleet, whose largest body is a 1.8 m forklift.
//
// Each floor is the demo warehouse pattern (scripts/lib/warehouse-layout.ts: a one-way ring road, 9 one-way aisles,
// pick spurs into the racks, drop and charger spurs below the bottom road, parking above the top road) on a 2 m
// lattice, 60 m × 40 m. At 2 m between neighbouring nodes even two 1.8 m bodies on adjacent nodes do not overlap, so
// a docked forklift never covers the aisle and AGVs of every size queue nose to tail on the lanes.
//
//   lift W: cabin 2 m west of the west road at y = 26 m, on both floors
//   lift E: cabin 2 m east of the east road at y = 14 m, on both floors
//   QR-code area: the pick docks of the three west aisles on the ground floor (small-load shelving with floor codes)
//   SLAM-only area: the pick docks of the three east aisles on the first floor (pallet racks, no floor codes)
//   doors: a roller door on the ground floor's bottom road (dock hall), a fire door on the first floor's cross aisle
//
// Run: npx tsx scripts/generate-demo-site.ts

import { loadSiteMap } from '../src/rcs/site/validate.ts';
import type { SiteMap } from '../src/rcs/site/types.ts';
import { DOCK_SPEED, latticeBuilder, warehouseFloor, writeSiteFile, type LatticeBuilder } from './lib/warehouse-layout.ts';

const SPACING_M = 2;
const WIDTH = 30;
const HEIGHT = 20;
const LIFT_WEST_Y = 13;
const LIFT_EAST_Y = 7;

interface Floor {
  map: { id: string; name: string; building: string; floor: number };
  b: LatticeBuilder;
  liftWest: string;
  liftEast: string;
}

function floor(id: string, name: string, level: number): Floor {
  const b = latticeBuilder({ spacingM: SPACING_M, nodePrefix: `${id}.`, placePrefix: `${id}-` });
  warehouseFloor(b, WIDTH, HEIGHT);
  // Cabin nodes one lattice step outside the ring, reached by a two-way spur (the AGV drives in and backs out).
  const liftWest = b.node(-1, LIFT_WEST_Y, { theta: Math.PI });
  b.edge([0, LIFT_WEST_Y], [-1, LIFT_WEST_Y], DOCK_SPEED, true);
  const liftEast = b.node(WIDTH + 1, LIFT_EAST_Y, { theta: 0 });
  b.edge([WIDTH, LIFT_EAST_Y], [WIDTH + 1, LIFT_EAST_Y], DOCK_SPEED, true);
  return { map: { id, name, building: 'A', floor: level }, b, liftWest, liftEast };
}

function demoSite(): SiteMap {
  const ground = floor('F1', 'Ground floor', 0);
  const first = floor('F2', 'First floor', 1);
  const floors = [ground, first];
  const lift = (id: string, name: string, node: (f: Floor) => string) => ({
    id,
    name,
    stops: floors.map((f) => ({ map: f.map.id, node: node(f) })),
    cabin: { lengthM: 2.6, widthM: 2.0 },
    // Two compact AGVs (up to 1.1 m) side by side, or one forklift.
    capacity: [
      { maxBodyM: 1.1, count: 2 },
      { maxBodyM: 2.0, count: 1 },
    ],
    doorOpenS: 4,
    doorCloseS: 4,
    travelSPerFloor: 10,
  });
  // Picks are numbered two per aisle, west to east: PICK-01..06 are the docks of the three west aisles.
  const picks = (f: Floor, from: number, to: number) =>
    f.b.stations.filter((s) => s.kind === 'pick' && Number(s.id.slice(-2)) >= from && Number(s.id.slice(-2)) <= to).map((s) => s.node);
  return loadSiteMap({
    id: 'demo-site',
    name: 'Demo site: two-floor warehouse, two lifts (2 × 60 m × 40 m)',
    maps: floors.map((f) => f.map),
    nodes: floors.flatMap((f) => f.b.nodeList(f.map.id)),
    edges: floors.flatMap((f) => f.b.edges),
    stations: floors.flatMap((f) => f.b.stations),
    chargers: floors.flatMap((f) => f.b.chargers),
    parking: floors.flatMap((f) => f.b.parking),
    lifts: [lift('LIFT-W', 'West lift', (f) => f.liftWest), lift('LIFT-E', 'East lift', (f) => f.liftEast)],
    doors: [
      { id: 'F1-ROLLER-1', edge: 'e_F1.n15_1_F1.n16_1', kind: 'roller', openS: 8, widthM: 3 },
      { id: 'F2-FIRE-1', edge: 'e_F2.n15_10_F2.n16_10', kind: 'fire', openS: 5, widthM: 2.4 },
    ],
    navigationAreas: [
      { id: 'F1-QR-SHELVING', modes: ['qrCode'], nodes: picks(ground, 1, 6) },
      { id: 'F2-SLAM-PALLETS', modes: ['laserSlam'], nodes: picks(first, 13, 18) },
    ],
  });
}

writeSiteFile('demo-site.json', demoSite());
