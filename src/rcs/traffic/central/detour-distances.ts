import type { Graph } from '../../../planner/index.ts';

// Moves-to-goal tables that treat some nodes as walls: AGVs that cannot be pushed (offline, stalled, busy at
// their goal) are obstacles the others plan around. The planner's own tables ignore obstacles; these are small
// backward BFS runs, rebuilt only when the set of obstacles changes, and only for goals in use.

export class DetourDistances {
  private readonly tables = new Map<number, Float64Array>();
  private signature = '';
  private blocked: Uint8Array;
  /** Closed directed edges as `from * vertexCount + to`. */
  private closed = new Set<number>();

  constructor(private readonly graph: Graph) {
    this.blocked = new Uint8Array(graph.vertexCount);
  }

  /** Sets the obstacle nodes and closed edges; tables are dropped when they differ from last time. */
  setObstacles(nodes: readonly number[], closedEdges: readonly number[] = []): void {
    const signature = `${[...nodes].sort((a, b) => a - b).join(',')}|${[...closedEdges].sort((a, b) => a - b).join(',')}`;
    if (signature === this.signature) return;
    this.signature = signature;
    this.tables.clear();
    this.blocked.fill(0);
    for (const v of nodes) this.blocked[v] = 1;
    this.closed = new Set(closedEdges);
  }

  /** Moves from every node to goal avoiding obstacles (the goal itself is always allowed); Infinity if cut off. */
  table(goal: number): Float64Array {
    let table = this.tables.get(goal);
    if (table) return table;
    table = new Float64Array(this.graph.vertexCount).fill(Number.POSITIVE_INFINITY);
    const queue = new Uint32Array(this.graph.vertexCount);
    let head = 0;
    let tail = 0;
    table[goal] = 0;
    queue[tail++] = goal;
    const { inStart, inSource } = this.graph;
    const n = this.graph.vertexCount;
    const closed = this.closed.size > 0 ? this.closed : undefined;
    while (head < tail) {
      const u = queue[head++]!;
      for (let i = inStart[u]!; i < inStart[u + 1]!; i++) {
        const w = inSource[i]!;
        if (table[w] !== Number.POSITIVE_INFINITY || this.blocked[w]) continue;
        if (closed?.has(w * n + u) === true) continue;
        table[w] = table[u]! + 1;
        queue[tail++] = w;
      }
    }
    this.tables.set(goal, table);
    return table;
  }

  isObstacle(v: number): boolean {
    return this.blocked[v] === 1;
  }
}
