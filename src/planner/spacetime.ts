import type { Graph } from './graph.ts';
import type { GoalDistance } from './distance.ts';

/**
 * Who stands where and when, for a set of fixed paths: the reservation table of prioritized planning / LNS.
 * Each path is followed by resting at its last vertex forever (the agent's goal).
 */
export class SpaceTimeOccupancy {
  private readonly graph: Graph;
  private readonly occupied = new Map<number, number>();
  /** Agent resting at v from restStart[v] on, or -1. */
  private readonly restAgent: Int32Array;
  private readonly restStart: Int32Array;

  constructor(graph: Graph) {
    this.graph = graph;
    this.restAgent = new Int32Array(graph.vertexCount).fill(-1);
    this.restStart = new Int32Array(graph.vertexCount);
  }

  add(agent: number, path: readonly number[]): void {
    const n = this.graph.vertexCount;
    const last = path.length - 1;
    for (let t = 0; t < last; t++) this.occupied.set(t * n + path[t]!, agent);
    this.restAgent[path[last]!] = agent;
    this.restStart[path[last]!] = last;
  }

  remove(agent: number, path: readonly number[]): void {
    const n = this.graph.vertexCount;
    const last = path.length - 1;
    for (let t = 0; t < last; t++) {
      const key = t * n + path[t]!;
      if (this.occupied.get(key) === agent) this.occupied.delete(key);
    }
    if (this.restAgent[path[last]!] === agent) this.restAgent[path[last]!] = -1;
  }

  /** Agent at v at time t, or -1. */
  agentAt(v: number, t: number): number {
    const a = this.occupied.get(t * this.graph.vertexCount + v);
    if (a !== undefined) return a;
    const r = this.restAgent[v]!;
    return r >= 0 && this.restStart[v]! <= t ? r : -1;
  }

  /** Latest time any agent other than `self` passes v (or -1); resting there forever counts as +Infinity. */
  lastVisit(v: number, self: number, horizon: number): number {
    const r = this.restAgent[v]!;
    if (r >= 0 && r !== self) return Number.POSITIVE_INFINITY;
    const n = this.graph.vertexCount;
    for (let t = horizon; t >= 0; t--) {
      const a = this.occupied.get(t * n + v);
      if (a !== undefined && a !== self) return t;
    }
    return -1;
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
): number[] | null {
  const goalFreeAfter = occupancy.lastVisit(goal, agent, horizon);
  // The agent can only finish after the last visit by someone else; that bounds f from below.
  const earliestFinish = goalFreeAfter + 1;
  if (goalFreeAfter === Number.POSITIVE_INFINITY || earliestFinish > maxArrival) return null;
  const n = graph.vertexCount;
  const nodeV: number[] = [start];
  const nodeT: number[] = [0];
  const nodeParent: number[] = [-1];
  const heap = new MinHeap();
  const closed = new Set<number>();
  heap.push(0, Math.max(dist.get(start), earliestFinish), 0);
  let expansions = 0;
  const { outStart, outTarget } = graph;
  while (heap.size > 0) {
    if (heap.minF > maxArrival) return null;
    const id = heap.pop();
    const v = nodeV[id]!;
    const t = nodeT[id]!;
    const key = t * n + v;
    if (closed.has(key)) continue;
    closed.add(key);
    if (v === goal && t > goalFreeAfter) {
      const path: number[] = [];
      for (let k = id; k >= 0; k = nodeParent[k]!) path.push(nodeV[k]!);
      return path.reverse();
    }
    if (++expansions > maxExpansions) return null;
    const nt = t + 1;
    for (let e = outStart[v]!, end = outStart[v + 1]! + 1; e < end; e++) {
      const w = e === outStart[v + 1]! ? v : outTarget[e]!; // last slot: wait
      if (closed.has(nt * n + w)) continue;
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
