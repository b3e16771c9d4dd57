import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { checkJointAction, LorrPlanner, LorrSimulation, parseLorrMap, type LorrMap } from '../../src/planner/research/lorr/index.ts';

// Operation PIBT (src/planner/research/lifelong/operation-pibt.ts), the default planner of LorrPlanner: every joint
// action must pass the independent LoRR rules check, and agents must get past each other where turning robots
// need room to manoeuvre.

function map(rows: string[]): LorrMap {
  return parseLorrMap(`type octile\nheight ${rows.length}\nwidth ${rows[0]!.length}\nmap\n${rows.join('\n')}\n`);
}

/** Runs the planner under the rules for `steps` steps; returns the simulation and every rule violation seen. */
function run(m: LorrMap, starts: number[], tasks: number[], steps: number) {
  const sim = new LorrSimulation(m, Int32Array.from(starts), Int32Array.from(tasks));
  const planner = new LorrPlanner(m, { clock: new ManualClock() });
  const violations: string[] = [];
  for (let t = 0; t < steps; t++) {
    const actions = planner.plan(sim.states, sim.goals(), 1000);
    const violation = checkJointAction(m, sim.states, actions);
    if (violation) violations.push(`t=${t}: ${violation.message}`);
    sim.step(actions);
  }
  return { sim, violations };
}

describe('operation PIBT (LorrPlanner default)', () => {
  it('turns first, then drives, for a goal to the side', () => {
    const m = map(['...', '...']);
    const planner = new LorrPlanner(m, { clock: new ManualClock() });
    // Facing east at (0,0); the goal (0,1) is directly south: one clockwise turn, then forward.
    expect(planner.plan([{ location: 0, orientation: 0 }], Int32Array.from([3]))).toEqual(['R']);
    expect(planner.plan([{ location: 0, orientation: 1 }], Int32Array.from([3]))).toEqual(['F']);
  });

  it('gets two robots meeting head-on on a ring road past each other', () => {
    // A ring of 1-cell roads around a block; the robots start at the two ends of the top road, both facing east,
    // and each has to reach the other's start.
    const m = map(['.......', '.@@@@@.', '.......']);
    const { sim, violations } = run(m, [0, 6], [6, 0], 60);
    expect(violations).toEqual([]);
    expect(sim.rejectedSteps).toBe(0);
    // Each robot reaches the far end at least once (round-robin then sends it back).
    expect(sim.tasksFinished).toBeGreaterThanOrEqual(2);
  });

  it('lets a robot drive on behind one that drives on in the same step', () => {
    const m = map(['.....']);
    const planner = new LorrPlanner(m, { clock: new ManualClock() });
    const actions = planner.plan(
      [
        { location: 0, orientation: 0 },
        { location: 1, orientation: 0 },
      ],
      Int32Array.from([4, 3]),
    );
    expect(actions).toEqual(['F', 'F']);
  });

  it('plans only legal joint actions for 40 robots on a cluttered 10 x 10 map and keeps finishing tasks', () => {
    const rows = ['..........', '.@@..@..@.', '..........', '.@..@@..@.', '..........', '.@@..@.@@.', '..........', '.@..@..@@.', '..........', '..........'];
    const m = map(rows);
    const free: number[] = [];
    for (let c = 0; c < m.obstacle.length; c++) if (!m.obstacle[c]) free.push(c);
    // Starts: the first 40 free cells; tasks: free cells in a scrambled but fixed order.
    const starts = free.slice(0, 40);
    const tasks = Array.from({ length: 400 }, (_, k) => free[(k * 37 + 11) % free.length]!);
    const { sim, violations } = run(m, starts, tasks, 300);
    expect(violations).toEqual([]);
    expect(sim.rejectedSteps).toBe(0);
    expect(sim.tasksFinished).toBeGreaterThan(100);
  });

  it('falls back to the one-step scheme when agents fill almost every cell, still legally', () => {
    // 9 robots on 10 free cells: denser than operationMaxDensity (0.85).
    const m = map(['.....', '.....']);
    const { sim, violations } = run(m, [0, 1, 2, 3, 4, 5, 6, 7, 8], [9, 8, 7, 6, 5, 4, 3, 2, 1], 100);
    expect(violations).toEqual([]);
    expect(sim.rejectedSteps).toBe(0);
    expect(sim.tasksFinished).toBeGreaterThan(0);
  });
});
