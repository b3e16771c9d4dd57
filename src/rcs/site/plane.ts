// Body geometry compares positions; positions on different maps are in different frames and never collide (two
// floors, two buildings). Placing every map on one plane, far apart, lets geometry that knows nothing of maps
// (footprint conflicts, nearest-node searches) work on a whole site unchanged.

/** Distance (m) between the origins of consecutive maps on the site plane: far beyond any body or map. */
export const MAP_SPACING_M = 100_000;

/** Each node's position on the site plane, in the order given: map k (in order of first appearance) shifted k × MAP_SPACING_M along x. */
export function sitePlane(nodes: readonly { x: number; y: number; map?: string }[]): { x: number; y: number }[] {
  const slot = new Map<string, number>();
  return nodes.map((n) => {
    const key = n.map ?? '';
    let k = slot.get(key);
    if (k === undefined) slot.set(key, (k = slot.size));
    return { x: n.x + k * MAP_SPACING_M, y: n.y };
  });
}
