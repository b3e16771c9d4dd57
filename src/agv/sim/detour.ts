import type { Pt } from '../../core/index.ts';

// The detour a simulated AGV plans around an obstacle on the step from node A to node B: sideways by `offsetM`,
// along, and back onto B. The space it asks for is the ground its body (radius r) covers on the way.

export interface DetourPlan {
  /** Reference-point trajectory: A, beside A, beside B, B. */
  poses: Pt[];
  /** Outline the whole body stays within. */
  polygon: Pt[];
}

export function planDetour(a: Pt, b: Pt, radiusM: number, offsetM: number, side: 1 | -1 = 1): DetourPlan {
  const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const dir = { x: (b.x - a.x) / length, y: (b.y - a.y) / length };
  const perp = { x: -dir.y * side, y: dir.x * side };
  const at = (base: Pt, along: number, across: number): Pt => ({ x: base.x + dir.x * along + perp.x * across, y: base.y + dir.y * along + perp.y * across });
  return {
    poses: [a, at(a, 0, offsetM), at(b, 0, offsetM), b],
    polygon: [at(a, -radiusM, -radiusM), at(b, radiusM, -radiusM), at(b, radiusM, offsetM + radiusM), at(a, -radiusM, offsetM + radiusM)],
  };
}
