import type { Graph } from '../../../planner/index.ts';
import { footprintsOverlap, type NearbyNodes } from './footprint.ts';

// One PIBT step (Okumura et al., priority inheritance with backtracking) that knows each agent's body size.
// The planner package's PIBT steps model footprints only as conflict sets fixed per graph, the same for every
// agent; in a mixed fleet a forklift's footprint depends on whom it meets. This adapter adds exactly that: an agent
// may take a vertex only if its body there overlaps no body already planned, and agents standing in the footprint
// it moves into inherit its priority and are pushed out first, as for the vertex occupant in plain PIBT.
// The result is a proposal; the reservation table still checks every grant.

export interface FootprintStepInput {
  current: Int32Array;
  /** Agents in planning order (highest priority first). */
  order: Int32Array;
  radius: Float64Array;
  /** Ranking key of agent moving from `from` to `to` (lower is better; Infinity = never). */
  rank(agent: number, from: number, to: number): number;
}

const MAX_DEPTH = 256;

export class FootprintPibt {
  private occupant: Int32Array;
  private reserved: Int32Array;
  private next = new Int32Array(0);
  /** Agents in the order they were planned this step, to undo a failed push. */
  private planned: number[] = [];
  private input!: FootprintStepInput;

  constructor(
    private readonly graph: Graph,
    private readonly nearby: () => NearbyNodes,
  ) {
    this.occupant = new Int32Array(graph.vertexCount).fill(-1);
    this.reserved = new Int32Array(graph.vertexCount).fill(-1);
  }

  /** Next vertex of each agent (its current one when it should stay). */
  step(input: FootprintStepInput): Int32Array {
    const n = input.current.length;
    this.input = input;
    this.next = new Int32Array(n).fill(-1);
    this.planned = [];
    this.occupant.fill(-1);
    this.reserved.fill(-1);
    for (let i = 0; i < n; i++) this.occupant[input.current[i]!] = i;
    for (let k = 0; k < input.order.length; k++) {
      const i = input.order[k]!;
      if (this.next[i] === -1) this.plan(i, -1, 0);
    }
    return this.next;
  }

  private plan(i: number, parentAt: number, depth: number): boolean {
    const { current, rank } = this.input;
    const v = current[i]!;
    const candidates: { c: number; key: number }[] = [{ c: v, key: rank(i, v, v) }];
    for (const u of this.graph.neighbors(v)) candidates.push({ c: u, key: rank(i, v, u) });
    candidates.sort((a, b) => a.key - b.key);
    for (const { c, key } of candidates) {
      if (key === Number.POSITIVE_INFINITY) continue;
      if (this.reserved[c] !== -1 || c === parentAt) continue;
      const other = this.occupant[c]!;
      if (other !== -1 && other !== i && this.next[other] === v) continue; // swap
      if (this.overlapsPlanned(i, c)) continue;
      this.reserved[c] = i;
      this.next[i] = c;
      const mark = this.planned.length;
      if (depth < MAX_DEPTH && this.pushOut(i, c, v, depth)) {
        this.planned.push(i);
        return true;
      }
      // Someone could not make way: it stays, and i tries its next choice around it.
      if (this.reserved[c] === i) this.reserved[c] = -1;
      this.next[i] = -1;
      this.unplanStayers(mark, c);
      const stayer = this.occupant[c]!;
      if (stayer !== -1 && stayer !== i && this.next[stayer] === c) this.reserved[c] = stayer;
    }
    if (this.reserved[v] === -1) this.reserved[v] = i;
    this.next[i] = v;
    this.planned.push(i);
    return false;
  }

  /**
   * After a failed push, agents that were told to stay during it (other than the occupant of c, which keeps c)
   * are planned afresh later. With bodies, an agent often "could not make way" only because of where the pusher
   * itself was going to be: once the pusher settles elsewhere, that agent may move after all. Without this, a
   * big AGV whose way is free stays frozen for as long as a higher-priority neighbour keeps trying to push it.
   */
  private unplanStayers(mark: number, c: number): void {
    const { current } = this.input;
    const occupant = this.occupant[c]!;
    const kept: number[] = [];
    for (const a of this.planned.slice(mark)) {
      if (a !== occupant && this.next[a] === current[a]) {
        if (this.reserved[current[a]!] === a) this.reserved[current[a]!] = -1;
        this.next[a] = -1;
      } else kept.push(a);
    }
    this.planned.length = mark;
    this.planned.push(...kept);
  }

  /** Pushes the occupant of c and every unplanned agent whose body would overlap i's at c. */
  private pushOut(i: number, c: number, v: number, depth: number): boolean {
    const { radius } = this.input;
    const other = this.occupant[c]!;
    if (other !== -1 && other !== i && this.next[other] === -1 && !this.plan(other, v, depth + 1)) return false;
    if (other !== -1 && other !== i && this.next[other] === c) return false;
    const nearby = this.nearby();
    for (const { node, distance } of nearby.of(c)) {
      const j = this.occupant[node]!;
      if (j === -1 || j === i || this.next[j] !== -1) continue;
      if (!footprintsOverlap(distance, radius[i]!, radius[j]!)) continue;
      if (!this.plan(j, -1, depth + 1)) return false;
    }
    return !this.overlapsPlanned(i, c);
  }

  /** Whether i's body at c would overlap a body already planned to be somewhere this step. */
  private overlapsPlanned(i: number, c: number): boolean {
    const { radius } = this.input;
    for (const { node, distance } of this.nearby().of(c)) {
      const j = this.reserved[node]!;
      if (j !== -1 && j !== i && footprintsOverlap(distance, radius[i]!, radius[j]!)) return true;
    }
    return false;
  }
}
