// Structural and referential validation of a site map. Collects every issue so a map author fixes them in one go.

import { Checker, type Json } from './checker.ts';
import { SiteMapError } from './errors.ts';
import type { Charger, NodeKind, ParkingSpot, SiteEdge, SiteMap, SiteNode, Station, StationKind } from './types.ts';
import { liftEdges, readDoors, readLifts, readMaps, readNavigationAreas } from './validate-levels.ts';

const NODE_KINDS: readonly NodeKind[] = ['waypoint', 'station', 'charger', 'parking'];
const STATION_KINDS: readonly StationKind[] = ['pick', 'drop', 'both'];

/** Validates untrusted JSON and returns a typed SiteMap, or throws SiteMapError listing every problem. */
export function loadSiteMap(json: unknown): SiteMap {
  const c = new Checker();
  const root = c.object(json, '$');
  if (!root) throw new SiteMapError(c.issues);

  const id = c.id(root.id, 'id');
  const name = c.text(root.name, 'name');
  const maps = readMaps(c, root.maps, id, name);
  const mapIds = new Set(maps.map((m) => m.id));
  // A node names its map; in a site of one map it may leave it out.
  const onlyMap = root.maps === undefined ? id : maps.length === 1 ? maps[0]!.id : undefined;

  const nodes: SiteNode[] = [];
  const nodeIds = new Map<string, string>();
  c.array(root.nodes, 'nodes').forEach((raw, i) => {
    const path = `nodes[${i}]`;
    const n = c.object(raw, path);
    if (!n) return;
    const nid = c.id(n.id, `${path}.id`);
    c.unique(nodeIds, nid, `${path}.id`, 'node');
    const x = c.finite(n.x, `${path}.x`);
    const y = c.finite(n.y, `${path}.y`);
    const theta = c.finite(n.theta, `${path}.theta`, { optional: true });
    const kind = n.kind === undefined ? 'waypoint' : c.oneOf(n.kind, NODE_KINDS, `${path}.kind`);
    const stationId = n.stationId === undefined ? undefined : c.id(n.stationId, `${path}.stationId`);
    const chargerId = n.chargerId === undefined ? undefined : c.id(n.chargerId, `${path}.chargerId`);
    if (n.noStop !== undefined && typeof n.noStop !== 'boolean') c.add(`${path}.noStop`, 'must be a boolean');
    let map: string | undefined;
    if (n.map === undefined) {
      map = onlyMap;
      if (map === undefined && maps.length > 1) c.add(`${path}.map`, `must name its map: the site has ${maps.length} (${[...mapIds].join(', ')})`);
    } else {
      map = c.id(n.map, `${path}.map`);
      if (map !== undefined && !mapIds.has(map)) c.add(`${path}.map`, `unknown map '${map}'`);
    }
    if (nid === undefined || map === undefined || x === undefined || y === undefined || kind === undefined) return;
    const node: SiteNode = { id: nid, map, x, y, kind };
    if (theta !== undefined) node.theta = theta;
    if (stationId !== undefined) node.stationId = stationId;
    if (chargerId !== undefined) node.chargerId = chargerId;
    if (n.noStop === true) {
      if (kind !== 'waypoint') c.add(`${path}.noStop`, `a ${kind} is where AGVs stop: it cannot be noStop`);
      node.noStop = true;
    }
    nodes.push(node);
  });
  if (root.nodes !== undefined && nodes.length === 0 && Array.isArray(root.nodes)) c.add('nodes', 'must contain at least one node');

  const mapOfNode = new Map(nodes.map((n) => [n.id, n.map]));
  const edges: SiteEdge[] = [];
  const edgeIds = new Map<string, string>();
  const arcs = new Map<string, string>();
  // Lift edges are derived from `lifts`; a file may carry them (a site as the API serves it): they are checked
  // against the derived ones once the lifts are read, and replaced by them.
  const writtenLiftEdges: { path: string; from: unknown; to: unknown; lift: unknown }[] = [];
  c.array(root.edges, 'edges').forEach((raw, i) => {
    const path = `edges[${i}]`;
    const e = c.object(raw, path);
    if (!e) return;
    if (e.kind === 'lift') {
      writtenLiftEdges.push({ path, from: e.from, to: e.to, lift: e.lift });
      return;
    }
    if (e.kind !== undefined && e.kind !== 'drive') c.add(`${path}.kind`, "must be 'drive' (lift edges follow from lifts)");
    const eid = c.id(e.id, `${path}.id`);
    c.unique(edgeIds, eid, `${path}.id`, 'edge');
    const from = c.id(e.from, `${path}.from`);
    const to = c.id(e.to, `${path}.to`);
    if (from !== undefined && !nodeIds.has(from)) c.add(`${path}.from`, `unknown node '${from}'`);
    if (to !== undefined && !nodeIds.has(to)) c.add(`${path}.to`, `unknown node '${to}'`);
    if (from !== undefined && from === to) c.add(path, `edge loops on node '${from}'`);
    const fromMap = from === undefined ? undefined : mapOfNode.get(from);
    const toMap = to === undefined ? undefined : mapOfNode.get(to);
    if (fromMap !== undefined && toMap !== undefined && fromMap !== toMap) c.add(path, `joins map '${fromMap}' to map '${toMap}': only lifts join maps`);
    const maxBodyM = c.finite(e.maxBodyM, `${path}.maxBodyM`, { optional: true, positive: true });
    const length = c.finite(e.length, `${path}.length`, { positive: true });
    const maxSpeed = c.finite(e.maxSpeed, `${path}.maxSpeed`, { positive: true });
    let bidirectional: boolean | undefined;
    if (e.bidirectional !== undefined) {
      if (typeof e.bidirectional === 'boolean') bidirectional = e.bidirectional;
      else c.add(`${path}.bidirectional`, 'must be a boolean');
    }
    if (eid === undefined || from === undefined || to === undefined || length === undefined || maxSpeed === undefined) return;
    for (const arc of bidirectional ? [`${from}>${to}`, `${to}>${from}`] : [`${from}>${to}`]) {
      const other = arcs.get(arc);
      if (other !== undefined) c.add(path, `duplicates the direction ${arc.replace('>', ' → ')} of ${other}`);
      else arcs.set(arc, path);
    }
    const edge: SiteEdge = { id: eid, from, to, length, maxSpeed };
    if (bidirectional !== undefined) edge.bidirectional = bidirectional;
    if (maxBodyM !== undefined) edge.maxBodyM = maxBodyM;
    edges.push(edge);
  });

  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  // Where each accepted list item came from, so later checks name the right index even when earlier items were bad.
  const sourcePath = new Map<object, string>();
  const placed = <T extends { id: string; node: string }>(
    list: string,
    what: string,
    build: (o: Json, path: string, id: string, node: string) => T | undefined,
  ): T[] => {
    const out: T[] = [];
    const ids = new Map<string, string>();
    c.array(root[list], list, list === 'parking').forEach((raw, i) => {
      const path = `${list}[${i}]`;
      const o = c.object(raw, path);
      if (!o) return;
      const oid = c.id(o.id, `${path}.id`);
      c.unique(ids, oid, `${path}.id`, what);
      if (o.node === undefined) {
        c.add(`${path}.node`, `${what} has no node`);
        return;
      }
      const node = c.id(o.node, `${path}.node`);
      if (node !== undefined && !nodeIds.has(node)) c.add(`${path}.node`, `unknown node '${node}'`);
      if (oid === undefined || node === undefined) return;
      const item = build(o, path, oid, node);
      if (item) {
        sourcePath.set(item, path);
        out.push(item);
      }
    });
    return out;
  };

  const stations = placed<Station>('stations', 'station', (o, path, sid, node) => {
    const kind = c.oneOf(o.kind ?? 'both', STATION_KINDS, `${path}.kind`);
    return kind === undefined ? undefined : { id: sid, node, kind };
  });
  const chargers = placed<Charger>('chargers', 'charger', (_o, _p, cid, node) => ({ id: cid, node }));
  const parking = placed<ParkingSpot>('parking', 'parking spot', (_o, _p, pid, node) => ({ id: pid, node }));

  // A node's declared role and back-references must agree with the lists, so both views of the map stay consistent.
  const checkRole = (items: { id: string; node: string }[], kind: NodeKind, ref?: 'stationId' | 'chargerId') => {
    const byNode = new Map<string, string>();
    for (const item of items) {
      const path = sourcePath.get(item)!;
      const node = nodeById.get(item.node);
      if (!node) continue;
      const taken = byNode.get(item.node);
      if (taken !== undefined) c.add(`${path}.node`, `node '${item.node}' already used by ${taken}`);
      byNode.set(item.node, path);
      if (node.kind !== kind) c.add(`${path}.node`, `node '${item.node}' has kind '${node.kind}', expected '${kind}'`);
      if (ref && node[ref] !== undefined && node[ref] !== item.id) {
        c.add(`${path}.node`, `node '${item.node}' says ${ref} '${node[ref]}', not '${item.id}'`);
      }
    }
  };
  checkRole(stations, 'station', 'stationId');
  checkRole(chargers, 'charger', 'chargerId');
  checkRole(parking, 'parking');

  const stationIds = new Set(stations.map((s) => s.id));
  const chargerIds = new Set(chargers.map((ch) => ch.id));
  nodes.forEach((n, i) => {
    if (n.stationId !== undefined && !stationIds.has(n.stationId)) c.add(`nodes[${i}].stationId`, `unknown station '${n.stationId}'`);
    if (n.chargerId !== undefined && !chargerIds.has(n.chargerId)) c.add(`nodes[${i}].chargerId`, `unknown charger '${n.chargerId}'`);
  });

  const placeNodes = new Set([...stations, ...chargers, ...parking].map((p) => p.node));
  const lifts = readLifts(c, root.lifts, { maps, nodeById, placeNodes });
  const rides = liftEdges(lifts, maps);
  for (const written of writtenLiftEdges) {
    const same = rides.some((r) => r.lift === written.lift && ((r.from === written.from && r.to === written.to) || (r.from === written.to && r.to === written.from)));
    if (!same) c.add(written.path, 'a lift edge must join two stops of the lift it names (lift edges follow from lifts; leave them out)');
  }
  for (const ride of rides) {
    if (edgeIds.has(ride.id)) c.add(edgeIds.get(ride.id)!, `edge id '${ride.id}' is taken by a ride of lift ${ride.lift}`);
  }
  const doors = readDoors(c, root.doors, edges);
  const navigationAreas = readNavigationAreas(c, root.navigationAreas, nodeById);

  if (c.issues.length > 0 || id === undefined || name === undefined) throw new SiteMapError(c.issues);
  return { id, name, maps, nodes, edges: [...edges, ...rides], stations, chargers, parking, lifts, doors, navigationAreas };
}
