import { footprintsOverlap, type RoadmapGraph } from '../../../planner/index.ts';
import { NONE, targetOf, type AgentState } from './agent-state.ts';
import type { PassingOrder } from './passing-order.ts';
import type { ReservationTable } from './reservation-table.ts';
import type { RouteAhead } from './route-ahead.ts';
import type { CentralTrafficOptions } from './types.ts';
import type { VertexBlocks } from './vertex-blocks.ts';

// Whether a planned step may be granted beyond the reservation table's own check: the lift/door gate, edges closed
// by blocks, the way through noStop nodes, and "don't block the box" for bodies that cover neighbouring nodes. The
// central controller asks these while it turns a round's proposals into reservations; they read its state, never
// change it.

/** The controller's state the admission checks read. */
export interface AdmissionState {
  roadmap: RoadmapGraph;
  table: ReservationTable;
  route: RouteAhead;
  passing: PassingOrder;
  vertexBlocks: VertexBlocks;
  agents: ReadonlyMap<string, AgentState>;
  gate: CentralTrafficOptions['gate'];
  /** The AGV's route-table class (body size and off-limits nodes). */
  routeKey: (agvId: string) => string;
  /** The planning round under way (claims are per round). */
  round: () => number;
}

export class GrantAdmission {
  constructor(private readonly deps: AdmissionState) {}

  /** Whether the gate lets the AGV take each move of the chain from its frontier (always, without a gate). */
  gateAdmits(agvId: string, frontier: number, chain: readonly number[]): boolean {
    const gate = this.deps.gate;
    if (!gate) return true;
    let at = frontier;
    for (const v of chain) {
      if (!gate.admit(agvId, this.deps.roadmap.ids[at]!, this.deps.roadmap.ids[v]!)) return false;
      at = v;
    }
    return true;
  }

  /**
   * "Don't block the box" for bodies that cover neighbouring nodes. Two such AGVs approaching one junction from
   * two sides (or an AGV queueing next to a station spur a forklift is about to leave) can each end up covering the
   * node the other needs next: a mutual footprint block that no one-step plan can undo on one-way lanes. So an AGV
   * only enters a node when the node after it on its route is not covered by another body — being merely held by
   * the AGV ahead in a queue is fine, that one moves on. Returns the AGV that covers the exit, if any.
   */
  exitBlocker(agvId: string, entered: number, target: number): string | undefined {
    if (target === NONE) return undefined;
    // Through noStop nodes the AGV cannot wait: the whole way to where it may stop must be free, and the exit rule
    // applies there.
    const chain = this.transitChain(agvId, entered, target);
    if (chain === undefined) return agvId;
    const way = this.wayBlocker(agvId, chain);
    if (way) return way.agvId;
    const next = chain.length > 0 ? chain[chain.length - 1]! : entered;
    let aim = target;
    if (next === target) {
      // A side-step refuge is left again for the goal: it must not become a trap either.
      const state = this.deps.agents.get(agvId);
      if (!state || state.via !== target || state.goal === NONE || state.goal === next) return undefined;
      aim = state.goal;
    }
    const exit = this.preferredNext(agvId, next, aim);
    if (exit === NONE || this.deps.table.path(agvId).includes(exit)) return undefined;
    const covering = this.deps.table.footprintBlocker(agvId, exit);
    if (covering !== undefined) return covering;
    // Someone waits to enter the exit first (e.g. an AGV leaving a bay to merge here): do not stand next to it.
    const claimant = this.deps.passing.claimantOf(exit, agvId, this.deps.round());
    if (claimant !== undefined) return claimant;
    // The AGV ahead holding the exit moves on, unless it stops close by (at a station spur next to the exit, say):
    // then it will cover the exit from there.
    const ahead = this.deps.table.ownerOf(exit);
    if (ahead === undefined || ahead === agvId) return undefined;
    const state = this.deps.agents.get(ahead);
    const stopsAt = state ? targetOf(state) : NONE;
    if (stopsAt === NONE) return ahead;
    const reach = this.deps.table.radius(agvId) + this.deps.table.radius(ahead);
    return stopsAt === exit || footprintsOverlap(this.deps.table.nearbyIndex().distance(stopsAt, exit), reach, 0) ? ahead : undefined;
  }

  /**
   * The first AGV that keeps agvId off a node of the way, in order: another's standing claim (claimed), or a holder
   * or a body covering the node.
   */
  wayBlocker(agvId: string, way: readonly number[]): { agvId: string; claimed: boolean } | undefined {
    for (const v of way) {
      const claimant = this.deps.passing.claimantOf(v, agvId, this.deps.round());
      if (claimant !== undefined) return { agvId: claimant, claimed: true };
      const check = this.deps.table.check(agvId, v);
      if (!check.ok) return { agvId: check.blocker, claimed: false };
    }
    return undefined;
  }

  /** The block closing an edge along from → way[0] → way[1] …, if any. */
  closedStep(agvId: string, from: number, way: readonly number[]): string | undefined {
    let at = from;
    for (const v of way) {
      const block = this.deps.vertexBlocks.edgeBlocker(agvId, at, v);
      if (block !== undefined) return block;
      at = v;
    }
    return undefined;
  }

  /** The AGV's next node toward target (RouteAhead.next for its body). */
  preferredNext(agvId: string, v: number, target: number): number {
    return this.deps.route.next(this.deps.routeKey(agvId), v, target);
  }

  /** The nodes it must drive through after v before it may stop (RouteAhead.transit for its body). */
  transitChain(agvId: string, v: number, target: number): number[] | undefined {
    return this.deps.route.transit(this.deps.routeKey(agvId), v, target);
  }
}
