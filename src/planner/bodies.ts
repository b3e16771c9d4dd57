import type { Graph } from './graph.ts';

// Bodies: which agents collide besides two on one vertex. Point agents (no Bodies) collide only on a vertex or
// in a swap. A graph's conflict sets give every agent the same footprint; discs give each agent its own size, so
// whether two AGVs collide depends on both (a forklift next to a small tugger may fit where two forklifts do not).

/** The body model PIBT plans with, on top of the vertex and swap rules. */
export interface Bodies {
  /**
   * Visits, in a fixed order, each agent j ≠ i that `at` (agent per vertex, -1 none) places on a vertex other than
   * c where j's body would overlap agent i's body at c. Stops and returns true as soon as `visit` returns true.
   */
  someOverlap(i: number, c: number, at: Int32Array, visit: (j: number) => boolean): boolean;
}

/** The graph's conflict sets as bodies: one footprint for every agent. */
export class ConflictSetBodies implements Bodies {
  constructor(private readonly graph: Graph) {}

  someOverlap(i: number, c: number, at: Int32Array, visit: (j: number) => boolean): boolean {
    const { conflictStart, conflictTarget } = this.graph;
    for (let k = conflictStart[c]!, end = conflictStart[c + 1]!; k < end; k++) {
      const j = at[conflictTarget[k]!]!;
      if (j >= 0 && j !== i && visit(j)) return true;
    }
    return false;
  }
}

export interface NodeXY {
  x: number;
  y: number;
}

/**
 * For every node, the other nodes within `reach` metres, with their distances: the candidates for footprint
 * conflicts. Built once per map with a uniform bucket grid, so it costs O(nodes × neighbours).
 */
export class NearbyNodes {
  private readonly near: { node: number; distance: number }[][];

  constructor(
    private readonly points: readonly NodeXY[],
    readonly reach: number,
  ) {
    const cell = Math.max(reach, 1e-6);
    const buckets = new Map<string, number[]>();
    const key = (cx: number, cy: number) => `${cx},${cy}`;
    points.forEach((p, i) => {
      const k = key(Math.floor(p.x / cell), Math.floor(p.y / cell));
      let bucket = buckets.get(k);
      if (!bucket) buckets.set(k, (bucket = []));
      bucket.push(i);
    });
    this.near = points.map((p, i) => {
      const list: { node: number; distance: number }[] = [];
      const cx = Math.floor(p.x / cell);
      const cy = Math.floor(p.y / cell);
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          for (const j of buckets.get(key(cx + dx, cy + dy)) ?? []) {
            if (j === i) continue;
            const distance = Math.hypot(points[j]!.x - p.x, points[j]!.y - p.y);
            if (distance < reach) list.push({ node: j, distance });
          }
        }
      }
      return list;
    });
  }

  /** Nodes within reach of node v (not v itself). */
  of(v: number): readonly { node: number; distance: number }[] {
    return this.near[v] ?? [];
  }

  distance(a: number, b: number): number {
    return Math.hypot(this.points[a]!.x - this.points[b]!.x, this.points[a]!.y - this.points[b]!.y);
  }
}

/** Whether discs of radii ra at node a and rb at node b, `distance` apart, overlap. Touching (equal) does not count. */
export function footprintsOverlap(distance: number, ra: number, rb: number): boolean {
  return distance < ra + rb - 1e-9;
}

/**
 * Each agent a disc of its own radius, turning in place at nodes. `nearby` must reach at least twice the largest
 * radius, else overlaps beyond its reach go unseen.
 */
export class DiscBodies implements Bodies {
  constructor(
    private readonly nearby: NearbyNodes,
    private readonly radius: ArrayLike<number>,
  ) {}

  someOverlap(i: number, c: number, at: Int32Array, visit: (j: number) => boolean): boolean {
    for (const { node, distance } of this.nearby.of(c)) {
      const j = at[node]!;
      if (j >= 0 && j !== i && footprintsOverlap(distance, this.radius[i]!, this.radius[j]!) && visit(j)) return true;
    }
    return false;
  }
}
