// Lift arithmetic shared by the loader (ride edges), routing (who fits) and the lift scheduler (ride times).

import type { Lift, MapFrame } from './types.ts';

/** Nominal seconds of one ride over `storeys` floors: doors close, the cabin travels, doors open. */
export function liftRideSeconds(lift: Pick<Lift, 'doorOpenS' | 'doorCloseS' | 'travelSPerFloor'>, storeys: number): number {
  return lift.doorCloseS + Math.max(1, storeys) * lift.travelSPerFloor + lift.doorOpenS;
}

/** How many AGVs ride at once when the largest body (longest side, m) in the ride is `bodyM`; 0: it never fits. */
export function liftCapacityFor(lift: Pick<Lift, 'capacity'>, bodyM: number): number {
  return lift.capacity.find((c) => bodyM <= c.maxBodyM + 1e-9)?.count ?? 0;
}

export interface Pose {
  x: number;
  y: number;
  theta: number;
}

/**
 * A pose on one map expressed in another map's frame, through the building frame both are placed in (MapFrame).
 * An AGV standing in a cabin does not move relative to the building during the ride, so this is the pose the
 * platform sends with the map switch.
 */
export function poseBetweenFrames(pose: Pose, from: MapFrame, to: MapFrame): Pose {
  const cf = Math.cos(from.theta);
  const sf = Math.sin(from.theta);
  const bx = from.x + cf * pose.x - sf * pose.y;
  const by = from.y + sf * pose.x + cf * pose.y;
  const dx = bx - to.x;
  const dy = by - to.y;
  const ct = Math.cos(to.theta);
  const st = Math.sin(to.theta);
  return { x: ct * dx + st * dy, y: -st * dx + ct * dy, theta: normaliseAngle(pose.theta + from.theta - to.theta) };
}

function normaliseAngle(a: number): number {
  const t = Math.atan2(Math.sin(a), Math.cos(a));
  return Object.is(t, -0) ? 0 : t;
}
