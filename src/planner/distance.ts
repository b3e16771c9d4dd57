import type { Graph } from './graph.ts';

/**
 * Vertices and directed edges a search must not pass (obstacle-aware distances). The owner may change `blocked` in
 * place between queries, but only in ways the search has not seen yet (see GoalDistance.reached): a vertex not
 * reached yet may become a wall, and a wall may open when none of its out-neighbours was reached yet. Then the
 * search goes on exactly as if the new walls had been there from the start.
 */
export interface Walls {
  /** 1 = the vertex is a wall (the goal itself is always allowed). */
  readonly blocked: Uint8Array;
  /** Closed edges as `from * vertexCount + to`. */
  readonly closed?: ReadonlySet<number>;
}

/**
 * Shortest-path distances (in moves, i.e. edges) from every vertex *to* one goal, computed lazily: the backward
 * BFS from the goal only runs as far as the queries need, then resumes on the next query. Planners ask mostly
 * about vertices near the agents, so on large maps most of the table is never built.
 */
export class GoalDistance {
  /** Changes only through restart(). */
  goal: number;
  private readonly graph: Graph;
  private readonly walls: Walls | undefined;
  /**
   * Distances while the search has reached few vertices (SPARSE_MAX at most); null once it reached more. A table per
   * goal with a vertex-sized array cost 40 KB on a 20,000-node map even when, as usual, its search had reached a
   * dozen nodes: with a goal per AGV at 10,000 AGVs that was hundreds of MB and most of a planning round's
   * allocation and garbage collection.
   */
  private sparse: Map<number, number> | null = new Map();
  /** Distances once the search outgrew `sparse` (then kept across restarts). */
  private dist: Uint16Array | Uint32Array | null = null;
  private readonly unset: number;
  private queue: Uint32Array | null;
  private head = 0;
  private tail = 0;

  constructor(graph: Graph, goal: number, walls?: Walls) {
    this.graph = graph;
    this.goal = goal;
    this.walls = walls;
    // Distances never exceed V-1, so small graphs fit 16 bits and the table costs half the memory.
    this.unset = graph.vertexCount < 0xffff ? 0xffff : 0xffffffff;
    // The queue starts small and grows: lazy searches often stop long before covering the map.
    this.queue = new Uint32Array(Math.min(graph.vertexCount, 64));
    this.setDistance(goal, 0);
    this.queue[this.tail++] = goal;
  }

  /** Moves needed from v to the goal, or Infinity when the goal cannot be reached from v. */
  get(v: number): number {
    const known = this.known(v);
    if (known !== undefined) return known;
    // A wall is never reached: answering that would otherwise run the search over everything reachable.
    if (this.walls !== undefined && this.walls.blocked[v] === 1) return Number.POSITIVE_INFINITY;
    return this.expandUntil(v);
  }

  /**
   * Starts over toward another goal, keeping the arrays: for owners that drop and build many tables (allocating a
   * vertex-sized array per goal is what costs, in time and garbage collection, on large maps).
   */
  restart(goal: number): void {
    this.goal = goal;
    if (this.sparse !== null) {
      this.sparse.clear();
    } else if (this.queue === null) {
      this.dist!.fill(this.unset);
    } else {
      // Every vertex with a distance is in the queue (reached ones stay there, expanded or not): clearing just
      // those is O(reach), where filling the array was O(V) per restart.
      for (let i = 0; i < this.tail; i++) this.dist![this.queue[i]!] = this.unset;
    }
    this.queue ??= new Uint32Array(Math.min(this.graph.vertexCount, 64));
    this.head = 0;
    this.tail = 0;
    this.setDistance(goal, 0);
    this.queue[this.tail++] = goal;
  }

  /** The vertices reached so far, in the order reached; undefined once the search is complete (then: all reachable). */
  reachedSoFar(): Uint32Array | undefined {
    return this.queue?.subarray(0, this.tail);
  }

  /** Whether the search has reached v so far (its distance is known or queued to be expanded). */
  reached(v: number): boolean {
    return this.known(v) !== undefined;
  }

  /** Finishes the whole BFS (e.g. before sharing across threads or to measure memory). */
  complete(): void {
    this.expandUntil(-1);
  }

  private known(v: number): number | undefined {
    if (this.sparse !== null) return this.sparse.get(v);
    const d = this.dist![v]!;
    return d === this.unset ? undefined : d;
  }

  private setDistance(v: number, d: number): void {
    if (this.sparse !== null) this.sparse.set(v, d);
    else this.dist![v] = d;
  }

  /** The search outgrew the map: move to a vertex-sized array for good. */
  private densify(): void {
    const dist = this.graph.vertexCount < 0xffff ? new Uint16Array(this.graph.vertexCount) : new Uint32Array(this.graph.vertexCount);
    dist.fill(this.unset);
    for (const [v, d] of this.sparse!) dist[v] = d;
    this.dist = dist;
    this.sparse = null;
  }

  private expandUntil(target: number): number {
    if (this.queue === null) return Number.POSITIVE_INFINITY;
    while (this.sparse !== null && this.head < this.tail) {
      if (this.tail >= SPARSE_MAX) {
        this.densify();
        break;
      }
      const found = this.expandOneSparse(target);
      if (found !== undefined) return found;
    }
    if (this.sparse !== null) return this.exhausted(target);
    return this.expandDense(target);
  }

  /** Expands one vertex while distances live in the map; the distance of target once it is reached. */
  private expandOneSparse(target: number): number | undefined {
    const sparse = this.sparse!;
    const { inStart, inSource } = this.graph;
    const blocked = this.walls?.blocked;
    const closed = this.walls?.closed !== undefined && this.walls.closed.size > 0 ? this.walls.closed : undefined;
    const n = this.graph.vertexCount;
    const u = this.queue![this.head++]!;
    const next = sparse.get(u)! + 1;
    const end = inStart[u + 1]!;
    for (let i = inStart[u]!; i < end; i++) {
      const w = inSource[i]!;
      if (sparse.has(w)) continue;
      if (blocked !== undefined && (blocked[w] === 1 || closed?.has(w * n + u) === true)) continue;
      sparse.set(w, next);
      this.enqueue(w);
    }
    return target >= 0 ? sparse.get(target) : undefined;
  }

  private expandDense(target: number): number {
    const { inStart, inSource } = this.graph;
    const dist = this.dist!;
    const unset = this.unset;
    const blocked = this.walls?.blocked;
    const closed = this.walls?.closed !== undefined && this.walls.closed.size > 0 ? this.walls.closed : undefined;
    const n = this.graph.vertexCount;
    while (this.head < this.tail) {
      const u = this.queue![this.head++]!;
      const next = dist[u]! + 1;
      const end = inStart[u + 1]!;
      for (let i = inStart[u]!; i < end; i++) {
        const w = inSource[i]!;
        if (dist[w] !== unset) continue;
        if (blocked !== undefined && (blocked[w] === 1 || closed?.has(w * n + u) === true)) continue;
        dist[w] = next;
        this.enqueue(w);
      }
      if (target >= 0 && dist[target] !== unset) return dist[target]!;
    }
    return this.exhausted(target);
  }

  private enqueue(w: number): void {
    let queue = this.queue!;
    if (this.tail === queue.length) {
      const grown = new Uint32Array(Math.min(this.graph.vertexCount, queue.length * 2));
      grown.set(queue);
      this.queue = queue = grown;
    }
    queue[this.tail++] = w;
  }

  /** Search exhausted: release the queue; every vertex still unset is unreachable. */
  private exhausted(target: number): number {
    // A complete search keeps no queue, so its distances must be in the array (restart() then clears it all).
    if (this.sparse !== null) this.densify();
    this.queue = null;
    return target >= 0 ? (this.known(target) ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  }
}

/** Vertices a search reaches before its distances move from a map to a vertex-sized array. */
const SPARSE_MAX = 256;

export interface DistanceTableOptions {
  /** Keep at most this many goals' tables, evicting the least recently requested (default unbounded). */
  maxGoals?: number;
}

/** Cache of GoalDistance per goal vertex for one graph. */
export class DistanceTable {
  readonly graph: Graph;
  private readonly maxGoals: number;
  private readonly byGoal = new Map<number, GoalDistance>();

  constructor(graph: Graph, options: DistanceTableOptions = {}) {
    this.graph = graph;
    this.maxGoals = options.maxGoals ?? Number.POSITIVE_INFINITY;
  }

  /** The (lazily built) distance-to-goal table; hold on to it in hot loops instead of calling get(). */
  forGoal(goal: number): GoalDistance {
    let table = this.byGoal.get(goal);
    if (table) {
      if (this.maxGoals !== Number.POSITIVE_INFINITY) {
        this.byGoal.delete(goal);
        this.byGoal.set(goal, table);
      }
      return table;
    }
    if (!this.graph.isVertex(goal)) throw new RangeError(`goal ${goal} is not a vertex of the graph`);
    table = new GoalDistance(this.graph, goal);
    this.byGoal.set(goal, table);
    if (this.byGoal.size > this.maxGoals) this.byGoal.delete(this.byGoal.keys().next().value!);
    return table;
  }

  /** Moves from v to goal (Infinity if unreachable). */
  get(goal: number, v: number): number {
    return this.forGoal(goal).get(v);
  }

  get cachedGoals(): number {
    return this.byGoal.size;
  }
}
