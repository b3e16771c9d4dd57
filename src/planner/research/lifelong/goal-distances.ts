import type { Graph } from '../../graph.ts';
import { LruTables } from './lru-tables.ts';

// Distance-to-goal tables (moves along the graph's edges) for the goals agents currently hold, built under a
// time budget. A full backward BFS on a 40,000-cell warehouse costs around a millisecond, and at the first
// step of a 10,000-agent instance every agent has a fresh goal; building all tables at once would blow the
// per-step budget. Goals without a table this step fall back to the straight-line (Manhattan) estimate and
// get their table in a later step. Tables are complete BFS results (not the core's lazy GoalDistance)
// because lifelong agents roam the whole map and lookups must be a plain array read.

export const UNREACHABLE = 0xffff;

/** Cost of driving the edge from → to, a small positive integer (1 = normal). */
export type EdgeCost = (from: number, to: number) => number;

export class GoalDistances {
  private readonly tables: LruTables;
  private readonly queue: Uint32Array;
  /** Cost of each in-edge (aligned with graph.inSource) when edges are weighted, else null (plain BFS). */
  private readonly inCost: Uint8Array | null;
  private readonly maxCost: number;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  tablesBuilt = 0;

  constructor(
    private readonly graph: Graph,
    maxTables: number,
    edgeCost?: EdgeCost,
  ) {
    this.tables = new LruTables(maxTables);
    if (graph.vertexCount >= UNREACHABLE) throw new RangeError(`graph too large for 16-bit distance tables: ${graph.vertexCount} vertices`);
    this.xs = graph.xs;
    this.ys = graph.ys;
    this.queue = new Uint32Array(graph.vertexCount);
    this.inCost = null;
    this.maxCost = 1;
    if (edgeCost) {
      const { inStart, inSource } = graph;
      const costs = new Uint8Array(inSource.length);
      for (let u = 0; u < graph.vertexCount; u++) {
        for (let i = inStart[u]!; i < inStart[u + 1]!; i++) {
          const c = Math.round(edgeCost(inSource[i]!, u));
          if (!(c >= 1 && c <= 255)) throw new RangeError(`edge cost must be an integer in 1..255, got ${c}`);
          costs[i] = c;
          this.maxCost = Math.max(this.maxCost, c);
        }
      }
      this.inCost = costs;
    }
  }

  /** The table for goal if one exists (marks it recently used), else undefined. Index by vertex. */
  table(goal: number): Uint16Array | undefined {
    return this.tables.get(goal);
  }

  /** Builds and caches the table for goal: a backward search over in-edges, so one-way edges are respected. */
  build(goal: number): Uint16Array {
    const existing = this.table(goal);
    if (existing) return existing;
    const dist = this.inCost ? this.weightedSearch(goal, this.inCost) : this.breadthFirst(goal);
    this.tablesBuilt++;
    this.tables.set(goal, dist);
    return dist;
  }

  private breadthFirst(goal: number): Uint16Array {
    const { inStart, inSource } = this.graph;
    const dist = new Uint16Array(this.graph.vertexCount).fill(UNREACHABLE);
    const queue = this.queue;
    let head = 0;
    let tail = 0;
    dist[goal] = 0;
    queue[tail++] = goal;
    while (head < tail) {
      const u = queue[head++]!;
      const next = dist[u]! + 1;
      const end = inStart[u + 1]!;
      for (let i = inStart[u]!; i < end; i++) {
        const w = inSource[i]!;
        if (dist[w] === UNREACHABLE) {
          dist[w] = next;
          queue[tail++] = w;
        }
      }
    }
    return dist;
  }

  /** Dial's algorithm: Dijkstra with one bucket per distance modulo (max cost + 1), for small integer costs. */
  private weightedSearch(goal: number, inCost: Uint8Array): Uint16Array {
    const { inStart, inSource } = this.graph;
    const dist = new Uint16Array(this.graph.vertexCount).fill(UNREACHABLE);
    const ring = this.maxCost + 1;
    const buckets: number[][] = Array.from({ length: ring }, () => []);
    dist[goal] = 0;
    buckets[0]!.push(goal);
    let pending = 1;
    for (let d = 0; pending > 0 && d < UNREACHABLE; d++) {
      const bucket = buckets[d % ring]!;
      while (bucket.length > 0) {
        const u = bucket.pop()!;
        pending--;
        if (dist[u] !== d) continue; // a stale entry: u was reached more cheaply later
        const end = inStart[u + 1]!;
        for (let i = inStart[u]!; i < end; i++) {
          const w = inSource[i]!;
          const nd = d + inCost[i]!;
          if (nd < dist[w]! && nd < UNREACHABLE) {
            dist[w] = nd;
            buckets[nd % ring]!.push(w);
            pending++;
          }
        }
      }
    }
    return dist;
  }

  /** Admissible on grids and on roadmaps whose edges are at least as long as the coordinate distance. */
  estimate(goal: number, v: number): number {
    return Math.abs(this.xs[goal]! - this.xs[v]!) + Math.abs(this.ys[goal]! - this.ys[v]!);
  }

  /** Changes the cache capacity (evicting the least recently used tables if it shrinks). */
  resize(maxTables: number): void {
    this.tables.resize(maxTables);
  }

  get size(): number {
    return this.tables.size;
  }
}
