// Validation of what makes a map a site: its maps (floors, buildings), lifts, doors and navigation areas. Called by
// loadSiteMap after nodes and edges are read, with the same Checker, so every problem is reported in one pass.

import type { Checker } from './checker.ts';
import { liftRideSeconds } from './lifts.ts';
import {
  NAVIGATION_MODES,
  type Door,
  type DoorKind,
  type FloorMap,
  type Lift,
  type LiftCapacity,
  type LiftStop,
  type MapFrame,
  type NavigationArea,
  type SiteEdge,
  type SiteNode,
} from './types.ts';

const DOOR_KINDS: readonly DoorKind[] = ['fire', 'roller'];
const IDENTITY_FRAME: MapFrame = { x: 0, y: 0, theta: 0 };

/**
 * The site's maps. A file without `maps` is a single-map site (the format before floors): its one map takes the
 * site's id and name, so its AGVs keep reporting the same map id.
 */
export function readMaps(c: Checker, raw: unknown, siteId: string | undefined, siteName: string | undefined): FloorMap[] {
  if (raw === undefined) return siteId === undefined ? [] : [{ id: siteId, name: siteName ?? siteId, frame: { ...IDENTITY_FRAME } }];
  const maps: FloorMap[] = [];
  const ids = new Map<string, string>();
  const list = c.array(raw, 'maps');
  if (Array.isArray(raw) && list.length === 0) c.add('maps', 'must contain at least one map (or be left out for a single-map site)');
  list.forEach((item, i) => {
    const path = `maps[${i}]`;
    const m = c.object(item, path);
    if (!m) return;
    const id = c.id(m.id, `${path}.id`);
    c.unique(ids, id, `${path}.id`, 'map');
    const name = m.name === undefined ? id : c.text(m.name, `${path}.name`);
    const building = m.building === undefined ? undefined : c.id(m.building, `${path}.building`);
    const floor = c.finite(m.floor, `${path}.floor`, { optional: true, integer: true });
    const frame = readFrame(c, m.frame, `${path}.frame`);
    if (id === undefined || name === undefined || frame === undefined) return;
    const map: FloorMap = { id, name, frame };
    if (building !== undefined) map.building = building;
    if (floor !== undefined) map.floor = floor;
    maps.push(map);
  });
  return maps;
}

function readFrame(c: Checker, raw: unknown, path: string): MapFrame | undefined {
  if (raw === undefined) return { ...IDENTITY_FRAME };
  const f = c.object(raw, path);
  if (!f) return undefined;
  const x = c.finite(f.x ?? 0, `${path}.x`);
  const y = c.finite(f.y ?? 0, `${path}.y`);
  const theta = c.finite(f.theta ?? 0, `${path}.theta`);
  return x === undefined || y === undefined || theta === undefined ? undefined : { x, y, theta };
}

interface LevelContext {
  maps: readonly FloorMap[];
  nodeById: ReadonlyMap<string, SiteNode>;
  /** Nodes that carry a station, charger or parking spot: no cabin stands there. */
  placeNodes: ReadonlySet<string>;
}

export function readLifts(c: Checker, raw: unknown, ctx: LevelContext): Lift[] {
  const lifts: Lift[] = [];
  const ids = new Map<string, string>();
  const cabinNodes = new Map<string, string>();
  const mapById = new Map(ctx.maps.map((m) => [m.id, m]));
  c.array(raw, 'lifts', true).forEach((item, i) => {
    const path = `lifts[${i}]`;
    const l = c.object(item, path);
    if (!l) return;
    const id = c.id(l.id, `${path}.id`);
    c.unique(ids, id, `${path}.id`, 'lift');
    const name = l.name === undefined ? id : c.text(l.name, `${path}.name`);
    const stops = readStops(c, l.stops, `${path}.stops`, ctx, cabinNodes);
    const cabinJson = c.object(l.cabin, `${path}.cabin`);
    const lengthM = cabinJson && c.finite(cabinJson.lengthM, `${path}.cabin.lengthM`, { positive: true });
    const widthM = cabinJson && c.finite(cabinJson.widthM, `${path}.cabin.widthM`, { positive: true });
    const capacity = readCapacity(c, l.capacity, `${path}.capacity`, Math.max(lengthM ?? Infinity, widthM ?? 0));
    const doorOpenS = c.finite(l.doorOpenS, `${path}.doorOpenS`, { nonNegative: true });
    const doorCloseS = c.finite(l.doorCloseS, `${path}.doorCloseS`, { nonNegative: true });
    const travelSPerFloor = c.finite(l.travelSPerFloor, `${path}.travelSPerFloor`, { positive: true });
    // A lift joins storeys of one building: every map it serves says its floor, and no two stops share one.
    const floors = new Map<number, string>();
    const buildings = new Set<string | undefined>();
    stops?.forEach((stop, k) => {
      const map = mapById.get(stop.map);
      if (!map) return;
      buildings.add(map.building);
      if (map.floor === undefined) {
        c.add(`${path}.stops[${k}].map`, `map '${stop.map}' has no floor: a lift travels between floors`);
        return;
      }
      const other = floors.get(map.floor);
      if (other !== undefined) c.add(`${path}.stops[${k}].map`, `map '${stop.map}' is on floor ${map.floor} like map '${other}'`);
      floors.set(map.floor, stop.map);
    });
    if (buildings.size > 1) c.add(`${path}.stops`, `serves maps of different buildings (${[...buildings].map((b) => b ?? '(none)').join(', ')})`);
    if (
      id === undefined || name === undefined || stops === undefined || lengthM === undefined || widthM === undefined ||
      capacity === undefined || doorOpenS === undefined || doorCloseS === undefined || travelSPerFloor === undefined
    ) return;
    lifts.push({ id, name, stops, cabin: { lengthM, widthM }, capacity, doorOpenS, doorCloseS, travelSPerFloor });
  });
  return lifts;
}

function readStops(c: Checker, raw: unknown, path: string, ctx: LevelContext, cabinNodes: Map<string, string>): LiftStop[] | undefined {
  const list = c.array(raw, path);
  if (Array.isArray(raw) && list.length < 2) c.add(path, 'a lift needs at least two stops');
  const stops: LiftStop[] = [];
  const maps = new Set<string>();
  list.forEach((item, k) => {
    const at = `${path}[${k}]`;
    const s = c.object(item, at);
    if (!s) return;
    const map = c.id(s.map, `${at}.map`);
    const node = c.id(s.node, `${at}.node`);
    if (map !== undefined && !ctx.maps.some((m) => m.id === map)) c.add(`${at}.map`, `unknown map '${map}'`);
    if (map !== undefined && maps.has(map)) c.add(`${at}.map`, `a lift stops once per map; '${map}' is listed twice`);
    if (map !== undefined) maps.add(map);
    if (node === undefined || map === undefined) return;
    const n = ctx.nodeById.get(node);
    if (!n) {
      c.add(`${at}.node`, `unknown node '${node}'`);
      return;
    }
    if (n.map !== map) c.add(`${at}.node`, `node '${node}' is on map '${n.map}', not '${map}'`);
    if (ctx.placeNodes.has(node) || n.kind !== 'waypoint') c.add(`${at}.node`, `node '${node}' is a ${n.kind}: a cabin stands on a waypoint`);
    if (n.noStop === true) c.add(`${at}.node`, `node '${node}' is noStop: AGVs stand in the cabin during the ride`);
    const taken = cabinNodes.get(node);
    if (taken !== undefined) c.add(`${at}.node`, `node '${node}' is already a cabin node of ${taken}`);
    cabinNodes.set(node, at);
    stops.push({ map, node });
  });
  return stops.length === list.length && stops.length >= 2 ? stops : undefined;
}

function readCapacity(c: Checker, raw: unknown, path: string, cabinLongestM: number): LiftCapacity[] | undefined {
  const list = c.array(raw, path);
  if (Array.isArray(raw) && list.length === 0) c.add(path, 'must say how many AGVs of which size ride at once');
  const out: LiftCapacity[] = [];
  list.forEach((item, k) => {
    const at = `${path}[${k}]`;
    const o = c.object(item, at);
    if (!o) return;
    const maxBodyM = c.finite(o.maxBodyM, `${at}.maxBodyM`, { positive: true });
    const count = c.finite(o.count, `${at}.count`, { positive: true, integer: true });
    if (maxBodyM !== undefined && maxBodyM > cabinLongestM) c.add(`${at}.maxBodyM`, `${maxBodyM} m does not fit a cabin whose longest side is ${cabinLongestM} m`);
    if (maxBodyM !== undefined && count !== undefined) out.push({ maxBodyM, count });
  });
  if (out.length !== list.length || out.length === 0) return undefined;
  out.sort((a, b) => a.maxBodyM - b.maxBodyM);
  for (let k = 1; k < out.length; k++) {
    if (out[k]!.maxBodyM === out[k - 1]!.maxBodyM) c.add(path, `two entries for bodies up to ${out[k]!.maxBodyM} m`);
    else if (out[k]!.count > out[k - 1]!.count) c.add(path, `more AGVs up to ${out[k]!.maxBodyM} m fit than up to ${out[k - 1]!.maxBodyM} m`);
  }
  return out;
}

/** One edge per pair of a lift's stops, both ways: the ride is part of the one site graph. */
export function liftEdges(lifts: readonly Lift[], maps: readonly FloorMap[]): SiteEdge[] {
  const floorOf = new Map(maps.map((m) => [m.id, m.floor ?? 0]));
  const edges: SiteEdge[] = [];
  for (const lift of lifts) {
    for (let a = 0; a < lift.stops.length; a++) {
      for (let b = a + 1; b < lift.stops.length; b++) {
        const from = lift.stops[a]!;
        const to = lift.stops[b]!;
        const storeys = Math.abs(floorOf.get(from.map)! - floorOf.get(to.map)!);
        // At 1 m/s the edge's length is its nominal time: planners that cost edges by time see the ride's.
        const seconds = liftRideSeconds(lift, storeys);
        edges.push({ id: `lift:${lift.id}:${from.map}:${to.map}`, from: from.node, to: to.node, length: seconds, maxSpeed: 1, bidirectional: true, kind: 'lift', lift: lift.id });
      }
    }
  }
  return edges;
}

export function readDoors(c: Checker, raw: unknown, edges: readonly SiteEdge[]): Door[] {
  const doors: Door[] = [];
  const ids = new Map<string, string>();
  const byEdge = new Map<string, string>();
  const edgeById = new Map(edges.map((e) => [e.id, e]));
  c.array(raw, 'doors', true).forEach((item, i) => {
    const path = `doors[${i}]`;
    const d = c.object(item, path);
    if (!d) return;
    const id = c.id(d.id, `${path}.id`);
    c.unique(ids, id, `${path}.id`, 'door');
    const edge = c.id(d.edge, `${path}.edge`);
    if (edge !== undefined) {
      if (!edgeById.has(edge)) c.add(`${path}.edge`, `unknown edge '${edge}'`);
      const other = byEdge.get(edge);
      if (other !== undefined) c.add(`${path}.edge`, `edge '${edge}' already has door ${other}`);
      byEdge.set(edge, path);
    }
    const kind = c.oneOf(d.kind, DOOR_KINDS, `${path}.kind`);
    const openS = c.finite(d.openS, `${path}.openS`, { nonNegative: true });
    const widthM = c.finite(d.widthM, `${path}.widthM`, { optional: true, positive: true });
    if (id === undefined || edge === undefined || kind === undefined || openS === undefined) return;
    const door: Door = { id, edge, kind, openS };
    if (widthM !== undefined) door.widthM = widthM;
    doors.push(door);
  });
  return doors;
}

export function readNavigationAreas(c: Checker, raw: unknown, nodeById: ReadonlyMap<string, SiteNode>): NavigationArea[] {
  const areas: NavigationArea[] = [];
  const ids = new Map<string, string>();
  const areaOfNode = new Map<string, string>();
  c.array(raw, 'navigationAreas', true).forEach((item, i) => {
    const path = `navigationAreas[${i}]`;
    const a = c.object(item, path);
    if (!a) return;
    const id = c.id(a.id, `${path}.id`);
    c.unique(ids, id, `${path}.id`, 'navigation area');
    const modes = [...new Set(c.array(a.modes, `${path}.modes`).map((m, k) => c.oneOf(m, NAVIGATION_MODES, `${path}.modes[${k}]`)))];
    if (Array.isArray(a.modes) && a.modes.length === 0) c.add(`${path}.modes`, 'must name at least one navigation mode');
    const nodes: string[] = [];
    const list = c.array(a.nodes, `${path}.nodes`);
    if (Array.isArray(a.nodes) && list.length === 0) c.add(`${path}.nodes`, 'must contain at least one node');
    list.forEach((n, k) => {
      const node = c.id(n, `${path}.nodes[${k}]`);
      if (node === undefined) return;
      if (!nodeById.has(node)) return c.add(`${path}.nodes[${k}]`, `unknown node '${node}'`);
      const other = areaOfNode.get(node);
      if (other !== undefined) return c.add(`${path}.nodes[${k}]`, `node '${node}' is already in navigation area ${other}`);
      areaOfNode.set(node, path);
      nodes.push(node);
    });
    if (id === undefined || modes.includes(undefined) || modes.length === 0) return;
    areas.push({ id, modes: modes as NavigationArea['modes'], nodes });
  });
  return areas;
}
