import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import {
  checkJointAction,
  LorrPlanner,
  LorrSimulation,
  type LorrPlannerOptions,
  parseLorrAgents,
  parseLorrMap,
  parseLorrProblem,
  parseLorrTasks,
} from '../../src/planner/research/lorr/index.ts';
import { mapfDataDir } from '../../bench/lib/mapf-data.ts';

const DATA = mapfDataDir();
const EXAMPLE = resolve(DATA, 'lorr/2023-start-kit-example/warehouse.domain');
const haveData = existsSync(EXAMPLE);
if (!haveData) console.warn(`LoRR data not found at ${EXAMPLE}; skipping LoRR planner tests (set UNIFLEET_MAPF_DATA)`);

function load(name: string) {
  const file = resolve(EXAMPLE, name);
  const problem = parseLorrProblem(readFileSync(file, 'utf8'));
  const read = (p: string) => readFileSync(resolve(dirname(file), p), 'utf8');
  const map = parseLorrMap(read(problem.mapFile));
  return {
    problem,
    map,
    starts: parseLorrAgents(read(problem.agentFile), map).subarray(0, problem.teamSize),
    tasks: parseLorrTasks(read(problem.taskFile), map),
  };
}

/** Runs the planner under the rules; every proposal is first judged by the independent rules check. */
function runChecked(name: string, steps: number, options: LorrPlannerOptions = {}) {
  const { problem, map, starts, tasks } = load(name);
  const sim = new LorrSimulation(map, starts, tasks, problem);
  // A clock that never moves: the budget is never exhausted, so the run is deterministic.
  const planner = new LorrPlanner(map, { clock: new ManualClock(), ...options });
  const violations: string[] = [];
  for (let t = 0; t < steps; t++) {
    const actions = planner.plan(sim.states, sim.goals(), 1000);
    const violation = checkJointAction(map, sim.states, actions);
    if (violation) violations.push(`t=${t}: ${violation.message}`);
    sim.step(actions);
  }
  return { sim, violations };
}

describe.skipIf(!haveData)('LorrPlanner on the 2023 start-kit example warehouse', () => {
  it('10 agents, 300 steps: only legal joint actions and tasks get finished', () => {
    const { sim, violations } = runChecked('warehouse_small_10.json', 300);
    expect(violations).toEqual([]);
    expect(sim.rejectedSteps).toBe(0);
    // Tasks on this map are ~30 steps apart; every agent finishes several.
    expect(sim.tasksFinished).toBeGreaterThan(40);
  });

  it('200 agents (dense), 200 steps: only legal joint actions and steady progress', () => {
    const { sim, violations } = runChecked('warehouse_small_200.json', 200);
    expect(violations).toEqual([]);
    expect(sim.tasksFinished).toBeGreaterThan(200);
  });

  it('with look-ahead over step variants: only legal joint actions, and the planner state stays consistent', () => {
    const { sim, violations } = runChecked('warehouse_small_100.json', 60, { lookaheadVariants: 4, lookaheadSteps: 5 });
    expect(violations).toEqual([]);
    expect(sim.tasksFinished).toBeGreaterThan(30);
  });

  it('is deterministic for a given seed', () => {
    expect(runChecked('warehouse_small_50.json', 100).sim.tasksFinished).toBe(runChecked('warehouse_small_50.json', 100).sim.tasksFinished);
  });

  it('refuses positions that are not free cells with a clear error', () => {
    const { map } = load('warehouse_small_10.json');
    const planner = new LorrPlanner(map, { clock: new ManualClock() });
    expect(() => planner.plan([{ location: 0, orientation: 0 }], Int32Array.from([60]))).toThrow(/not a free cell/);
    expect(() =>
      planner.plan(
        [
          { location: 233, orientation: 0 },
          { location: 233, orientation: 1 },
        ],
        Int32Array.from([234, 235]),
      ),
    ).toThrow(/both at vertex/);
  });
});
