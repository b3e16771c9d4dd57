import type { Graph } from '../graph.ts';
import type { GoalDistance } from '../distance.ts';

/**
 * Map from (t, v) to a small positive int (0 = absent). A dense typed array indexed t * V + v while it fits in
 * `maxDenseCells`, which is an order of magnitude faster than a Map; past that it falls back to a Map.
 */
class SpaceTimeTable {
  private dense: Int32Array | null = new Int32Array(0);
  private timeCapacity = 0;
  private sparse: Map<number, number> | null = null;

  constructor(
    private readonly vertexCount: number,
    private readonly maxDenseCells: number,
    expectedTimeSteps = 0,
  ) {
    // Known up front not to fit: start sparse instead of filling a dense table only to convert it.
    if (expectedTimeSteps * vertexCount > maxDenseCells) {
      this.dense = null;
      this.sparse = new Map();
    }
  }

  get(t: number, v: number): number {
    if (this.dense) return t < this.timeCapacity ? this.dense[t * this.vertexCount + v]! : 0;
    return this.sparse!.get(t * this.vertexCount + v) ?? 0;
  }

  set(t: number, v: number, value: number): void {
    if (this.dense && (t < this.timeCapacity || this.grow(t + 1))) {
      this.dense[t * this.vertexCount + v] = value;
      return;
    }
    if (value === 0) this.sparse!.delete(t * this.vertexCount + v);
    else this.sparse!.set(t * this.vertexCount + v, value);
  }

  /** Forgets everything in sparse mode (dense callers use generation stamps instead). */
  clearIfSparse(): void {
    this.sparse?.clear();
  }

  clear(): void {
    this.dense?.fill(0);
    this.sparse?.clear();
  }

  private grow(needed: number): boolean {
    const n = this.vertexCount;
    // Double while it fits, then jump straight to the largest capacity that fits: growing one step at a time
    // near the cap would copy the whole table on every new time step.
    const fits = Math.floor(this.maxDenseCells / Math.max(1, n));
    const capacity = Math.min(Math.max(needed, this.timeCapacity * 2, 64), fits);
    if (capacity < needed) {
      const sparse = new Map<number, number>();
      const dense = this.dense!;
      for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) sparse.set(i, dense[i]!);
      this.sparse = sparse;
      this.dense = null;
      return false;
    }
    const grown = new Int32Array(capacity * n);
    grown.set(this.dense!);
    this.dense = grown;
    this.timeCapacity = capacity;
    return true;
  }
}

/** Default cap on dense space-time cells per table (Int32: 128 MB; covers 1000 agents on the largest benchmark maps). */
const MAX_DENSE_CELLS = 32 * 1024 * 1024;

/**
 * Who stands where and when, for a set of fixed paths: the reservation table of prioritized planning / LNS.
 * Each path is followed by resting at its last vertex forever (the agent's goal).
 */
export class SpaceTimeOccupancy {
  private readonly graph: Graph;
  /** agent + 1 at (t, v) for times before the agent's rest. */
  private readonly occupied: SpaceTimeTable;
  /** Agent resting at v from restStart[v] on, or -1. */
  private readonly restAgent: Int32Array;
  private readonly restStart: Int32Array;

  /** `expectedTimeSteps`: the longest path expected, so a table that cannot stay dense starts sparse. */
  constructor(graph: Graph, maxDenseCells = MAX_DENSE_CELLS, expectedTimeSteps = 0) {
    this.graph = graph;
    this.occupied = new SpaceTimeTable(graph.vertexCount, maxDenseCells, expectedTimeSteps);
    this.restAgent = new Int32Array(graph.vertexCount).fill(-1);
    this.restStart = new Int32Array(graph.vertexCount);
  }

  add(agent: number, path: readonly number[]): void {
    const last = path.length - 1;
    for (let t = 0; t < last; t++) this.occupied.set(t, path[t]!, agent + 1);
    this.restAgent[path[last]!] = agent;
    this.restStart[path[last]!] = last;
  }

  remove(agent: number, path: readonly number[]): void {
    const last = path.length - 1;
    for (let t = 0; t < last; t++) if (this.occupied.get(t, path[t]!) === agent + 1) this.occupied.set(t, path[t]!, 0);
    if (this.restAgent[path[last]!] === agent) this.restAgent[path[last]!] = -1;
  }

  /** Agent at v at time t, or -1. */
  agentAt(v: number, t: number): number {
    const a = this.occupied.get(t, v);
    if (a !== 0) return a - 1;
    const r = this.restAgent[v]!;
    return r >= 0 && this.restStart[v]! <= t ? r : -1;
  }

  /** Latest time any agent other than `self` passes v (or -1); resting there forever counts as +Infinity. */
  lastVisit(v: number, self: number, horizon: number): number {
    const r = this.restAgent[v]!;
    if (r >= 0 && r !== self) return Number.POSITIVE_INFINITY;
    for (let t = horizon; t >= 0; t--) {
      const a = this.occupied.get(t, v);
      if (a !== 0 && a !== self + 1) return t;
    }
    return -1;
  }
}

/** Reusable search memory for spaceTimeAStar (closed set with generation stamps). */
export class SpaceTimeSearchScratch {
  readonly closed: SpaceTimeTable;
  generation = 0;

  constructor(graph: Graph, maxDenseCells = MAX_DENSE_CELLS) {
    this.closed = new SpaceTimeTable(graph.vertexCount, maxDenseCells);
  }
}

/**
 * Space-time A* for one agent against fixed others: shortest path (in arrival time) from start to goal that
 * never shares a vertex or swaps with anyone, and reaches the goal only once nobody passes there afterwards.
 * Returns the path (vertex per step, ending at the goal), or null when none arrives by `maxArrival` or the
 * search exceeds maxExpansions.
 */
export function spaceTimeAStar(
  graph: Graph,
  occupancy: SpaceTimeOccupancy,
  agent: number,
  start: number,
  goal: number,
  dist: GoalDistance,
  horizon: number,
  maxExpansions: number,
  maxArrival = Number.POSITIVE_INFINITY,
  scratch: SpaceTimeSearchScratch = new SpaceTimeSearchScratch(graph),
): number[] | null {
  const goalFreeAfter = occupancy.lastVisit(goal, agent, horizon);
  // The agent can only finish after the last visit by someone else; that bounds f from below.
  const earliestFinish = goalFreeAfter + 1;
  if (goalFreeAfter === Number.POSITIVE_INFINITY || earliestFinish > maxArrival) return null;
  const nodeV: number[] = [start];
  const nodeT: number[] = [0];
  const nodeParent: number[] = [-1];
  const heap = new MinHeap();
  const closed = scratch.closed;
  // Stamps must stay positive and distinct per search; on wrap-around (or in sparse mode) start clean.
  if (++scratch.generation > 0x7fffffff) {
    scratch.generation = 1;
    closed.clear();
  }
  closed.clearIfSparse();
  const stamp = scratch.generation;
  heap.push(0, Math.max(dist.get(start), earliestFinish), 0);
  let expansions = 0;
  const { outStart, outTarget } = graph;
  while (heap.size > 0) {
    if (heap.minF > maxArrival) return null;
    const id = heap.pop();
    const v = nodeV[id]!;
    const t = nodeT[id]!;
    if (closed.get(t, v) === stamp) continue;
    closed.set(t, v, stamp);
    if (v === goal && t > goalFreeAfter) {
      const path: number[] = [];
      for (let k = id; k >= 0; k = nodeParent[k]!) path.push(nodeV[k]!);
      return path.reverse();
    }
    if (++expansions > maxExpansions) return null;
    const nt = t + 1;
    for (let e = outStart[v]!, end = outStart[v + 1]! + 1; e < end; e++) {
      const w = e === outStart[v + 1]! ? v : outTarget[e]!; // last slot: wait
      if (closed.get(nt, w) === stamp) continue;
      const there = occupancy.agentAt(w, nt);
      if (there >= 0 && there !== agent) continue;
      if (w !== v) {
        const incoming = occupancy.agentAt(w, t);
        if (incoming >= 0 && incoming !== agent && occupancy.agentAt(v, nt) === incoming) continue;
      }
      const h = dist.get(w);
      if (h === Number.POSITIVE_INFINITY) continue;
      nodeV.push(w);
      nodeT.push(nt);
      nodeParent.push(id);
      const f = Math.max(nt + h, earliestFinish);
      if (f > maxArrival) continue;
      heap.push(nodeV.length - 1, f, nt);
    }
  }
  return null;
}

/** Binary min-heap of node ids keyed by f, preferring larger g on ties (goes deeper first). */
class MinHeap {
  private ids: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** f of the top entry (the key packs f and g). */
  get minF(): number {
    return Math.ceil(this.keys[0]! / 1_048_576);
  }

  push(id: number, f: number, g: number): void {
    const key = f * 1_048_576 - g;
    let i = this.ids.length;
    this.ids.push(id);
    this.keys.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.keys[p]! <= key) break;
      this.ids[i] = this.ids[p]!;
      this.keys[i] = this.keys[p]!;
      i = p;
    }
    this.ids[i] = id;
    this.keys[i] = key;
  }

  pop(): number {
    const top = this.ids[0]!;
    const lastId = this.ids.pop()!;
    const lastKey = this.keys.pop()!;
    const n = this.ids.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.keys[r]! < this.keys[l]! ? r : l;
        if (this.keys[c]! >= lastKey) break;
        this.ids[i] = this.ids[c]!;
        this.keys[i] = this.keys[c]!;
        i = c;
      }
      this.ids[i] = lastId;
      this.keys[i] = lastKey;
    }
    return top;
  }
}
