// Pure motion model of one simulated AGV: drives along the released nodes with a trapezoidal speed profile and
// never past the last released node. Units are metres, seconds and radians.

export interface PathPoint {
  id: string;
  x: number;
  y: number;
  /** Speed limit (m/s) for the edge that ends at this point. */
  maxSpeed?: number;
}

export interface MotionLimits {
  maxSpeedMps: number;
  accelMps2: number;
}

export interface MotionState {
  x: number;
  y: number;
  theta: number;
  speed: number;
  /** Last node the AGV stood on or passed. */
  lastNodeId: string;
  /** Released nodes still ahead, in driving order (the first is the next node to reach). */
  ahead: PathPoint[];
}

export interface StepResult {
  /** Nodes reached during this step, in order. */
  reached: string[];
  distance: number;
}

/** Replaces the path ahead; `path` may start with the node the AGV last passed, which is skipped. */
export function setPath(state: MotionState, path: readonly PathPoint[]): void {
  const start = path.length > 0 && path[0]!.id === state.lastNodeId ? 1 : 0;
  state.ahead = path.slice(start).map((p) => ({ ...p }));
}

export function isMoving(state: MotionState): boolean {
  return state.ahead.length > 0 || state.speed > 0;
}

/** Advances the state by dtS seconds. stopRequested brakes to a stop at the comfortable deceleration. */
export function step(state: MotionState, limits: MotionLimits, dtS: number, stopRequested = false): StepResult {
  const result: StepResult = { reached: [], distance: 0 };
  let remainingTime = dtS;
  // Sub-steps keep braking accurate with large simulation steps.
  const sub = 0.05;
  while (remainingTime > 1e-9 && state.ahead.length > 0) {
    const dt = Math.min(sub, remainingTime);
    remainingTime -= dt;
    const target = state.ahead[0]!;
    const toEnd = distanceToEnd(state);
    const limit = Math.min(limits.maxSpeedMps, target.maxSpeed ?? Infinity);
    const brakingDistance = (state.speed * state.speed) / (2 * limits.accelMps2);
    let speed: number;
    if (stopRequested || toEnd <= brakingDistance + 1e-6) {
      // Decelerate exactly enough to stop at the end of the released path.
      const needed = toEnd > 1e-9 ? (state.speed * state.speed) / (2 * toEnd) : limits.accelMps2;
      speed = Math.max(0, state.speed - Math.max(needed, stopRequested ? limits.accelMps2 : 0) * dt);
      if (!stopRequested && speed < 0.05) speed = Math.min(0.05, toEnd / dt);
    } else {
      speed = Math.min(limit, state.speed + limits.accelMps2 * dt);
    }
    let travel = ((state.speed + speed) / 2) * dt;
    state.speed = speed;
    if (stopRequested && speed === 0) break;
    while (travel > 0 && state.ahead.length > 0) {
      const next = state.ahead[0]!;
      const dx = next.x - state.x;
      const dy = next.y - state.y;
      const gap = Math.hypot(dx, dy);
      if (gap > 1e-9) state.theta = Math.atan2(dy, dx);
      if (travel >= gap) {
        state.x = next.x;
        state.y = next.y;
        travel -= gap;
        result.distance += gap;
        state.lastNodeId = next.id;
        state.ahead.shift();
        result.reached.push(next.id);
      } else {
        state.x += (dx / gap) * travel;
        state.y += (dy / gap) * travel;
        result.distance += travel;
        travel = 0;
      }
    }
  }
  if (state.ahead.length === 0) state.speed = 0;
  return result;
}

function distanceToEnd(state: MotionState): number {
  let total = 0;
  let x = state.x;
  let y = state.y;
  for (const p of state.ahead) {
    total += Math.hypot(p.x - x, p.y - y);
    x = p.x;
    y = p.y;
  }
  return total;
}
