import { SiteMapError, type SiteMapIssue } from './errors.ts';

// Import of a site from VDA's Layout Interchange Format (LIF 1.0.0, the track layout a VDA 5050 vehicle integrator
// hands to a master control). LIF shares VDA 5050's node and edge fields, so the mapping is direct:
//   layout.layoutId / layoutName       -> site id / name; each node's mapId -> a map of the site (the VDA mapId
//                                         orders carry and AGVs report); edges may not join two maps
//   node.nodeId, nodePosition.x/y      -> node id, x, y (metres); theta from the node's vehicle-type properties
//   edge.edgeId, startNodeId, endNodeId -> edge id, from, to (one-way: LIF lists each direction as its own edge);
//                                         length = straight line, or along the NURBS control polygon if a trajectory
//                                         is given; maxSpeed from the vehicle-type properties (1 m/s if none says)
//   station.stationId, interactionNodeIds[0] -> station (kind 'both') on that node
//   a node whose vehicle-type actions include startCharging -> charger `chg-<nodeId>`
// LIF has no parking spots; the site gets none (idle AGVs then stay where they finished). The result goes through
// the same validation as a native site map, so every problem is reported with its LIF path where the import can tell.

const DEFAULT_SPEED_MPS = 1;

type Json = Record<string, unknown>;

export interface LifImportOptions {
  /** Which layout of the file (default: the first). */
  layoutId?: string;
  /** Vehicle type whose properties (theta, speed) to use (default: the most restrictive over all types). */
  vehicleTypeId?: string;
}

export function isLif(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'metaInformation' in json && Array.isArray((json as Json).layouts);
}

/** A native site-map object (to be validated by loadSiteMap) from a LIF document. */
export function siteJsonFromLif(lif: unknown, options: LifImportOptions = {}): Json {
  const issues: SiteMapIssue[] = [];
  const fail = (path: string, message: string): never => {
    issues.push({ path, message });
    throw new SiteMapError(issues);
  };
  if (!isLif(lif)) fail('$', 'not a LIF document: metaInformation and layouts are required');
  const layouts = (lif as Json).layouts as unknown[];
  const index = options.layoutId === undefined ? 0 : layouts.findIndex((l) => (l as Json | null)?.layoutId === options.layoutId);
  if (index < 0 || layouts[index] === undefined) fail('layouts', options.layoutId === undefined ? 'has no layout' : `has no layout '${options.layoutId}'`);
  const layout = layouts[index] as Json;
  const at = `layouts[${index}]`;
  const list = (key: string): Json[] => {
    const value = layout[key];
    if (!Array.isArray(value)) fail(`${at}.${key}`, 'must be an array');
    return (value as unknown[]).map((item, i) => (typeof item === 'object' && item !== null ? (item as Json) : fail(`${at}.${key}[${i}]`, 'must be an object')));
  };
  const forType = (props: unknown): Json[] => {
    const all = Array.isArray(props) ? (props as Json[]).filter((p) => typeof p === 'object' && p !== null) : [];
    return options.vehicleTypeId === undefined ? all : all.filter((p) => p.vehicleTypeId === options.vehicleTypeId);
  };

  const stationOf = new Map<string, string>();
  const stations = list('stations').flatMap((s) => {
    const node = (Array.isArray(s.interactionNodeIds) ? (s.interactionNodeIds as unknown[]) : []).find((n): n is string => typeof n === 'string' && !stationOf.has(n));
    if (typeof s.stationId !== 'string' || node === undefined) return [];
    stationOf.set(node, s.stationId);
    return [{ id: s.stationId, node, kind: 'both' }];
  });
  const chargers: { id: string; node: string }[] = [];
  const position = new Map<string, { x: number; y: number }>();
  const lifNodes = list('nodes');
  // LIF nodes name their VDA map; each distinct one becomes a map of the site (the layout's id when none is named).
  const mapIds = [...new Set(lifNodes.map((n) => n.mapId).filter((m): m is string => typeof m === 'string'))];
  const nodes = lifNodes.map((n) => {
    const pos = (n.nodePosition ?? {}) as Json;
    const props = forType(n.vehicleTypeNodeProperties);
    const theta = props.map((p) => p.theta).find((t): t is number => typeof t === 'number');
    const actions = props.flatMap((p) => (Array.isArray(p.actions) ? (p.actions as Json[]) : []));
    const id = n.nodeId as string;
    if (typeof pos.x === 'number' && typeof pos.y === 'number') position.set(id, { x: pos.x, y: pos.y });
    const station = stationOf.get(id);
    const charger = station === undefined && actions.some((a) => a?.actionType === 'startCharging') ? `chg-${id}` : undefined;
    if (charger) chargers.push({ id: charger, node: id });
    return {
      id,
      ...(mapIds.length > 0 ? { map: typeof n.mapId === 'string' ? n.mapId : mapIds[0] } : {}),
      x: pos.x,
      y: pos.y,
      ...(theta !== undefined ? { theta } : {}),
      kind: station !== undefined ? 'station' : charger !== undefined ? 'charger' : 'waypoint',
      ...(station !== undefined ? { stationId: station } : {}),
      ...(charger !== undefined ? { chargerId: charger } : {}),
    };
  });
  const edges = list('edges').map((e) => {
    const props = forType(e.vehicleTypeEdgeProperties);
    const speeds = props.map((p) => p.maxSpeed).filter((s): s is number => typeof s === 'number' && s > 0);
    const trajectory = props.map((p) => p.trajectory as Json | undefined).find((t) => Array.isArray(t?.controlPoints));
    return {
      id: e.edgeId,
      from: e.startNodeId,
      to: e.endNodeId,
      length: edgeLength(position.get(e.startNodeId as string), position.get(e.endNodeId as string), trajectory?.controlPoints as Json[] | undefined),
      maxSpeed: speeds.length > 0 ? Math.min(...speeds) : DEFAULT_SPEED_MPS,
    };
  });
  const id = typeof layout.layoutId === 'string' ? layout.layoutId : undefined;
  const name = typeof layout.layoutName === 'string' ? layout.layoutName : id;
  const maps = mapIds.map((m) => ({ id: m, name: mapIds.length === 1 && name !== undefined ? name : m }));
  return { id, name, ...(maps.length > 0 ? { maps } : {}), nodes, edges, stations, chargers, parking: [] };
}

/** Straight-line length, or along the trajectory's control polygon (an upper bound of the NURBS curve's length). */
function edgeLength(from: { x: number; y: number } | undefined, to: { x: number; y: number } | undefined, controlPoints: Json[] | undefined): number | undefined {
  const points = controlPoints?.every((p) => typeof p.x === 'number' && typeof p.y === 'number') && controlPoints.length >= 2 ? (controlPoints as unknown as { x: number; y: number }[]) : from && to ? [from, to] : undefined;
  if (!points) return undefined;
  let length = 0;
  for (let i = 1; i < points.length; i++) length += Math.hypot(points[i]!.x - points[i - 1]!.x, points[i]!.y - points[i - 1]!.y);
  return length;
}
