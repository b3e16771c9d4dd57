// The lattice warehouse layouts the demo maps are generated from (scripts/generate-demo-*.ts): a builder for nodes
// on a square lattice with a given spacing, the ring-road-with-aisles pattern of maps/demo-warehouse.json (which the
// demo site repeats on each floor at twice the spacing), and the writer of a site file.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSiteMap } from '../../src/rcs/site/validate.ts';
import type { Charger, ParkingSpot, SiteEdge, SiteMap, SiteNode, Station } from '../../src/rcs/site/types.ts';

export const ROAD_SPEED = 2.0;
export const AISLE_SPEED = 1.2;
export const DOCK_SPEED = 0.5;
export const HALF_PI = Math.PI / 2;

export interface LatticeOptions {
  /** Metres between lattice neighbours (default 1). */
  spacingM?: number;
  /** Prefix of node ids: `F1.` gives `F1.n3_1`. */
  nodePrefix?: string;
  /** Prefix of station, charger and parking ids: `F1-` gives `F1-PICK-01`. */
  placePrefix?: string;
}

type LatticeNode = Omit<SiteNode, 'map'>;

/** Nodes on a square lattice (ids n{x}_{y} in lattice units), edges between them, and the site's stations, chargers and parking. */
export function latticeBuilder(options: LatticeOptions = {}) {
  const spacing = options.spacingM ?? 1;
  const nodePrefix = options.nodePrefix ?? '';
  const placePrefix = options.placePrefix ?? '';
  const nodes = new Map<string, LatticeNode>();
  const edges: SiteEdge[] = [];
  const stations: Station[] = [];
  const chargers: Charger[] = [];
  const parking: ParkingSpot[] = [];
  function node(x: number, y: number, extra: Partial<LatticeNode> = {}): string {
    const nid = `${nodePrefix}n${x}_${y}`;
    if (!nodes.has(nid)) nodes.set(nid, { id: nid, x: x * spacing, y: y * spacing, kind: 'waypoint', ...extra });
    else Object.assign(nodes.get(nid)!, extra);
    return nid;
  }
  function edge(a: [number, number], b: [number, number], maxSpeed: number, bidirectional: boolean): void {
    const from = node(...a);
    const to = node(...b);
    edges.push({ id: `e_${from}_${to}`, from, to, length: Math.hypot(a[0] - b[0], a[1] - b[1]) * spacing, maxSpeed, bidirectional });
  }
  /** One-way lane through the given lattice points, in order. */
  function lane(points: [number, number][], maxSpeed: number): void {
    for (let i = 0; i + 1 < points.length; i++) edge(points[i]!, points[i + 1]!, maxSpeed, false);
  }
  /** A station, charger or parking id with this floor's prefix. */
  const place = (id: string) => `${placePrefix}${id}`;
  /** The nodes on map `map`, headings rounded as a site file lists them. */
  function nodeList(map: string): SiteNode[] {
    return [...nodes.values()].map((n) => ({ ...n, map, ...(n.theta !== undefined ? { theta: Number(n.theta.toFixed(4)) } : {}) }));
  }
  /** This lattice as a single-map site. */
  function finish(id: string, name: string): SiteMap {
    return loadSiteMap({ id, name, nodes: nodeList(id), edges, stations, chargers, parking });
  }
  return { node, edge, lane, place, stations, chargers, parking, edges, nodeList, finish };
}

export type LatticeBuilder = ReturnType<typeof latticeBuilder>;

/**
 * The warehouse pattern of maps/demo-warehouse.json, WIDTH × HEIGHT lattice units, into the builder `b`:
 *
 *   y=H    P P P P … P           parking spurs above the top road
 *   y=H-1  ← ← ← ← ← ← ← ←       top road, one-way westbound
 *          ↓ aisles every 3 units, one-way, alternating north/south, racks between them;
 *          pick stations are docking spurs into the racks; two-way cross aisles every ~15 units
 *   y=1    → → → → → → → →       bottom road, one-way eastbound
 *   y=0    D D … D C C … C       drop-station spurs and charger spurs below it
 *
 * The left edge (x=0) runs south and the right edge (x=W) north, closing a counter-clockwise ring.
 */
export function warehouseFloor(b: LatticeBuilder, WIDTH: number, HEIGHT: number): void {
  const BOTTOM_ROAD = 1;
  const TOP_ROAD = HEIGHT - 1;
  // One cross aisle per ~15 m of hall depth, evenly spaced.
  const crossCount = Math.max(1, Math.floor(HEIGHT / 15));
  const CROSS_AISLES = Array.from({ length: crossCount }, (_, k) => Math.round((HEIGHT * (k + 1)) / (crossCount + 1)));
  const AISLES: number[] = [];
  for (let x = 3; x < WIDTH; x += 3) AISLES.push(x);

  const { node, edge, place, stations, chargers, parking } = b;

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
      const sid = place(`PICK-${String(++pickNo).padStart(2, '0')}`);
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
    const sid = place(`DROP-${String(++dropNo).padStart(2, '0')}`);
    const dock = node(x, 0, { kind: 'station', stationId: sid, theta: -HALF_PI });
    edge([x, BOTTOM_ROAD], [x, 0], DOCK_SPEED, true);
    stations.push({ id: sid, node: dock, kind: 'drop' });
  }
  for (let x = firstCharger; x <= WIDTH; x++) {
    const cid = place(`CHG-${String(x - firstCharger + 1).padStart(2, '0')}`);
    const dock = node(x, 0, { kind: 'charger', chargerId: cid, theta: -HALF_PI });
    edge([x, BOTTOM_ROAD], [x, 0], DOCK_SPEED, true);
    chargers.push({ id: cid, node: dock });
  }

  // Parking above the top road.
  for (let x = 1; x <= WIDTH; x++) {
    const pid = place(`PARK-${String(x).padStart(2, '0')}`);
    const spot = node(x, HEIGHT, { kind: 'parking', theta: HALF_PI });
    edge([x, TOP_ROAD], [x, HEIGHT], DOCK_SPEED, true);
    parking.push({ id: pid, node: spot });
  }
}


// One record per line: small diffs when the layout changes, still easy to read.
const list = (items: unknown[]) => `[\n    ${items.map((i) => JSON.stringify(i)).join(',\n    ')}\n  ]`;

/**
 * Writes a site to maps/<file> as its file form: one record per line. A single-map site is written as the format's
 * first form (no maps, nodes without their map), so its file does not change with the format's later fields.
 */
export function writeSiteFile(file: string, site: SiteMap): void {
  const out = fileURLToPath(new URL(`../../maps/${file}`, import.meta.url));
  const single = site.maps.length === 1 && site.maps[0]!.id === site.id;
  const fields: [string, unknown[]][] = [
    ...(single ? [] : ([['maps', site.maps]] as [string, unknown[]][])),
    ['nodes', single ? site.nodes.map(({ map: _map, ...n }) => n) : site.nodes],
    // Lift rides follow from the lifts: the file leaves them out.
    ['edges', site.edges.filter((e) => e.kind !== 'lift')],
    ['stations', site.stations],
    ['chargers', site.chargers],
    ['parking', site.parking],
    ...(single ? [] : ([['lifts', site.lifts], ['doors', site.doors], ['navigationAreas', site.navigationAreas]] as [string, unknown[]][])),
  ];
  writeFileSync(out, `{\n  "id": ${JSON.stringify(site.id)},\n  "name": ${JSON.stringify(site.name)},\n` + fields.map(([k, v]) => `  "${k}": ${list(v)}`).join(',\n') + '\n}\n');
  console.log(
    JSON.stringify({ written: out, maps: site.maps.length, nodes: site.nodes.length, edges: site.edges.length, stations: site.stations.length, chargers: site.chargers.length, parking: site.parking.length, lifts: site.lifts.length }),
  );
}
