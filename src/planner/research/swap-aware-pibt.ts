import { ConflictSetBodies } from '../bodies.ts';
import type { Graph } from '../graph.ts';
import { Pibt } from '../pibt.ts';
import { Rng } from './random.ts';

const NONE = -1;
const SEVERAL = -2;

/** Distance-to-goal lookup of one agent (GoalDistance fits). */
export interface AgentDistance {
  get(v: number): number;
}

export interface SwapAwarePibtOptions {
  /** Seed for the random tie-breaking between equally good moves (default 0). */
  seed?: number;
  /**
   * Swap-aware PIBT (Okumura's LaCAM2/3 variant): detects when two agents must pass each other in a narrow place
   * and lets the pusher back off while pulling the other along. Only used on symmetric graphs (default true).
   */
  swap?: boolean;
}

/**
 * The PIBT that LaCAM generates configurations with: the planner's PIBT core with point agents (or the graph's
 * conflict sets as bodies), ranking moves by distance to goal with random tie-breaking, plus LaCAM3's swap rule.
 *
 * Usage per step: `begin(current)`, optionally `reserve(agent, v)` to pin agents (LaCAM constraints), then
 * `run(order)` with agents in decreasing priority. The chosen vertices are in `next`; a `true` result is always a
 * valid joint move.
 */
export class SwapAwarePibt extends Pibt {
  readonly agentCount: number;
  private readonly rng: Rng;
  private readonly swapEnabled: boolean;
  private readonly conflictSets: ConflictSetBodies | undefined;
  private distances: readonly AgentDistance[] = [];
  private readonly rankMove = (agent: number, _from: number, to: number): number => this.distances[agent]!.get(to) + this.rng.next();

  constructor(graph: Graph, agentCount: number, options: SwapAwarePibtOptions = {}) {
    super(graph);
    this.agentCount = agentCount;
    this.rng = new Rng(options.seed ?? 0);
    this.swapEnabled = (options.swap ?? true) && graph.isSymmetric;
    this.conflictSets = graph.hasConflictSets ? new ConflictSetBodies(graph) : undefined;
  }

  /** Sets each agent's distance-to-goal table (call again whenever goals change). */
  setDistances(distances: readonly AgentDistance[]): void {
    if (distances.length !== this.agentCount) throw new RangeError(`need ${this.agentCount} distance tables, got ${distances.length}`);
    this.distances = distances;
  }

  /** Starts a step from the given positions (one vertex per agent, all distinct). */
  override begin(current: ArrayLike<number>): void {
    super.begin(current, this.rankMove, this.conflictSets);
  }

  /** Reverses the candidates when a swap is required, and names the agent to pull along. */
  protected override arrange(agent: number, candidates: Int32Array, keys: Float64Array, count: number): number {
    const partner = this.swapEnabled ? this.swapPossibleAndRequired(agent, candidates[0]!) : -1;
    if (partner >= 0) {
      for (let a = 0, b = count - 1; a < b; a++, b--) {
        const c = candidates[a]!;
        candidates[a] = candidates[b]!;
        candidates[b] = c;
        const k = keys[a]!;
        keys[a] = keys[b]!;
        keys[b] = k;
      }
    }
    return partner;
  }

  /** Backing off into the first (reversed) candidate pulls the partner into the vertex left. */
  protected override moved(_agent: number, k: number, v: number, partner: number): void {
    if (k === 0 && partner >= 0 && this.next[partner]! < 0 && this.reserved[v]! < 0) {
      this.next[partner] = v;
      this.reserved[v] = partner;
    }
  }

  // --- swap detection, after LaCAM3's PIBT (cases a, b: head-on; case c: clearing the way) ---

  private swapPossibleAndRequired(i: number, best: number): number {
    const v = this.now[i]!;
    if (best === v) return -1;
    const aj = this.occupant[best]!;
    if (aj >= 0 && this.next[aj]! < 0 && this.isSwapRequired(i, aj, v, best) && this.isSwapPossible(best, v)) return aj;
    const { outStart, outTarget } = this.graph;
    for (let e = outStart[v]!, end = outStart[v + 1]!; e < end; e++) {
      const u = outTarget[e]!;
      const ak = this.occupant[u]!;
      if (ak < 0 || best === u) continue;
      if (this.isSwapRequired(ak, i, v, best) && this.isSwapPossible(best, v)) return ak;
    }
    return -1;
  }

  /** True when u is a dead end holding an agent that sits at its own goal (it need not, and should not, move). */
  private isParkedDeadEnd(u: number): boolean {
    if (this.graph.outDegree(u) !== 1) return false;
    const a = this.occupant[u]!;
    return a >= 0 && this.distances[a]!.get(u) === 0;
  }

  /** The one way on from `at`, leaving out `from` and parked dead ends: its vertex, NONE, or SEVERAL. */
  private onlyWayOn(at: number, from: number): number {
    const { outStart, outTarget } = this.graph;
    let n = outStart[at + 1]! - outStart[at]!;
    let way = NONE;
    for (let e = outStart[at]!, end = outStart[at + 1]!; e < end; e++) {
      const u = outTarget[e]!;
      if (u === from || this.isParkedDeadEnd(u)) n--;
      else way = u;
    }
    return n >= 2 ? SEVERAL : n <= 0 ? NONE : way;
  }

  private isSwapRequired(pusher: number, puller: number, pusherOrigin: number, pullerOrigin: number): boolean {
    const dPusher = this.distances[pusher]!;
    const dPuller = this.distances[puller]!;
    let vPusher = pusherOrigin;
    let vPuller = pullerOrigin;
    let guard = this.graph.vertexCount;
    while (dPusher.get(vPuller) < dPusher.get(vPusher) && guard-- > 0) {
      const on = this.onlyWayOn(vPuller, vPusher);
      if (on === SEVERAL) return false;
      if (on === NONE) break;
      vPusher = vPuller;
      vPuller = on;
    }
    return (
      dPuller.get(vPusher) < dPuller.get(vPuller) &&
      (dPusher.get(vPusher) === 0 || dPusher.get(vPuller) < dPusher.get(vPusher))
    );
  }

  private isSwapPossible(pusherOrigin: number, pullerOrigin: number): boolean {
    let vPusher = pusherOrigin;
    let vPuller = pullerOrigin;
    let guard = this.graph.vertexCount;
    while (vPuller !== pusherOrigin && guard-- > 0) {
      const on = this.onlyWayOn(vPuller, vPusher);
      if (on === SEVERAL) return true;
      if (on === NONE) return false;
      vPusher = vPuller;
      vPuller = on;
    }
    return false;
  }
}

/**
 * Standard PIBT priorities: agents away from their goal gain 1 per step; agents at their goal drop back to the
 * fractional part, so long-waiting agents eventually win. `initial` gives distinct fractional seeds.
 */
export function updatePriorities(priorities: Float64Array | Float32Array, distanceToGoal: (i: number) => number): void {
  for (let i = 0; i < priorities.length; i++) {
    if (distanceToGoal(i) !== 0) priorities[i]! += 1;
    else priorities[i] = priorities[i]! - Math.floor(priorities[i]!);
  }
}

/** Agent indices sorted by decreasing priority (stable on ties), written into `order`. */
export function orderByPriority(priorities: ArrayLike<number>, order: Uint32Array | Uint16Array | number[]): void {
  const n = priorities.length;
  for (let i = 0; i < n; i++) order[i] = i;
  const sorted = Array.from({ length: n }, (_, i) => i).sort((a, b) => priorities[b]! - priorities[a]! || a - b);
  for (let i = 0; i < n; i++) order[i] = sorted[i]!;
}
