import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { GraphBuilder } from '../../src/planner/graph.ts';
import { gridFromRows, GridGraph } from '../../src/planner/grid.ts';
import { GoalDistances, GraphMotionModel, laneGuidance, LifelongPlanner, RotationMotionModel } from '../../src/planner/research/lifelong/index.ts';
import type { Graph } from '../../src/planner/graph.ts';

/** Independent check of one executed step on a graph: moves follow edges, no shared vertex, no swap. */
function stepViolations(graph: Graph, from: Int32Array, to: Int32Array): string[] {
  const problems: string[] = [];
  const seen = new Map<number, number>();
  for (let i = 0; i < from.length; i++) {
    if (from[i] !== to[i] && !graph.hasEdge(from[i]!, to[i]!)) problems.push(`agent ${i} jumps ${from[i]}->${to[i]}`);
    const other = seen.get(to[i]!);
    if (other !== undefined) problems.push(`agents ${other} and ${i} meet at ${to[i]}`);
    seen.set(to[i]!, i);
    for (let j = 0; j < i; j++) {
      if (from[i] !== to[i] && from[i] === to[j] && to[i] === from[j]) problems.push(`agents ${j} and ${i} swap`);
    }
  }
  return problems;
}

describe('LifelongPlanner with the plain graph motion model (RCS roadmaps)', () => {
  it('moves agents on a one-way loop with a two-way spur to their goals without conflicts', () => {
    // Ring 0→1→2→3→4→5→0 (one-way) plus a two-way spur 2↔6.
    const b = new GraphBuilder();
    for (let i = 0; i < 7; i++) b.addVertex(i, 0);
    for (let i = 0; i < 6; i++) b.addEdge(i, (i + 1) % 6, { oneWay: true, length: 1 });
    b.addEdge(2, 6, { length: 1 });
    const graph = b.build();
    const planner = new LifelongPlanner(graph, new GraphMotionModel(), { clock: new ManualClock() });
    let current: Int32Array = Int32Array.from([0, 1, 6]);
    const goals = Int32Array.from([4, 0, 3]);
    for (let t = 0; t < 30; t++) {
      const { actions, reached } = planner.step(current, goals);
      expect(actions).toEqual(Array.from(reached));
      expect(stepViolations(graph, current, reached)).toEqual([]);
      current = reached;
    }
    expect(Array.from(current)).toEqual([4, 0, 3]);
  });

  it('makes an agent parked at its goal give way, then return', () => {
    const grid = new GridGraph(gridFromRows(['.....', '.@.@.']));
    const planner = new LifelongPlanner(grid.graph, new GraphMotionModel(), { clock: new ManualClock() });
    const parked = grid.vertexAt(2, 0);
    let current: Int32Array = Int32Array.from([grid.vertexAt(0, 0), parked]);
    const goals = Int32Array.from([grid.vertexAt(4, 0), parked]);
    let gaveWay = false;
    // A symmetric standoff in the corridor is broken by the tie-breaking, which changes every 50 steps.
    for (let t = 0; t < 150; t++) {
      const { reached } = planner.step(current, goals);
      expect(stepViolations(grid.graph, current, reached)).toEqual([]);
      current = reached;
      if (current[1] !== parked) gaveWay = true;
    }
    expect(gaveWay).toBe(true);
    expect(Array.from(current)).toEqual(Array.from(goals));
  });

  it('keeps an agent without a goal (-1) where it is when nobody needs the cell', () => {
    const grid = new GridGraph(gridFromRows(['...', '...']));
    const planner = new LifelongPlanner(grid.graph, new GraphMotionModel(), { clock: new ManualClock() });
    const { reached } = planner.step(Int32Array.from([0, 4]), Int32Array.from([2, -1]));
    expect(reached[1]).toBe(4);
  });

  it('refuses bad input with a RangeError and stays usable', () => {
    const grid = new GridGraph(gridFromRows(['...']));
    const planner = new LifelongPlanner(grid.graph, new GraphMotionModel(), { clock: new ManualClock() });
    expect(() => planner.step(Int32Array.from([0, 0]), Int32Array.from([1, 2]))).toThrow(RangeError);
    expect(() => planner.step(Int32Array.from([7]), Int32Array.from([1]))).toThrow(/not a vertex/);
    expect(() => planner.step(Int32Array.from([0]), Int32Array.from([1, 2]))).toThrow(/goals/);
    expect(Array.from(planner.step(Int32Array.from([0]), Int32Array.from([2])).reached)).toEqual([1]);
  });

  it('falls back to estimates when the distance-table budget is used up, and still plans legally', () => {
    const grid = new GridGraph(gridFromRows(['......', '.@@@@.', '......']));
    const clock = new ManualClock();
    // Every clock read advances time by 5 ms: with a 20 ms budget (10 ms for tables) only one table fits per step.
    const ticking = { now: () => (clock.advance(5), clock.now()) };
    const planner = new LifelongPlanner(grid.graph, new GraphMotionModel(), { clock: ticking });
    let current: Int32Array = Int32Array.from([grid.vertexAt(0, 1), grid.vertexAt(5, 1)]);
    const goals = Int32Array.from([grid.vertexAt(5, 1), grid.vertexAt(0, 1)]);
    let estimated = 0;
    for (let t = 0; t < 40; t++) {
      const step = planner.step(current, goals, 20);
      estimated += step.stats.estimatedAgents;
      expect(stepViolations(grid.graph, current, step.reached)).toEqual([]);
      current = step.reached;
    }
    expect(estimated).toBeGreaterThan(0);
    expect(Array.from(current)).toEqual(Array.from(goals));
  });
});

describe('RotationMotionModel', () => {
  it('turns before driving into a side cell and drives only when facing it', () => {
    const grid = new GridGraph(gridFromRows(['...', '...']));
    const model = new RotationMotionModel(grid);
    const planner = new LifelongPlanner(grid.graph, model, { clock: new ManualClock() });
    model.orientation = Uint8Array.from([0]); // facing east
    const start = grid.vertexAt(0, 0);
    const goal = grid.vertexAt(0, 1); // directly south
    const first = planner.step(Int32Array.from([start]), Int32Array.from([goal]));
    expect(first.actions).toEqual(['R']);
    expect(first.reached[0]).toBe(start);
    model.orientation = Uint8Array.from([1]);
    const second = planner.step(Int32Array.from([start]), Int32Array.from([goal]));
    expect(second.actions).toEqual(['F']);
    expect(second.reached[0]).toBe(goal);
  });

  it('lets an agent follow another that drives on, but not one that turns', () => {
    const grid = new GridGraph(gridFromRows(['....']));
    const model = new RotationMotionModel(grid);
    const planner = new LifelongPlanner(grid.graph, model, { clock: new ManualClock() });
    model.orientation = Uint8Array.from([0, 0]);
    const follow = planner.step(Int32Array.from([0, 1]), Int32Array.from([3, 2]));
    expect(follow.actions).toEqual(['F', 'F']);
    // Leader at 1 faces west and must turn to go east: the follower has to wait.
    model.orientation = Uint8Array.from([0, 2]);
    const blocked = planner.step(Int32Array.from([0, 1]), Int32Array.from([3, 3]));
    expect(blocked.actions[1]).not.toBe('F');
    expect(blocked.actions[0]).toBe('W');
    expect(Array.from(blocked.reached)).toEqual([0, 1]);
  });
});

describe('lane guidance', () => {
  it('makes driving against a lane dearer in the distance tables, without forbidding it', () => {
    // Row 0 runs east, row 1 runs west; column 0 runs south, column 1 north, ...
    const grid = new GridGraph(gridFromRows(['.....', '.....']));
    const tables = new GoalDistances(grid.graph, 8, laneGuidance(grid, 3));
    const east = tables.build(grid.vertexAt(4, 0));
    expect(east[grid.vertexAt(0, 0)]).toBe(4); // with the lane all the way
    const west = tables.build(grid.vertexAt(0, 0));
    // Against row 0's lane costs 3 per cell; dropping to row 1 (west-bound) and back is cheaper.
    expect(west[grid.vertexAt(4, 0)]).toBeLessThan(12);
    expect(west[grid.vertexAt(4, 0)]).toBeGreaterThan(4);
    const plain = new GoalDistances(grid.graph, 8).build(grid.vertexAt(0, 0));
    expect(plain[grid.vertexAt(4, 0)]).toBe(4);
  });

  it('rejects edge costs that are not small positive integers', () => {
    const grid = new GridGraph(gridFromRows(['..']));
    expect(() => new GoalDistances(grid.graph, 8, () => 0)).toThrow(RangeError);
  });
});
