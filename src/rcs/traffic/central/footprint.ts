// Footprints: AGVs are modelled as discs on the site plane. Two AGVs standing on nodes n and m collide when the
// nodes are closer than the sum of their radii. The disc radius is half the longest body side: AGVs turn on the
// spot at nodes, and along a lane the half-lengths of two AGVs nose to tail must fit between their nodes.
// Per-node conflict sets are therefore per pair of AGV sizes, derived from the map geometry rather than stored in
// the map (NearbyNodes, footprintsOverlap and DiscBodies in the planner package).

export interface Dimensions {
  lengthM: number;
  widthM: number;
}

/**
 * Radius (m) of the disc that covers a compact AGV turning in place; used only when a caller gives no size (tests and
 * benchmarks that plan point-like fleets). The platform always gives the body the AGV registered: a registration
 * without a valid length and width is refused, and an AGV is placed only after it registered.
 */
export const DEFAULT_RADIUS_M = 0.45;

export function radiusOf(dimensions: Dimensions | undefined): number {
  if (!dimensions) return DEFAULT_RADIUS_M;
  const longest = Math.max(dimensions.lengthM, dimensions.widthM);
  return Number.isFinite(longest) && longest > 0 ? longest / 2 : DEFAULT_RADIUS_M;
}
