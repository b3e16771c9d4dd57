import type { Graph } from '../graph.ts';

// One step of PIBT (Okumura et al., "Priority Inheritance with Backtracking", AIJ 2022): agents, in priority
// order, claim a next vertex; an agent whose chosen vertex is occupied by a not-yet-planned agent lends it its
// priority so that agent moves out of the way first, and backtracks to its next choice if that is impossible.
// The result has no two agents on one vertex and no two agents swapping.

/** Chains of pushes deeper than this are cut (the pushed agent plans on its own later) to bound JS stack use. */
const MAX_PUSH_DEPTH = 2000;

export interface PibtStepInput {
  graph: Graph;
  /** Vertex of each agent now. */
  current: Int32Array;
  /** Agents in the order they plan (highest priority first). */
  order: Int32Array;
  /** Agent on each vertex now, or -1. */
  occupant: Int32Array;
  /** Ranking key of agent i moving to c (lower is better); includes distance to goal and model costs. */
  rank(agent: number, from: number, to: number): number;
}

/** Plans one step; fills `next` (vertex of each agent after the step). Scratch arrays are reused across calls. */
export class PibtStep {
  private reserved = new Int32Array(0);
  private candidates: Int32Array[] = [];
  private keys: Float64Array[] = [];
  private input!: PibtStepInput;
  private next!: Int32Array;

  run(input: PibtStepInput, next: Int32Array): void {
    const { graph } = input;
    if (this.reserved.length !== graph.vertexCount) this.reserved = new Int32Array(graph.vertexCount);
    this.reserved.fill(-1);
    next.fill(-1);
    this.input = input;
    this.next = next;
    for (let k = 0; k < input.order.length; k++) {
      const agent = input.order[k]!;
      if (next[agent] === -1) this.plan(agent, -1, 0);
    }
  }

  private scratch(depth: number, size: number): [Int32Array, Float64Array] {
    if (this.candidates.length <= depth || this.candidates[depth]!.length < size) {
      this.candidates[depth] = new Int32Array(Math.max(size, 8));
      this.keys[depth] = new Float64Array(Math.max(size, 8));
    }
    return [this.candidates[depth]!, this.keys[depth]!];
  }

  private plan(agent: number, parent: number, depth: number): boolean {
    const { graph, current, occupant, rank } = this.input;
    const reserved = this.reserved;
    const next = this.next;
    const v = current[agent]!;
    const start = graph.outStart[v]!;
    const count = graph.outStart[v + 1]! - start + 1;
    const [cand, key] = this.scratch(depth, count);
    // Candidates: every out-neighbour plus staying; insertion-sorted by rank (at most a handful).
    for (let k = 0; k < count; k++) {
      const c = k < count - 1 ? graph.outTarget[start + k]! : v;
      const r = rank(agent, v, c);
      let j = k;
      while (j > 0 && key[j - 1]! > r) {
        key[j] = key[j - 1]!;
        cand[j] = cand[j - 1]!;
        j--;
      }
      key[j] = r;
      cand[j] = c;
    }
    const parentAt = parent >= 0 ? current[parent]! : -1;
    for (let k = 0; k < count; k++) {
      const c = cand[k]!;
      if (reserved[c] !== -1 || c === parentAt) continue;
      const other = occupant[c]!;
      // Moving into the vertex of an agent that already plans to come here would be a swap.
      if (other !== -1 && other !== agent && next[other] === v) continue;
      if (key[k] === Number.POSITIVE_INFINITY) continue;
      reserved[c] = agent;
      next[agent] = c;
      if (other !== -1 && other !== agent && next[other] === -1) {
        if (depth >= MAX_PUSH_DEPTH) {
          reserved[c] = -1;
          next[agent] = -1;
          continue;
        }
        if (!this.plan(other, agent, depth + 1)) {
          // The pushed agent could not leave; it now holds c itself.
          next[agent] = -1;
          continue;
        }
      }
      return true;
    }
    reserved[v] = agent;
    next[agent] = v;
    return false;
  }
}
