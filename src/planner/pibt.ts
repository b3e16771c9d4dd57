import type { Graph } from './graph.ts';
import { Rng } from './random.ts';

/** Distance-to-goal lookup of one agent (GoalDistance fits). */
export interface AgentDistance {
  get(v: number): number;
}

export interface PibtOptions {
  /** Seed for the random tie-breaking between equally good moves (default 0). */
  seed?: number;
  /**
   * Swap-aware PIBT (Okumura's LaCAM2/3 variant): detects when two agents must pass each other in a narrow place
   * and lets the pusher back off while pulling the other along. Only used on symmetric graphs (default true).
   */
  swap?: boolean;
}

/**
 * PIBT (Priority Inheritance with Backtracking, Okumura et al.) as a reusable one-step planner.
 *
 * Usage per step: `begin(current)`, optionally `reserve(agent, v)` to pin some agents (LaCAM constraints, or
 * agents the caller controls), then `run(order)` with agents in decreasing priority. The chosen vertices are in
 * `next`. Vertex, swap and footprint (conflict-set) conflicts are avoided; the result is checked before `run`
 * reports success, so a `true` result is always a valid joint move.
 *
 * Buffers are allocated once per instance; a step allocates nothing.
 */
export class Pibt {
  readonly graph: Graph;
  readonly agentCount: number;
  /** Result of the last step: next vertex of each agent (-1 = not planned). */
  readonly next: Int32Array;
  private readonly now: Int32Array;
  private readonly occupiedNow: Int32Array;
  private readonly occupiedNext: Int32Array;
  private readonly tieBreaker: Float64Array;
  private readonly candidates: Int32Array;
  private readonly scores: Float64Array;
  private readonly stride: number;
  private readonly rng: Rng;
  private readonly swapEnabled: boolean;
  private distances: readonly AgentDistance[] = [];

  constructor(graph: Graph, agentCount: number, options: PibtOptions = {}) {
    this.graph = graph;
    this.agentCount = agentCount;
    let maxDegree = 0;
    for (let v = 0; v < graph.vertexCount; v++) maxDegree = Math.max(maxDegree, graph.outDegree(v));
    this.stride = maxDegree + 1;
    this.next = new Int32Array(agentCount).fill(-1);
    this.now = new Int32Array(agentCount).fill(-1);
    this.occupiedNow = new Int32Array(graph.vertexCount).fill(-1);
    this.occupiedNext = new Int32Array(graph.vertexCount).fill(-1);
    this.tieBreaker = new Float64Array(graph.vertexCount);
    this.candidates = new Int32Array(agentCount * this.stride);
    this.scores = new Float64Array(agentCount * this.stride);
    this.rng = new Rng(options.seed ?? 0);
    this.swapEnabled = (options.swap ?? true) && graph.isSymmetric;
  }

  /** Sets each agent's distance-to-goal table (call again whenever goals change). */
  setDistances(distances: readonly AgentDistance[]): void {
    if (distances.length !== this.agentCount) throw new RangeError(`need ${this.agentCount} distance tables, got ${distances.length}`);
    this.distances = distances;
  }

  /** Starts a step from the given positions (one vertex per agent, all distinct). */
  begin(current: ArrayLike<number>): void {
    for (let i = 0; i < this.agentCount; i++) {
      const before = this.now[i]!;
      if (before >= 0 && this.occupiedNow[before] === i) this.occupiedNow[before] = -1;
      const planned = this.next[i]!;
      if (planned >= 0) {
        this.occupiedNext[planned] = -1;
        this.next[i] = -1;
      }
    }
    for (let i = 0; i < this.agentCount; i++) {
      const v = current[i]!;
      this.now[i] = v;
      this.occupiedNow[v] = i;
    }
  }

  /**
   * Pins agent to move to v (a neighbour or its own vertex) this step. Returns false, changing nothing, when
   * that clashes with an earlier pin (same vertex, footprint overlap, or a swap).
   */
  reserve(agent: number, v: number): boolean {
    if (this.occupiedNext[v] >= 0 || this.footprintBlocked(v, agent)) return false;
    const from = this.now[agent]!;
    const holderOfFrom = this.occupiedNext[from]!;
    if (holderOfFrom >= 0 && holderOfFrom === this.occupiedNow[v]) return false;
    this.next[agent] = v;
    this.occupiedNext[v] = agent;
    return true;
  }

  /** Plans every agent not pinned yet, in the given priority order. True when the joint move is conflict-free. */
  run(order: ArrayLike<number>): boolean {
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      if (this.next[i]! < 0 && !this.plan(i)) return false;
    }
    return this.verify();
  }

  /** begin + run for callers that need no pins. */
  step(current: ArrayLike<number>, order: ArrayLike<number>): boolean {
    this.begin(current);
    return this.run(order);
  }

  private plan(i: number): boolean {
    const v = this.now[i]!;
    const { outStart, outTarget } = this.graph;
    const base = i * this.stride;
    const dist = this.distances[i]!;
    const tie = this.tieBreaker;
    const candidates = this.candidates;
    const scores = this.scores;
    let count = 0;
    for (let e = outStart[v]!, end = outStart[v + 1]!; e < end; e++) {
      const u = outTarget[e]!;
      tie[u] = this.rng.next();
      candidates[base + count] = u;
      scores[base + count] = dist.get(u) + tie[u]!;
      count++;
    }
    tie[v] = this.rng.next();
    candidates[base + count] = v;
    scores[base + count] = dist.get(v) + tie[v]!;
    count++;
    // Insertion sort: at most 5 entries on grids.
    for (let a = 1; a < count; a++) {
      const c = candidates[base + a]!;
      const s = scores[base + a]!;
      let b = a - 1;
      while (b >= 0 && scores[base + b]! > s) {
        candidates[base + b + 1] = candidates[base + b]!;
        scores[base + b + 1] = scores[base + b]!;
        b--;
      }
      candidates[base + b + 1] = c;
      scores[base + b + 1] = s;
    }

    const swapAgent = this.swapEnabled ? this.swapPossibleAndRequired(i, base) : -1;
    if (swapAgent >= 0) {
      for (let a = 0, b = count - 1; a < b; a++, b--) {
        const t = candidates[base + a]!;
        candidates[base + a] = candidates[base + b]!;
        candidates[base + b] = t;
      }
    }

    const occupiedNext = this.occupiedNext;
    const occupiedNow = this.occupiedNow;
    for (let k = 0; k < count; k++) {
      const u = candidates[base + k]!;
      if (occupiedNext[u]! >= 0) continue;
      if (this.graph.hasConflictSets && this.footprintBlocked(u, i)) continue;
      const ak = occupiedNow[u]!;
      if (ak >= 0 && this.next[ak] === v) continue; // would swap with an agent already moving into v
      occupiedNext[u] = i;
      this.next[i] = u;
      if (ak >= 0 && ak !== i && this.next[ak]! < 0 && !this.plan(ak)) continue;
      if (this.graph.hasConflictSets && !this.pushFootprintNeighbours(u, i)) {
        if (occupiedNext[u] === i) occupiedNext[u] = -1;
        continue;
      }
      if (k === 0 && swapAgent >= 0 && this.next[swapAgent]! < 0 && occupiedNext[v]! < 0) {
        this.next[swapAgent] = v;
        occupiedNext[v] = swapAgent;
      }
      return true;
    }
    occupiedNext[v] = i;
    this.next[i] = v;
    return false;
  }

  /** Agents standing in u's footprint must move out of it (priority inheritance through conflict sets). */
  private pushFootprintNeighbours(u: number, i: number): boolean {
    const { conflictStart, conflictTarget } = this.graph;
    for (let c = conflictStart[u]!, end = conflictStart[u + 1]!; c < end; c++) {
      const ak = this.occupiedNow[conflictTarget[c]!]!;
      if (ak >= 0 && ak !== i && this.next[ak]! < 0 && !this.plan(ak)) return false;
    }
    return !this.footprintBlocked(u, i);
  }

  private footprintBlocked(u: number, i: number): boolean {
    const { conflictStart, conflictTarget } = this.graph;
    for (let c = conflictStart[u]!, end = conflictStart[u + 1]!; c < end; c++) {
      const holder = this.occupiedNext[conflictTarget[c]!]!;
      if (holder >= 0 && holder !== i) return true;
    }
    return false;
  }

  /** Final check: fallbacks inside deep recursion can, in rare footprint/pin cases, leave a clash. */
  private verify(): boolean {
    for (let i = 0; i < this.agentCount; i++) {
      const u = this.next[i]!;
      if (u < 0 || this.occupiedNext[u] !== i) return false;
      if (this.graph.hasConflictSets && this.footprintBlocked(u, i)) return false;
      const ak = this.occupiedNow[u]!;
      if (ak >= 0 && ak !== i && this.next[ak] === this.now[i]) return false;
    }
    return true;
  }

  // --- swap detection, after LaCAM3's PIBT (cases a, b: head-on; case c: clearing the way) ---

  private swapPossibleAndRequired(i: number, base: number): number {
    const v = this.now[i]!;
    const best = this.candidates[base]!;
    if (best === v) return -1;
    const aj = this.occupiedNow[best]!;
    if (aj >= 0 && this.next[aj]! < 0 && this.isSwapRequired(i, aj, v, best) && this.isSwapPossible(best, v)) return aj;
    const { outStart, outTarget } = this.graph;
    for (let e = outStart[v]!, end = outStart[v + 1]!; e < end; e++) {
      const u = outTarget[e]!;
      const ak = this.occupiedNow[u]!;
      if (ak < 0 || best === u) continue;
      if (this.isSwapRequired(ak, i, v, best) && this.isSwapPossible(best, v)) return ak;
    }
    return -1;
  }

  /** True when u is a dead end holding an agent that sits at its own goal (it need not, and should not, move). */
  private isParkedDeadEnd(u: number): boolean {
    if (this.graph.outDegree(u) !== 1) return false;
    const a = this.occupiedNow[u]!;
    return a >= 0 && this.distances[a]!.get(u) === 0;
  }

  private isSwapRequired(pusher: number, puller: number, pusherOrigin: number, pullerOrigin: number): boolean {
    const { outStart, outTarget } = this.graph;
    const dPusher = this.distances[pusher]!;
    const dPuller = this.distances[puller]!;
    let vPusher = pusherOrigin;
    let vPuller = pullerOrigin;
    let guard = this.graph.vertexCount;
    while (dPusher.get(vPuller) < dPusher.get(vPusher) && guard-- > 0) {
      let n = outStart[vPuller + 1]! - outStart[vPuller]!;
      let tmp = -1;
      for (let e = outStart[vPuller]!, end = outStart[vPuller + 1]!; e < end; e++) {
        const u = outTarget[e]!;
        if (u === vPusher || this.isParkedDeadEnd(u)) n--;
        else tmp = u;
      }
      if (n >= 2) return false;
      if (n <= 0) break;
      vPusher = vPuller;
      vPuller = tmp;
    }
    return (
      dPuller.get(vPusher) < dPuller.get(vPuller) &&
      (dPusher.get(vPusher) === 0 || dPusher.get(vPuller) < dPusher.get(vPusher))
    );
  }

  private isSwapPossible(pusherOrigin: number, pullerOrigin: number): boolean {
    const { outStart, outTarget } = this.graph;
    let vPusher = pusherOrigin;
    let vPuller = pullerOrigin;
    let guard = this.graph.vertexCount;
    while (vPuller !== pusherOrigin && guard-- > 0) {
      let n = outStart[vPuller + 1]! - outStart[vPuller]!;
      let tmp = -1;
      for (let e = outStart[vPuller]!, end = outStart[vPuller + 1]!; e < end; e++) {
        const u = outTarget[e]!;
        if (u === vPusher || this.isParkedDeadEnd(u)) n--;
        else tmp = u;
      }
      if (n >= 2) return true;
      if (n <= 0) return false;
      vPusher = vPuller;
      vPuller = tmp;
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
