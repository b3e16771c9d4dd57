// Structural and referential validation of a site map. Collects every issue so a map author fixes them in one go.

import { SiteMapError, type SiteMapIssue } from './errors.ts';
import type { Charger, NodeKind, ParkingSpot, SiteEdge, SiteMap, SiteNode, Station, StationKind } from './types.ts';

const NODE_KINDS: readonly NodeKind[] = ['waypoint', 'station', 'charger', 'parking'];
const STATION_KINDS: readonly StationKind[] = ['pick', 'drop', 'both'];
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

type Json = Record<string, unknown>;

class Checker {
  readonly issues: SiteMapIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  object(value: unknown, path: string): Json | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    this.add(path, 'must be an object');
    return undefined;
  }

  array(value: unknown, path: string, optional = false): unknown[] {
    if (value === undefined && optional) return [];
    if (Array.isArray(value)) return value;
    this.add(path, 'must be an array');
    return [];
  }

  id(value: unknown, path: string): string | undefined {
    if (typeof value === 'string' && ID_PATTERN.test(value)) return value;
    this.add(path, 'must be an id: 1–64 characters of letters, digits, _ . : -');
    return undefined;
  }

  text(value: unknown, path: string): string | undefined {
    if (typeof value === 'string' && value.length > 0 && value.length <= 200) return value;
    this.add(path, 'must be a non-empty string of at most 200 characters');
    return undefined;
  }

  finite(value: unknown, path: string, opts: { optional?: boolean; positive?: boolean } = {}): number | undefined {
    if (value === undefined && opts.optional) return undefined;
    if (typeof value === 'number' && Number.isFinite(value) && (!opts.positive || value > 0)) return value;
    this.add(path, opts.positive ? 'must be a positive finite number' : 'must be a finite number');
    return undefined;
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.add(path, `must be one of ${allowed.join(', ')}`);
    return undefined;
  }

  unique(ids: Map<string, string>, id: string | undefined, path: string, what: string): void {
    if (id === undefined) return;
    const first = ids.get(id);
    if (first !== undefined) this.add(path, `duplicate ${what} id '${id}' (first at ${first})`);
    else ids.set(id, path);
  }
}

/** Validates untrusted JSON and returns a typed SiteMap, or throws SiteMapError listing every problem. */
export function loadSiteMap(json: unknown): SiteMap {
  const c = new Checker();
  const root = c.object(json, '$');
  if (!root) throw new SiteMapError(c.issues);

  const id = c.id(root.id, 'id');
  const name = c.text(root.name, 'name');

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
    if (nid === undefined || x === undefined || y === undefined || kind === undefined) return;
    const node: SiteNode = { id: nid, x, y, kind };
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

  const edges: SiteEdge[] = [];
  const edgeIds = new Map<string, string>();
  const arcs = new Map<string, string>();
  c.array(root.edges, 'edges').forEach((raw, i) => {
    const path = `edges[${i}]`;
    const e = c.object(raw, path);
    if (!e) return;
    const eid = c.id(e.id, `${path}.id`);
    c.unique(edgeIds, eid, `${path}.id`, 'edge');
    const from = c.id(e.from, `${path}.from`);
    const to = c.id(e.to, `${path}.to`);
    if (from !== undefined && !nodeIds.has(from)) c.add(`${path}.from`, `unknown node '${from}'`);
    if (to !== undefined && !nodeIds.has(to)) c.add(`${path}.to`, `unknown node '${to}'`);
    if (from !== undefined && from === to) c.add(path, `edge loops on node '${from}'`);
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

  if (c.issues.length > 0 || id === undefined || name === undefined) throw new SiteMapError(c.issues);
  return { id, name, nodes, edges, stations, chargers, parking };
}
