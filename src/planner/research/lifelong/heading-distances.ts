import type { GridGraph } from '../../grid.ts';
import { LruTables } from './lru-tables.ts';

// Exact time-to-goal for a robot that must turn before driving: states are (cell, heading), actions F/R/C
// each cost one step, and the goal is reached in any heading. A backward BFS over 4 × cells states per goal;
// 8 bytes per cell, so these tables are kept for as many goals as the memory budget allows.

const UNSET = 0xffff;

export class HeadingDistances {
  private readonly tables: LruTables;
  private queue: Uint32Array;
  tablesBuilt = 0;

  constructor(
    private readonly grid: GridGraph,
    maxTables: number,
  ) {
    this.tables = new LruTables(maxTables);
    this.queue = new Uint32Array(grid.graph.vertexCount * 4);
  }

  /** The table for goal (index v * 4 + heading), or undefined if not built yet. Marks it recently used. */
  table(goal: number): Uint16Array | undefined {
    return this.tables.get(goal);
  }

  build(goal: number): Uint16Array {
    const existing = this.table(goal);
    if (existing) return existing;
    const around = this.grid.directionNeighbor;
    const dist = new Uint16Array(this.grid.graph.vertexCount * 4).fill(UNSET);
    const queue = this.queue;
    let head = 0;
    let tail = 0;
    for (let h = 0; h < 4; h++) {
      dist[goal * 4 + h] = 0;
      queue[tail++] = goal * 4 + h;
    }
    while (head < tail) {
      const s = queue[head++]!;
      const v = s >> 2;
      const h = s & 3;
      const next = dist[s]! + 1;
      // Predecessors of (v, h): driving forward from the cell behind, or turning in place from h∓1.
      const behind = around[v * 4 + ((h + 2) & 3)]!;
      if (behind >= 0 && dist[behind * 4 + h] === UNSET) {
        dist[behind * 4 + h] = next;
        queue[tail++] = behind * 4 + h;
      }
      const ccw = v * 4 + ((h + 3) & 3);
      if (dist[ccw] === UNSET) {
        dist[ccw] = next;
        queue[tail++] = ccw;
      }
      const cw = v * 4 + ((h + 1) & 3);
      if (dist[cw] === UNSET) {
        dist[cw] = next;
        queue[tail++] = cw;
      }
    }
    this.tablesBuilt++;
    this.tables.set(goal, dist);
    return dist;
  }

  resize(maxTables: number): void {
    this.tables.resize(maxTables);
  }

  get size(): number {
    return this.tables.size;
  }
}

export const HEADING_UNREACHABLE = UNSET;
