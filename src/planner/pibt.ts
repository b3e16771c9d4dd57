import type { Bodies } from './bodies.ts';
import type { Graph } from './graph.ts';

// PIBT (Okumura et al., "Priority Inheritance with Backtracking", AIJ 2022): agents, in priority order, claim a
// next vertex; an agent whose chosen vertex is occupied by a not-yet-planned agent lends it its priority so that
// agent moves out of the way first, and backtracks to its next choice if that is impossible. The result has no two
// agents on one vertex and no two agents swapping.
//
// This is the one PIBT of the project. Central traffic plans every round with it, with disc bodies of each AGV's
// own size; LaCAM and the lifelong research planners build on it with point agents or the graph's conflict sets.
// With bodies, an agent may take a vertex only if its body there overlaps no body already planned, and agents
// standing where its body would be inherit its priority and are pushed out first, as the vertex occupant is.

/** Ranking key of agent moving from `from` to `to` (lower is better; +Infinity = never). */
export type MoveRank = (agent: number, from: number, to: number) => number;

export interface PibtStepInput {
  /** Vertex of each agent now (all distinct). */
  current: ArrayLike<number>;
  /** Agents in planning order (highest priority first). */
  order: ArrayLike<number>;
  rank: MoveRank;
  /** Body model; point agents when absent. */
  bodies?: Bodies;
}

export interface PibtOptions {
  /** Chains of pushes deeper than this fail (the pushed agent plans on its own later), to bound JS stack use. */
  maxDepth?: number;
}

const ANY = (): boolean => true;

/**
 * One-step PIBT planner. Per step: `begin(...)`, optionally `reserve(agent, v)` to pin agents (LaCAM constraints),
 * then `run(order)`; or `step(input)` for both. Buffers are reused across steps; point agents allocate nothing.
 */
export class Pibt {
  /** Next vertex of each agent of the last step (-1 = not planned); entries past the agent count are stale. */
  next = new Int32Array(0);
  protected now = new Int32Array(0);
  protected readonly occupant: Int32Array;
  protected readonly reserved: Int32Array;
  private agents = 0;
  /** Agents in the order they were planned this step, to undo a failed push. */
  private planned = new Int32Array(0);
  private plannedCount = 0;
  private candidates: Int32Array[] = [];
  private keys: Float64Array[] = [];
  private rank: MoveRank = () => 0;
  private bodies: Bodies | undefined;
  private readonly maxDepth: number;
  /** Depth of the push under way (see pushOut). */
  private pushDepth = 0;
  /** Whether unplanned agent j, pushed out of the way, can move nowhere (planning it now, one level deeper). */
  private readonly cannotMove = (j: number): boolean => this.next[j] === -1 && (this.pushDepth >= this.maxDepth || !this.plan(j, -1, this.pushDepth + 1));

  constructor(
    readonly graph: Graph,
    options: PibtOptions = {},
  ) {
    this.occupant = new Int32Array(graph.vertexCount).fill(-1);
    this.reserved = new Int32Array(graph.vertexCount).fill(-1);
    this.maxDepth = options.maxDepth ?? 2000;
  }

  /** begin + run; returns a copy of the next vertex of each agent (its current one when it should stay). */
  step(input: PibtStepInput): Int32Array {
    this.begin(input.current, input.rank, input.bodies);
    this.run(input.order);
    return this.next.slice(0, this.agents);
  }

  /** Starts a step from the given positions. */
  begin(current: ArrayLike<number>, rank: MoveRank, bodies?: Bodies): void {
    for (let i = 0; i < this.agents; i++) {
      if (this.occupant[this.now[i]!] === i) this.occupant[this.now[i]!] = -1;
      if (this.next[i]! >= 0) this.reserved[this.next[i]!] = -1;
    }
    const n = current.length;
    if (this.now.length < n) {
      this.now = new Int32Array(n);
      this.next = new Int32Array(n);
      this.planned = new Int32Array(n);
    }
    this.agents = n;
    this.rank = rank;
    this.bodies = bodies;
    this.plannedCount = 0;
    for (let i = 0; i < n; i++) {
      this.now[i] = current[i]!;
      this.next[i] = -1;
      this.occupant[current[i]!] = i;
    }
  }

  /**
   * Pins agent to move to v (a neighbour or its own vertex) this step. Returns false, changing nothing, when that
   * clashes with an earlier pin (same vertex, body overlap, or a swap).
   */
  reserve(agent: number, v: number): boolean {
    if (this.reserved[v]! >= 0 || this.bodies?.someOverlap(agent, v, this.reserved, ANY)) return false;
    const holderOfFrom = this.reserved[this.now[agent]!]!;
    if (holderOfFrom >= 0 && holderOfFrom === this.occupant[v]) return false;
    this.next[agent] = v;
    this.reserved[v] = agent;
    return true;
  }

  /** Plans every agent not pinned yet, in the given order. True when the joint move is conflict-free. */
  run(order: ArrayLike<number>): boolean {
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      if (this.next[i] === -1) this.plan(i, -1, 0);
    }
    return this.verify();
  }

  /**
   * Plans one agent (and whoever it pushes) unless it is planned already: `run` one agent at a time, for callers
   * that spread a step over several turns of an event loop. Call `begin` first and keep the order of `run`.
   */
  planAgent(agent: number): void {
    if (this.next[agent] === -1) this.plan(agent, -1, 0);
  }

  /**
   * Hook for variants that reorder an agent's sorted candidates (swap-aware PIBT). Returns an agent to pull along
   * into the vertex being left, or -1.
   */
  protected arrange(_agent: number, _candidates: Int32Array, _keys: Float64Array, _count: number): number {
    return -1;
  }

  /** Hook: agent has just been planned onto its k-th candidate, leaving v; `partner` is what `arrange` returned. */
  protected moved(_agent: number, _k: number, _v: number, _partner: number): void {}

  private plan(i: number, parentAt: number, depth: number): boolean {
    const { outStart, outTarget } = this.graph;
    const { reserved, occupant, next } = this;
    const v = this.now[i]!;
    const start = outStart[v]!;
    const count = outStart[v + 1]! - start + 1;
    const [cand, key] = this.scratch(depth, count);
    // Candidates: every out-neighbour, then staying; insertion-sorted by rank (at most a handful).
    for (let k = 0; k < count; k++) {
      const c = k < count - 1 ? outTarget[start + k]! : v;
      const r = this.rank(i, v, c);
      let j = k;
      while (j > 0 && key[j - 1]! > r) {
        key[j] = key[j - 1]!;
        cand[j] = cand[j - 1]!;
        j--;
      }
      key[j] = r;
      cand[j] = c;
    }
    const partner = this.arrange(i, cand, key, count);
    for (let k = 0; k < count; k++) {
      const c = cand[k]!;
      if (key[k] === Number.POSITIVE_INFINITY) continue;
      if (reserved[c] !== -1 || c === parentAt) continue;
      const other = occupant[c]!;
      if (other !== -1 && other !== i && next[other] === v) continue; // swap
      if (this.bodies?.someOverlap(i, c, reserved, ANY)) continue;
      reserved[c] = i;
      next[i] = c;
      const mark = this.plannedCount;
      if (this.pushOut(i, c, v, depth)) {
        this.moved(i, k, v, partner);
        this.planned[this.plannedCount++] = i;
        return true;
      }
      // Someone could not make way: it stays, and i tries its next choice around it.
      if (reserved[c] === i) reserved[c] = -1;
      next[i] = -1;
      if (this.bodies) this.unplanStayers(mark, c);
      const stayer = occupant[c]!;
      if (stayer !== -1 && stayer !== i && next[stayer] === c) reserved[c] = stayer;
    }
    if (reserved[v] === -1) reserved[v] = i;
    next[i] = v;
    this.planned[this.plannedCount++] = i;
    return false;
  }

  /** Pushes the occupant of c and, with bodies, every unplanned agent whose body would overlap i's at c. */
  private pushOut(i: number, c: number, v: number, depth: number): boolean {
    const { occupant, next } = this;
    const other = occupant[c]!;
    if (other !== -1 && other !== i && next[other] === -1 && (depth >= this.maxDepth || !this.plan(other, v, depth + 1))) return false;
    if (other !== -1 && other !== i && next[other] === c) return false;
    if (!this.bodies) return true;
    // One visitor for every push instead of a closure per call (this runs for every agent on every step); each
    // push sets the depth it plans at and puts the outer one back, so nested pushes leave it as they found it.
    const outer = this.pushDepth;
    this.pushDepth = depth;
    const blocked = this.bodies.someOverlap(i, c, occupant, this.cannotMove);
    this.pushDepth = outer;
    if (blocked) return false;
    return !this.bodies.someOverlap(i, c, this.reserved, ANY);
  }

  /**
   * After a failed push, agents that were told to stay during it (other than the occupant of c, which keeps c)
   * are planned afresh later. With bodies, an agent often "could not make way" only because of where the pusher
   * itself was going to be: once the pusher settles elsewhere, that agent may move after all. Without this, a
   * big AGV whose way is free stays frozen for as long as a higher-priority neighbour keeps trying to push it.
   * Point agents keep the classic rule (each agent is planned once per step), which bounds a step's work.
   */
  private unplanStayers(mark: number, c: number): void {
    const keep = this.occupant[c]!;
    let kept = mark;
    for (let k = mark; k < this.plannedCount; k++) {
      const a = this.planned[k]!;
      const at = this.now[a]!;
      if (a !== keep && this.next[a] === at) {
        if (this.reserved[at] === a) this.reserved[at] = -1;
        this.next[a] = -1;
      } else this.planned[kept++] = a;
    }
    this.plannedCount = kept;
  }

  /** Final check: the fallback "stay" inside deep recursion or a pin can leave a clash. */
  private verify(): boolean {
    for (let i = 0; i < this.agents; i++) {
      const u = this.next[i]!;
      if (u < 0 || this.reserved[u] !== i) return false;
      if (this.bodies?.someOverlap(i, u, this.reserved, ANY)) return false;
      const other = this.occupant[u]!;
      if (other >= 0 && other !== i && this.next[other] === this.now[i]) return false;
    }
    return true;
  }

  private scratch(depth: number, size: number): [Int32Array, Float64Array] {
    if (this.candidates.length <= depth || this.candidates[depth]!.length < size) {
      this.candidates[depth] = new Int32Array(Math.max(size, 8));
      this.keys[depth] = new Float64Array(Math.max(size, 8));
    }
    return [this.candidates[depth]!, this.keys[depth]!];
  }
}
