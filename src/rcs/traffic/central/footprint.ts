// Footprints: AGVs are modelled as discs on the site plane. Two AGVs standing on nodes n and m collide when the
// nodes are closer than the sum of their radii. The disc radius is half the longest body side: AGVs turn on the
// spot at nodes, and along a lane the half-lengths of two AGVs nose to tail must fit between their nodes.
// Per-node conflict sets are therefore per pair of AGV sizes, derived here from the map geometry rather than
// stored in the map.

export interface Dimensions {
  lengthM: number;
  widthM: number;
}

/** Radius (m) of the disc that covers an AGV turning in place; used when an AGV's size is unknown. */
export const DEFAULT_RADIUS_M = 0.45;

export function radiusOf(dimensions: Dimensions | undefined): number {
  if (!dimensions) return DEFAULT_RADIUS_M;
  const longest = Math.max(dimensions.lengthM, dimensions.widthM);
  return Number.isFinite(longest) && longest > 0 ? longest / 2 : DEFAULT_RADIUS_M;
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

/** Whether AGVs of radii ra at node a and rb at node b would overlap. Touching (equal) does not count. */
export function footprintsOverlap(distance: number, ra: number, rb: number): boolean {
  return distance < ra + rb - 1e-9;
}
