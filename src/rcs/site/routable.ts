// Where one AGV may be routed: the part of the site graph its registered navigation modes and its body allow.
// Pure; the planner and dispatch ask it per AGV (it depends only on the site and the AGV's registration).

import { liftCapacityFor } from './lifts.ts';
import type { NavigationMode, SiteEdge, SiteMap } from './types.ts';

/** What routing needs to know about an AGV, from its registration. */
export interface RoutingProfile {
  /** Navigation modes the AGV registered. None: it goes only where no navigation area restricts the mode. */
  navigation: readonly NavigationMode[];
  /** Longest body side (m): what must fit through doors, narrow edges and lift cabins. */
  bodyM: number;
  /** False for an AGV whose link cannot run the lift ride flow (map switch in the cabin): it stays on its floor. */
  liftRides?: boolean;
}

export interface RoutableGraph {
  /** Nodes the AGV may stand on. */
  readonly nodes: ReadonlySet<string>;
  /** Edges (SiteEdge.id) the AGV may drive or ride, in the directions the edge allows. */
  readonly edges: ReadonlySet<string>;
  /** Whether the AGV may go from node `from` to node `to` along an edge between them. */
  canTraverse(from: string, to: string): boolean;
}

/** The modes usable at each node that lies in a navigation area; nodes not listed take any mode. */
export function navigationModesByNode(site: Pick<SiteMap, 'navigationAreas'>): Map<string, readonly NavigationMode[]> {
  const modes = new Map<string, readonly NavigationMode[]>();
  for (const area of site.navigationAreas) for (const node of area.nodes) modes.set(node, area.modes);
  return modes;
}

/**
 * Modes an edge may be driven in: those usable at both ends. undefined: any mode (neither end is in an area).
 * A lift ride needs no localisation, but the AGV arrives in a mode the cabin node on the new floor allows.
 */
export function edgeNavigationModes(byNode: ReadonlyMap<string, readonly NavigationMode[]>, edge: Pick<SiteEdge, 'from' | 'to'>): readonly NavigationMode[] | undefined {
  const a = byNode.get(edge.from);
  const b = byNode.get(edge.to);
  if (!a) return b;
  if (!b) return a;
  return a.filter((m) => b.includes(m));
}

/**
 * Navigation switch points: nodes where an AGV may have to change mode, because edges touching the node allow
 * different modes (say a SLAM aisle meets a QR-code floor). The AGV switches there before it drives on, so such a
 * node must allow both modes (a node in no area, or in an area listing both); the route's next edge decides which.
 */
export function navigationSwitchPoints(site: Pick<SiteMap, 'navigationAreas' | 'edges'>): Set<string> {
  const byNode = navigationModesByNode(site);
  const seen = new Map<string, string>();
  const points = new Set<string>();
  const key = (modes: readonly NavigationMode[] | undefined) => (modes ? [...modes].sort().join(',') : '*');
  for (const edge of site.edges) {
    if (edge.kind === 'lift') continue;
    const modes = key(edgeNavigationModes(byNode, edge));
    for (const node of [edge.from, edge.to]) {
      const before = seen.get(node);
      if (before === undefined) seen.set(node, modes);
      else if (before !== modes) points.add(node);
    }
  }
  return points;
}

/** The graph an AGV with this profile may be routed on. */
export function routableGraph(site: SiteMap, profile: RoutingProfile): RoutableGraph {
  const byNode = navigationModesByNode(site);
  const usable = (modes: readonly NavigationMode[] | undefined) => modes === undefined || modes.some((m) => profile.navigation.includes(m));
  const liftById = new Map(site.lifts.map((l) => [l.id, l]));
  const fitsLift = (id: string) => liftCapacityFor(liftById.get(id)!, profile.bodyM) > 0;
  const cabinNodes = new Map(site.lifts.flatMap((l) => l.stops.map((s) => [s.node, l.id] as const)));
  const doorWidth = new Map(site.doors.filter((d) => d.widthM !== undefined).map((d) => [d.edge, d.widthM!]));

  const nodes = new Set<string>();
  for (const n of site.nodes) {
    const lift = cabinNodes.get(n.id);
    if (usable(byNode.get(n.id)) && (lift === undefined || fitsLift(lift))) nodes.add(n.id);
  }
  const edges = new Set<string>();
  const arcs = new Set<string>();
  for (const e of site.edges) {
    if (!nodes.has(e.from) || !nodes.has(e.to)) continue;
    if (!usable(edgeNavigationModes(byNode, e))) continue;
    if (e.maxBodyM !== undefined && profile.bodyM > e.maxBodyM + 1e-9) continue;
    if (profile.bodyM > (doorWidth.get(e.id) ?? Infinity) + 1e-9) continue;
    if (e.kind === 'lift' && (e.lift === undefined || !fitsLift(e.lift))) continue;
    edges.add(e.id);
    arcs.add(`${e.from}\u0000${e.to}`);
    if (e.bidirectional) arcs.add(`${e.to}\u0000${e.from}`);
  }
  return { nodes, edges, canTraverse: (from, to) => arcs.has(`${from}\u0000${to}`) };
}
