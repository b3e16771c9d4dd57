import { GoalDistance } from '../distance.ts';
import type { Graph } from '../graph.ts';

// Distance-to-goal tables for the goals agents currently hold, built under a time budget. A full backward BFS
// on a 40,000-cell warehouse costs about a millisecond, and at the first step of a 10,000-agent instance every
// agent has a fresh goal; building all tables at once would blow the per-step budget. Goals without a table
// this step fall back to the straight-line (Manhattan) estimate and get their table in a later step.

export interface GoalDistanceOptions {
  /** Keep at most this many tables (least recently used evicted first). */
  maxTables: number;
}

export class GoalDistances {
  private readonly tables = new Map<number, GoalDistance>();
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  tablesBuilt = 0;

  constructor(
    private readonly graph: Graph,
    private readonly options: GoalDistanceOptions,
  ) {
    this.xs = graph.xs;
    this.ys = graph.ys;
  }

  /** The table for goal if one exists (marks it recently used), else undefined. */
  table(goal: number): GoalDistance | undefined {
    const table = this.tables.get(goal);
    if (table) {
      this.tables.delete(goal);
      this.tables.set(goal, table);
    }
    return table;
  }

  /** Builds (completely, so later lookups cost nothing) and caches the table for goal. */
  build(goal: number): GoalDistance {
    let table = this.table(goal);
    if (table) return table;
    table = new GoalDistance(this.graph, goal);
    table.complete();
    this.tablesBuilt++;
    this.tables.set(goal, table);
    while (this.tables.size > this.options.maxTables) this.tables.delete(this.tables.keys().next().value!);
    return table;
  }

  /** Admissible on grids and on roadmaps whose edge lengths are at least the coordinate distance. */
  estimate(goal: number, v: number): number {
    return Math.abs(this.xs[goal]! - this.xs[v]!) + Math.abs(this.ys[goal]! - this.ys[v]!);
  }

  /** Changes the cache capacity (evicting the least recently used tables if it shrinks). */
  resize(maxTables: number): void {
    this.options.maxTables = maxTables;
    while (this.tables.size > maxTables) this.tables.delete(this.tables.keys().next().value!);
  }

  get size(): number {
    return this.tables.size;
  }
}
