import { describe, expect, it } from 'vitest';
import { DistanceTable } from '../../src/planner/index.ts';
import { SpaceTimeOccupancy, refineWithLns, solveLacam, solveOneShot, sumOfCosts, sumOfCostsLowerBound, validatePlans } from '../../src/planner/research/index.ts';
import { hasMapfData, loadInstance, mapPath, scenPath } from '../../bench/lib/mapf-data.ts';
import { grid } from './helpers.ts';

describe('LNS refinement', () => {
  it('shortens a needlessly long plan and keeps it valid', () => {
    const { gg, at } = grid(['.....', '.....', '.....']);
    const starts = [at(0, 0), at(0, 2)];
    const goals = [at(4, 0), at(4, 2)];
    // Agent 0 dawdles for three steps before going; agent 1 takes a detour through the middle row.
    const slow = [
      [at(0, 0), at(0, 0), at(0, 0), at(0, 0), at(1, 0), at(2, 0), at(3, 0), at(4, 0)],
      [at(0, 2), at(0, 1), at(1, 1), at(2, 1), at(3, 1), at(4, 1), at(4, 2)],
    ];
    const instance = { graph: gg.graph, starts, goals };
    const refined = refineWithLns(instance, slow, { timeLimitMs: 200, now: iterationClock(50) });
    expect(refined.sumOfCostsBefore).toBe(13);
    expect(refined.sumOfCostsAfter).toBe(8);
    expect(validatePlans(gg.graph, refined.paths, { starts, goals }).ok).toBe(true);
  });
});

describe.skipIf(!hasMapfData())('one-shot solver (LaCAM then LNS) on shared data', () => {
  it('improves the first solution on random-32-32-20 with 100 agents and stays valid', () => {
    const inst = loadInstance(mapPath('random-32-32-20'), scenPath('random-32-32-20', 'random', 1), 100);
    const graph = inst.grid.graph;
    const distances = new DistanceTable(graph);
    const instance = { graph, starts: inst.starts, goals: inst.goals };
    const first = solveLacam(instance, { distances });
    // A fake clock that advances per call makes the refinement budget independent of machine speed.
    const result = solveOneShot(instance, { distances, timeLimitMs: 60_000, refineTimeMs: 3_000, now: iterationClock(1) });
    expect(result.status).toBe('solved');
    expect(validatePlans(graph, result.paths!, { starts: inst.starts, goals: inst.goals }).violations).toEqual([]);
    expect(result.sumOfCostsFirst).toBe(sumOfCosts(first.paths!));
    expect(result.sumOfCosts!).toBeLessThan(result.sumOfCostsFirst!);
    expect(result.sumOfCosts!).toBeGreaterThanOrEqual(sumOfCostsLowerBound(distances, inst.starts, inst.goals));
  });
});

/** A clock that moves `step` ms every time it is read: budgets become iteration counts, not wall time. */
function iterationClock(step: number): () => number {
  let t = 0;
  return () => (t += step);
}

describe('space-time reservation table', () => {
  it('answers the same from its dense array and from its sparse fallback', () => {
    const { gg, at } = grid(['....', '....']);
    const dense = new SpaceTimeOccupancy(gg.graph);
    const sparse = new SpaceTimeOccupancy(gg.graph, 1); // too small for any dense cell
    const switching = new SpaceTimeOccupancy(gg.graph, 8 * 70); // dense at first, sparse once paths pass t = 70
    const path = [at(0, 0), at(1, 0), at(2, 0), at(2, 1)];
    const long = [...Array.from({ length: 100 }, () => at(3, 0)), at(3, 1)];
    switching.add(5, long);
    expect(switching.agentAt(at(3, 0), 99)).toBe(5);
    expect(switching.agentAt(at(3, 1), 100)).toBe(5);
    for (const table of [dense, sparse, switching]) {
      table.add(3, path);
      expect(table.agentAt(at(1, 0), 1)).toBe(3);
      expect(table.agentAt(at(1, 0), 2)).toBe(-1);
      expect(table.agentAt(at(2, 1), 2)).toBe(-1);
      expect(table.agentAt(at(2, 1), 3)).toBe(3); // resting at the goal from arrival on
      expect(table.agentAt(at(2, 1), 500)).toBe(3);
      expect(table.lastVisit(at(2, 0), 1, 10)).toBe(2);
      expect(table.lastVisit(at(2, 1), 1, 10)).toBe(Number.POSITIVE_INFINITY);
      table.remove(3, path);
      expect(table.agentAt(at(1, 0), 1)).toBe(-1);
      expect(table.agentAt(at(2, 1), 500)).toBe(-1);
    }
  });
});
