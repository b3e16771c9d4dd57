import { describe, expect, it } from 'vitest';
import { DistanceTable, GraphBuilder, PlannerInputError, buildRoadmapGraph, type Graph } from '../../src/planner/index.ts';
import { solveLacam, sumOfCosts, sumOfCostsLowerBound, validatePlans } from '../../src/planner/research/index.ts';
import { hasMapfData, loadInstance, mapPath, scenPath } from '../../bench/lib/mapf-data.ts';
import { grid, oneWayRing } from './helpers.ts';

function solveAndCheck(graph: Graph, starts: number[], goals: number[], options = {}) {
  const result = solveLacam({ graph, starts, goals }, { timeLimitMs: 20_000, ...options });
  expect(result.status).toBe('solved');
  const validation = validatePlans(graph, result.paths!, { starts, goals });
  expect(validation.violations).toEqual([]);
  return result;
}

describe('LaCAM on hand-made tricky instances', () => {
  it('swaps two agents in a corridor by using a side pocket', () => {
    const { gg, at } = grid(['@@.@@', '.....']);
    const starts = [at(0, 1), at(4, 1)];
    const goals = [at(4, 1), at(0, 1)];
    const result = solveAndCheck(gg.graph, starts, goals);
    expect(result.paths!.flat()).toContain(at(2, 0));
  });

  it('solves a pocket swap with more agents queued on both sides', () => {
    const { gg, at } = grid(['@@@.@@@', '.......']);
    const starts = [at(0, 1), at(1, 1), at(5, 1), at(6, 1)];
    const goals = [at(6, 1), at(5, 1), at(1, 1), at(0, 1)];
    solveAndCheck(gg.graph, starts, goals);
  });

  it('reports unsolvable when no pocket exists (search exhausted)', () => {
    const { gg, at } = grid(['....']);
    const result = solveLacam({ graph: gg.graph, starts: [at(0, 0), at(3, 0)], goals: [at(3, 0), at(0, 0)] }, { timeLimitMs: 20_000 });
    expect(result.status).toBe('unsolvable');
    expect(result.paths).toBeNull();
  });

  it('drives agents around a one-way loop in its direction only', () => {
    const ring = oneWayRing(6);
    const starts = [0, 3];
    const goals = [2, 5];
    const result = solveAndCheck(ring, starts, goals);
    expect(sumOfCosts(result.paths!)).toBe(4);
  });

  it('keeps footprint conflict sets apart (wide AGVs may not stand side by side)', () => {
    // A 4x3 roadmap where orthogonal neighbours conflict: two agents must never be adjacent.
    const b = new GraphBuilder();
    const id = (x: number, y: number): number => y * 4 + x;
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) b.addVertex(x, y);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) {
        if (x < 3) {
          b.addEdge(id(x, y), id(x + 1, y));
          b.addConflict(id(x, y), id(x + 1, y));
        }
        if (y < 2) {
          b.addEdge(id(x, y), id(x, y + 1));
          b.addConflict(id(x, y), id(x, y + 1));
        }
      }
    }
    const graph = b.build();
    const starts = [id(0, 0), id(3, 2), id(0, 2)];
    const goals = [id(3, 2), id(0, 0), id(3, 0)];
    solveAndCheck(graph, starts, goals);
  });

  it('plans on a site roadmap with one-way aisles', () => {
    const rm = buildRoadmapGraph({
      nodes: ['A', 'B', 'C', 'D', 'E', 'F'].map((id, i) => ({ id, x: i % 3, y: Math.floor(i / 3) })),
      edges: [
        { from: 'A', to: 'B', oneWay: true },
        { from: 'B', to: 'C', oneWay: true },
        { from: 'F', to: 'E', oneWay: true },
        { from: 'E', to: 'D', oneWay: true },
        { from: 'A', to: 'D' },
        { from: 'C', to: 'F' },
      ],
    });
    const v = (id: string): number => rm.vertexOf(id);
    solveAndCheck(rm.graph, [v('A'), v('F')], [v('F'), v('A')]);
  });

  it('refines to a proven-optimal cost with LaCAM* on a small instance', () => {
    const { gg, at } = grid(['@@.@@', '.....']);
    const starts = [at(0, 1), at(4, 1)];
    const goals = [at(4, 1), at(0, 1)];
    const first = solveAndCheck(gg.graph, starts, goals);
    const best = solveAndCheck(gg.graph, starts, goals, { anytime: true });
    expect(best.stats.provenOptimal).toBe(true);
    expect(best.stats.searchCost!).toBeLessThanOrEqual(first.stats.searchCost!);
    expect(sumOfCosts(best.paths!)).toBeLessThanOrEqual(sumOfCosts(first.paths!));
  });

  it('is deterministic for a given seed', () => {
    const { gg, at } = grid(['.....', '.@.@.', '.....']);
    const starts = [at(0, 0), at(4, 0), at(0, 2), at(4, 2)];
    const goals = [at(4, 2), at(0, 2), at(4, 0), at(0, 0)];
    const a = solveAndCheck(gg.graph, starts, goals, { seed: 7 });
    const b = solveAndCheck(gg.graph, starts, goals, { seed: 7 });
    expect(a.paths).toEqual(b.paths);
  });

  it('stops at the time limit of an injected clock', () => {
    const { gg, at } = grid(['.....', '.....']);
    let fake = 0;
    const result = solveLacam(
      { graph: gg.graph, starts: [at(0, 0), at(4, 1)], goals: [at(4, 1), at(0, 0)] },
      { timeLimitMs: 5, now: () => (fake += 10) },
    );
    expect(result.status).toBe('timeout');
    expect(result.paths).toBeNull();
  });

  it('rejects invalid instances with a typed error', () => {
    const { gg, at } = grid(['...', '@@@', '...']);
    const solve = (starts: number[], goals: number[]) => () => solveLacam({ graph: gg.graph, starts, goals });
    expect(solve([at(0, 0), at(0, 0)], [at(1, 0), at(2, 0)])).toThrow(PlannerInputError);
    expect(solve([at(0, 0), at(1, 0)], [at(2, 0), at(2, 0)])).toThrow(/share goal/);
    expect(solve([at(0, 0)], [at(0, 2)])).toThrow(/unreachable/);
    expect(solve([at(0, 0)], [999])).toThrow(PlannerInputError);
    expect(solve([at(0, 0)], [])).toThrow(PlannerInputError);
  });

  it('handles zero agents and agents already at their goals', () => {
    const { gg, at } = grid(['...']);
    expect(solveLacam({ graph: gg.graph, starts: [], goals: [] }).status).toBe('solved');
    const done = solveAndCheck(gg.graph, [at(0, 0), at(2, 0)], [at(0, 0), at(2, 0)]);
    expect(sumOfCosts(done.paths!)).toBe(0);
  });
});

describe.skipIf(!hasMapfData())('LaCAM on MovingAI instances (shared data)', () => {
  const cases: [string, number][] = [
    ['random-32-32-20', 50],
    ['random-32-32-20', 100],
    ['empty-32-32', 100],
    ['maze-32-32-2', 60],
    ['warehouse-10-20-10-2-1', 100],
  ];
  for (const [map, agents] of cases) {
    it(`solves ${map} with ${agents} agents and the plan validates`, () => {
      const inst = loadInstance(mapPath(map), scenPath(map, 'random', 1), agents);
      const graph = inst.grid.graph;
      const distances = new DistanceTable(graph);
      const result = solveLacam({ graph, starts: inst.starts, goals: inst.goals }, { timeLimitMs: 30_000, distances });
      expect(result.status).toBe('solved');
      expect(validatePlans(graph, result.paths!, { starts: inst.starts, goals: inst.goals }).violations).toEqual([]);
      expect(sumOfCosts(result.paths!)).toBeGreaterThanOrEqual(sumOfCostsLowerBound(distances, inst.starts, inst.goals));
    });
  }
});
