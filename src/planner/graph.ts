import { PlannerInputError } from './errors.ts';

/**
 * A compact, immutable directed graph. Vertices are 0..vertexCount-1; adjacency is stored CSR-style in typed
 * arrays so planners can walk it without allocating. An undirected connection is two directed edges.
 *
 * Waiting is always allowed and is not an edge. Optional per-vertex conflict sets model footprints: while an
 * agent occupies `v`, no other agent may occupy any vertex in `conflictsOf(v)` (the relation is symmetric and
 * never contains `v` itself; same-vertex conflicts are implicit).
 */
export class Graph {
  readonly vertexCount: number;
  readonly edgeCount: number;
  /** Out-edges of v are indices outStart[v] .. outStart[v+1]-1 into outTarget / outLength. */
  readonly outStart: Uint32Array;
  readonly outTarget: Uint32Array;
  readonly outLength: Float64Array;
  /** In-edges of v are indices inStart[v] .. inStart[v+1]-1 into inSource (used to search backwards from goals). */
  readonly inStart: Uint32Array;
  readonly inSource: Uint32Array;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  /** Conflict set of v is conflictTarget[conflictStart[v] .. conflictStart[v+1]-1]; empty everywhere when unused. */
  readonly conflictStart: Uint32Array;
  readonly conflictTarget: Uint32Array;
  readonly hasConflictSets: boolean;
  /** True when every edge has its reverse (plain grids, two-way roadmaps). */
  readonly isSymmetric: boolean;

  /** @internal use GraphBuilder or gridToGraph / buildRoadmapGraph. */
  constructor(parts: {
    outStart: Uint32Array;
    outTarget: Uint32Array;
    outLength: Float64Array;
    inStart: Uint32Array;
    inSource: Uint32Array;
    xs: Float64Array;
    ys: Float64Array;
    conflictStart: Uint32Array;
    conflictTarget: Uint32Array;
  }) {
    this.vertexCount = parts.xs.length;
    this.edgeCount = parts.outTarget.length;
    this.outStart = parts.outStart;
    this.outTarget = parts.outTarget;
    this.outLength = parts.outLength;
    this.inStart = parts.inStart;
    this.inSource = parts.inSource;
    this.xs = parts.xs;
    this.ys = parts.ys;
    this.conflictStart = parts.conflictStart;
    this.conflictTarget = parts.conflictTarget;
    this.hasConflictSets = parts.conflictTarget.length > 0;
    this.isSymmetric = this.computeSymmetric();
  }

  outDegree(v: number): number {
    return this.outStart[v + 1]! - this.outStart[v]!;
  }

  /** Out-neighbours of v as a view (no copy). */
  neighbors(v: number): Uint32Array {
    return this.outTarget.subarray(this.outStart[v]!, this.outStart[v + 1]!);
  }

  /** In-neighbours of v (vertices with an edge into v) as a view. */
  predecessors(v: number): Uint32Array {
    return this.inSource.subarray(this.inStart[v]!, this.inStart[v + 1]!);
  }

  hasEdge(from: number, to: number): boolean {
    return this.edgeIndex(from, to) >= 0;
  }

  /** Index into outTarget/outLength of the edge from→to, or -1. */
  edgeIndex(from: number, to: number): number {
    const end = this.outStart[from + 1]!;
    for (let i = this.outStart[from]!; i < end; i++) if (this.outTarget[i] === to) return i;
    return -1;
  }

  /** Length of edge from→to (1 on grids), or NaN when there is no such edge. */
  edgeLength(from: number, to: number): number {
    const i = this.edgeIndex(from, to);
    return i < 0 ? Number.NaN : this.outLength[i]!;
  }

  /** Vertices that may not be occupied by another agent while one agent is at v (excluding v). */
  conflictsOf(v: number): Uint32Array {
    return this.conflictTarget.subarray(this.conflictStart[v]!, this.conflictStart[v + 1]!);
  }

  /** True when agents at a and b would collide: same vertex or footprint conflict. */
  inConflict(a: number, b: number): boolean {
    if (a === b) return true;
    const end = this.conflictStart[a + 1]!;
    for (let i = this.conflictStart[a]!; i < end; i++) if (this.conflictTarget[i] === b) return true;
    return false;
  }

  isVertex(v: number): boolean {
    return Number.isInteger(v) && v >= 0 && v < this.vertexCount;
  }

  private computeSymmetric(): boolean {
    for (let u = 0; u < this.vertexCount; u++) {
      const end = this.outStart[u + 1]!;
      for (let i = this.outStart[u]!; i < end; i++) if (this.edgeIndex(this.outTarget[i]!, u) < 0) return false;
    }
    return true;
  }
}

/** Collects vertices, edges and conflicts, then freezes them into a Graph. Duplicate edges are merged. */
export class GraphBuilder {
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private readonly edges: Map<number, number>[] = [];
  private readonly conflicts: Set<number>[] = [];

  get vertexCount(): number {
    return this.xs.length;
  }

  addVertex(x: number, y: number): number {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new PlannerInputError('GRAPH_INVALID', `vertex coordinates must be finite numbers, got (${x}, ${y})`);
    }
    this.xs.push(x);
    this.ys.push(y);
    this.edges.push(new Map());
    this.conflicts.push(new Set());
    return this.xs.length - 1;
  }

  /** Adds from→to (and to→from unless oneWay). Length defaults to the Euclidean distance, or 1 when that is 0. */
  addEdge(from: number, to: number, options: { length?: number; oneWay?: boolean } = {}): void {
    this.checkVertex(from);
    this.checkVertex(to);
    if (from === to) throw new PlannerInputError('GRAPH_INVALID', `self-loop on vertex ${from}: waiting is implicit`);
    const length = options.length ?? (Math.hypot(this.xs[to]! - this.xs[from]!, this.ys[to]! - this.ys[from]!) || 1);
    if (!(length > 0) || !Number.isFinite(length)) {
      throw new PlannerInputError('GRAPH_INVALID', `edge ${from}->${to} needs a positive finite length, got ${length}`);
    }
    this.edges[from]!.set(to, length);
    if (!options.oneWay) this.edges[to]!.set(from, length);
  }

  /** Declares that agents may not stand on a and b at the same time (footprints overlap). Symmetric. */
  addConflict(a: number, b: number): void {
    this.checkVertex(a);
    this.checkVertex(b);
    if (a === b) return;
    this.conflicts[a]!.add(b);
    this.conflicts[b]!.add(a);
  }

  build(): Graph {
    const n = this.xs.length;
    const outStart = new Uint32Array(n + 1);
    const inCount = new Uint32Array(n + 1);
    for (let u = 0; u < n; u++) {
      outStart[u + 1] = outStart[u]! + this.edges[u]!.size;
      for (const v of this.edges[u]!.keys()) inCount[v + 1]!++;
    }
    const m = outStart[n]!;
    const outTarget = new Uint32Array(m);
    const outLength = new Float64Array(m);
    const inStart = new Uint32Array(n + 1);
    for (let v = 0; v < n; v++) inStart[v + 1] = inStart[v]! + inCount[v + 1]!;
    const inFill = inStart.slice(0, n);
    const inSource = new Uint32Array(m);
    for (let u = 0; u < n; u++) {
      let i = outStart[u]!;
      for (const [v, length] of this.edges[u]!) {
        outTarget[i] = v;
        outLength[i] = length;
        i++;
        inSource[inFill[v]!++] = u;
      }
    }
    const conflictStart = new Uint32Array(n + 1);
    for (let u = 0; u < n; u++) conflictStart[u + 1] = conflictStart[u]! + this.conflicts[u]!.size;
    const conflictTarget = new Uint32Array(conflictStart[n]!);
    for (let u = 0; u < n; u++) {
      const sorted = [...this.conflicts[u]!].sort((a, b) => a - b);
      conflictTarget.set(sorted, conflictStart[u]!);
    }
    return new Graph({
      outStart,
      outTarget,
      outLength,
      inStart,
      inSource,
      xs: Float64Array.from(this.xs),
      ys: Float64Array.from(this.ys),
      conflictStart,
      conflictTarget,
    });
  }

  private checkVertex(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v >= this.xs.length) {
      throw new PlannerInputError('GRAPH_INVALID', `unknown vertex ${v} (have ${this.xs.length})`);
    }
  }
}
