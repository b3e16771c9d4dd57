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
  private readonly dist: Uint16Array | Uint32Array;
  private readonly unset: number;
  private queue: Uint32Array | null;
  private head = 0;
  private tail = 0;

  constructor(graph: Graph, goal: number, walls?: Walls) {
    this.graph = graph;
    this.goal = goal;
    this.walls = walls;
    // Distances never exceed V-1, so small graphs fit 16 bits and the table costs half the memory.
    const small = graph.vertexCount < 0xffff;
    this.dist = small ? new Uint16Array(graph.vertexCount) : new Uint32Array(graph.vertexCount);
    this.unset = small ? 0xffff : 0xffffffff;
    this.dist.fill(this.unset);
    // The queue starts small and grows: lazy searches often stop long before covering the map.
    this.queue = new Uint32Array(Math.min(graph.vertexCount, 256));
    this.dist[goal] = 0;
    this.queue[this.tail++] = goal;
  }

  /** Moves needed from v to the goal, or Infinity when the goal cannot be reached from v. */
  get(v: number): number {
    const known = this.dist[v]!;
    if (known !== this.unset) return known;
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
    if (this.queue === null) {
      this.dist.fill(this.unset);
      this.queue = new Uint32Array(Math.min(this.graph.vertexCount, 256));
    } else {
      // Every vertex with a distance is in the queue (reached ones stay there, expanded or not): clearing just
      // those is O(reach), where filling the array was O(V) per restart — at 10,000 AGVs, each with a goal of its
      // own and a reach of a few nodes, that fill was most of a planning round.
      for (let i = 0; i < this.tail; i++) this.dist[this.queue[i]!] = this.unset;
    }
    this.head = 0;
    this.tail = 0;
    this.dist[goal] = 0;
    this.queue[this.tail++] = goal;
  }

  /** The vertices reached so far, in the order reached; undefined once the search is complete (then: all reachable). */
  reachedSoFar(): Uint32Array | undefined {
    return this.queue?.subarray(0, this.tail);
  }

  /** Whether the search has reached v so far (its distance is known or queued to be expanded). */
  reached(v: number): boolean {
    return this.dist[v] !== this.unset;
  }

  /** Finishes the whole BFS (e.g. before sharing across threads or to measure memory). */
  complete(): void {
    this.expandUntil(-1);
  }

  private expandUntil(target: number): number {
    if (this.queue === null) return Number.POSITIVE_INFINITY;
    let queue: Uint32Array = this.queue;
    const { inStart, inSource } = this.graph;
    const dist = this.dist;
    const unset = this.unset;
    const blocked = this.walls?.blocked;
    const closed = this.walls?.closed !== undefined && this.walls.closed.size > 0 ? this.walls.closed : undefined;
    const n = this.graph.vertexCount;
    while (this.head < this.tail) {
      const u = queue[this.head++]!;
      const next = dist[u]! + 1;
      const end = inStart[u + 1]!;
      for (let i = inStart[u]!; i < end; i++) {
        const w = inSource[i]!;
        if (dist[w] !== unset) continue;
        if (blocked !== undefined && (blocked[w] === 1 || closed?.has(w * n + u) === true)) continue;
        dist[w] = next;
        if (this.tail === queue.length) {
          const grown = new Uint32Array(Math.min(this.graph.vertexCount, queue.length * 2));
          grown.set(queue);
          this.queue = queue = grown;
        }
        queue[this.tail++] = w;
      }
      if (target >= 0 && dist[target] !== unset) return dist[target]!;
    }
    // Search exhausted: release the queue; every vertex still unset is unreachable.
    this.queue = null;
    return target >= 0 && dist[target] !== unset ? dist[target]! : Number.POSITIVE_INFINITY;
  }
}

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
