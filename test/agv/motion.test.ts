import { describe, expect, it } from 'vitest';
import { setPath, step, type MotionState } from '../../src/agv/sim/motion.ts';

const limits = { maxSpeedMps: 1.5, accelMps2: 0.5 };

function start(): MotionState {
  return { x: 0, y: 0, theta: 0, speed: 0, lastNodeId: 'a', ahead: [] };
}

describe('simulated motion', () => {
  it('accelerates, respects the speed limit and stops exactly at the last released node', () => {
    const state = start();
    setPath(state, [
      { id: 'a', x: 0, y: 0 },
      { id: 'b', x: 5, y: 0 },
      { id: 'c', x: 10, y: 0, maxSpeed: 1.0 },
    ]);
    const reached: string[] = [];
    let maxSpeed = 0;
    for (let t = 0; t < 200 && state.ahead.length > 0; t++) {
      reached.push(...step(state, limits, 0.1).reached);
      maxSpeed = Math.max(maxSpeed, state.speed);
      expect(state.x).toBeLessThanOrEqual(10 + 1e-9);
    }
    expect(reached).toEqual(['b', 'c']);
    expect(state.x).toBeCloseTo(10, 6);
    expect(state.speed).toBe(0);
    expect(maxSpeed).toBeLessThanOrEqual(1.5 + 1e-9);
  });

  it('never passes the released end even with huge steps, and continues when the path is extended', () => {
    const state = start();
    setPath(state, [{ id: 'b', x: 3, y: 4 }]);
    step(state, limits, 100);
    expect(state.lastNodeId).toBe('b');
    expect(Math.hypot(state.x, state.y)).toBeCloseTo(5, 6);
    expect(state.theta).toBeCloseTo(Math.atan2(4, 3), 6);
    setPath(state, [
      { id: 'b', x: 3, y: 4 },
      { id: 'c', x: 3, y: 10 },
    ]);
    expect(state.ahead.map((p) => p.id)).toEqual(['c']);
    step(state, limits, 100);
    expect(state.lastNodeId).toBe('c');
  });

  it('brakes to a stop between nodes when asked', () => {
    const state = start();
    setPath(state, [{ id: 'b', x: 100, y: 0 }]);
    for (let i = 0; i < 50; i++) step(state, limits, 0.1);
    const before = state.x;
    for (let i = 0; i < 100; i++) step(state, limits, 0.1, true);
    expect(state.speed).toBe(0);
    expect(state.x).toBeGreaterThan(before);
    expect(state.x).toBeLessThan(100);
  });
});
