import { routableGraph, type RoutableGraph, type RoutingProfile } from '../../site/routable.ts';
import type { SiteMap } from '../../site/types.ts';

// Routing facts LiftRides needs per AGV profile, computed once per profile: which floor to ride to next, how far
// each lift's cabin is, and where to queue in front of a cabin.

export class FloorRoutes {
  private readonly graphs = new Map<string, RoutableGraph>();
  private readonly mapOf: ReadonlyMap<string, string>;
  /** Drive edges out of each node: [to, length, from→to allowed] both directions unrolled. */
  private readonly out = new Map<string, { to: string; length: number; edge: string }[]>();
  /** For each cabin node: the nodes on its floor with an edge into it (where an AGV waits for the cabin). */
  readonly lobbies = new Map<string, string[]>();

  constructor(readonly site: SiteMap) {
    this.mapOf = new Map(site.nodes.map((n) => [n.id, n.map]));
    const add = (from: string, to: string, length: number, edge: string) => {
      const list = this.out.get(from) ?? [];
      list.push({ to, length, edge });
      this.out.set(from, list);
    };
    for (const e of site.edges) {
      if (e.kind === 'lift') continue;
      add(e.from, e.to, e.length, e.id);
      if (e.bidirectional) add(e.to, e.from, e.length, e.id);
    }
    const cabins = new Set(site.lifts.flatMap((l) => l.stops.map((s) => s.node)));
    for (const [from, list] of this.out) {
      for (const { to } of list) {
        if (!cabins.has(to) || cabins.has(from)) continue;
        this.lobbies.set(to, [...(this.lobbies.get(to) ?? []), from]);
      }
    }
  }

  floorOf(node: string): string | undefined {
    return this.mapOf.get(node);
  }

  graphFor(profile: RoutingProfile): RoutableGraph {
    const key = `${[...profile.navigation].sort().join(',')}|${profile.bodyM}`;
    let g = this.graphs.get(key);
    if (!g) this.graphs.set(key, (g = routableGraph(this.site, profile)));
    return g;
  }

  /**
   * Metres from `from` to every node reachable on its own floor along edges the profile may drive (Dijkstra),
   * leaving out the edges `closed` names (e.g. through a failed door).
   */
  distancesOnFloor(profile: RoutingProfile, from: string, closed?: (edge: string) => boolean): Map<string, number> {
    const graph = this.graphFor(profile);
    const dist = new Map<string, number>([[from, 0]]);
    const open: [string, number][] = [[from, 0]];
    while (open.length > 0) {
      let k = 0;
      for (let i = 1; i < open.length; i++) if (open[i]![1] < open[k]![1]) k = i;
      const [u, d] = open.splice(k, 1)[0]!;
      if (d > dist.get(u)!) continue;
      for (const { to, length, edge } of this.out.get(u) ?? []) {
        if (!graph.nodes.has(to) || !graph.canTraverse(u, to) || closed?.(edge) === true) continue;
        const nd = d + length;
        if (nd < (dist.get(to) ?? Infinity)) {
          dist.set(to, nd);
          open.push([to, nd]);
        }
      }
    }
    return dist;
  }

  /**
   * The next floor on the way from map `from` to map `to` by lifts the profile fits (fewest rides), or undefined
   * when no lift connects them for this AGV.
   */
  nextFloor(profile: RoutingProfile, from: string, to: string): string | undefined {
    const graph = this.graphFor(profile);
    const hops = new Map<string, Set<string>>();
    for (const e of this.site.edges) {
      if (e.kind !== 'lift' || !graph.edges.has(e.id)) continue;
      const a = this.mapOf.get(e.from)!;
      const b = this.mapOf.get(e.to)!;
      hops.set(a, (hops.get(a) ?? new Set()).add(b));
      hops.set(b, (hops.get(b) ?? new Set()).add(a));
    }
    const first = new Map<string, string>();
    const queue = [from];
    const seen = new Set([from]);
    while (queue.length > 0) {
      const m = queue.shift()!;
      if (m === to) return first.get(m);
      for (const n of hops.get(m) ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        first.set(n, first.get(m) ?? n);
        queue.push(n);
      }
    }
    return undefined;
  }
}
