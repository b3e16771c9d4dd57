import { DistanceTable, type Graph } from '../../../planner/index.ts';
import { DetourDistances } from './detour-distances.ts';
import { NONE } from './agent-state.ts';

/** Longest run of nodes an AGV may not stop on that is granted as one unit (longer runs are never entered). */
const MAX_TRANSIT = 24;

// Which way an AGV goes next along its route: the out-neighbour closest to its target around the obstacles its
// body size must avoid and the nodes closed to it (DetourDistances, one set per route class: body radius and
// off-limits nodes, see CentralTrafficController), falling back to the ordinary distances where
// obstacles cut it off; and the nodes it must drive through before it may come to rest.

export class RouteAhead {
  private readonly detours = new Map<string, DetourDistances>();
  /** Obstacle-free moves-to-goal distances (what the planner ranks by). */
  readonly distances: DistanceTable;

  /** `noStop[v]` is 1 where AGVs may drive through but not stop. */
  constructor(
    private readonly graph: Graph,
    private readonly noStop: Uint8Array,
  ) {
    this.distances = new DistanceTable(graph, { maxGoals: 4096 });
  }

  /** The obstacle-aware tables of a route class, made on first use; the caller sets their obstacles. */
  detoursFor(routeClass: string): DetourDistances {
    let detours = this.detours.get(routeClass);
    if (!detours) this.detours.set(routeClass, (detours = new DetourDistances(this.graph)));
    return detours;
  }

  /** Whether an AGV may come to rest on v: not on a noStop node, nor on a junction when those are kept clear. */
  mayStop(v: number): boolean {
    return this.noStop[v] === 0;
  }

  /** The out-neighbour of v closest to target by obstacle-aware distance for the route class, or NONE when already there. */
  next(routeClass: string, v: number, target: number): number {
    if (target === NONE || target === v) return NONE;
    const table = this.detours.get(routeClass)?.table(target);
    let best = NONE;
    if (table) {
      let bestDistance = table.get(v);
      for (const u of this.graph.neighbors(v)) {
        const d = table.get(u);
        if (d < bestDistance) {
          best = u;
          bestDistance = d;
        }
      }
    }
    if (best !== NONE) return best;
    // Cut off by obstacles: the ordinary route, where the AGV queues (as the planner's ranking does).
    let bestDistance = this.distances.get(target, v);
    for (const u of this.graph.neighbors(v)) {
      const d = this.distances.get(target, u);
      if (d < bestDistance) {
        best = u;
        bestDistance = d;
      }
    }
    return best;
  }

  /**
   * The nodes after v along the route up to and including the first one where the AGV may stop (none if v is
   * such a node), or undefined when the route gives no such node: then v must not be entered.
   */
  transit(routeClass: string, v: number, target: number): number[] | undefined {
    const chain: number[] = [];
    for (let at = v; !this.mayStop(at) && at !== target; ) {
      at = this.next(routeClass, at, target);
      if (at === NONE || chain.length >= MAX_TRANSIT) return undefined;
      chain.push(at);
    }
    return chain;
  }
}
