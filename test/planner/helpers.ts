import { DistanceTable, GraphBuilder, gridFromRows, gridToGraph, type Graph, type GridGraph } from '../../src/planner/index.ts';

/** Grid from rows ('.' free) plus a lookup of (x, y) -> vertex that fails loudly on blocked cells. */
export function grid(rows: string[]): { gg: GridGraph; at: (x: number, y: number) => number } {
  const gg = gridToGraph(gridFromRows(rows));
  return {
    gg,
    at: (x, y) => {
      const v = gg.vertexAt(x, y);
      if (v < 0) throw new Error(`(${x}, ${y}) is blocked`);
      return v;
    },
  };
}

/** Directed ring 0 -> 1 -> ... -> n-1 -> 0 laid out on a line. */
export function oneWayRing(n: number): Graph {
  const b = new GraphBuilder();
  for (let i = 0; i < n; i++) b.addVertex(i, 0);
  for (let i = 0; i < n; i++) b.addEdge(i, (i + 1) % n, { oneWay: true });
  return b.build();
}

export function distancesFor(graph: Graph, goals: number[]): { table: DistanceTable; perAgent: ReturnType<DistanceTable['forGoal']>[] } {
  const table = new DistanceTable(graph);
  return { table, perAgent: goals.map((g) => table.forGoal(g)) };
}
