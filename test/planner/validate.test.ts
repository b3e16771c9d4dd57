import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/planner/index.ts';
import { validatePlans, type PlanViolationKind } from '../../src/planner/research/index.ts';
import { grid, oneWayRing } from './helpers.ts';

// A 3x3 open grid; vertex ids are row-major: 0 1 2 / 3 4 5 / 6 7 8.
const { gg } = grid(['...', '...', '...']);
const g = gg.graph;

function kinds(paths: number[][], options = {}): PlanViolationKind[] {
  return validatePlans(g, paths, options).violations.map((v) => v.kind);
}

describe('plan validator', () => {
  it('accepts legal plans, including waits, following and agents resting after their path ends', () => {
    const paths = [
      [0, 1, 2, 2],
      [3, 0, 1],
      [8],
    ];
    const result = validatePlans(g, paths, { starts: [0, 3, 8], goals: [2, 1, 8] });
    expect(result).toEqual({ ok: true, violations: [] });
  });

  it('catches a jump that is not along an edge', () => {
    expect(kinds([[0, 2]])).toEqual(['illegal-move']);
    expect(kinds([[0, 4]])).toEqual(['illegal-move']); // diagonal
  });

  it('catches two agents on one vertex, also against an agent resting at its end', () => {
    expect(kinds([[0, 1], [2, 1]])).toEqual(['vertex-conflict']);
    expect(kinds([[0, 1, 2], [1]])).toEqual(['vertex-conflict']);
    expect(kinds([[4], [4]])).toEqual(['vertex-conflict']);
  });

  it('catches agents swapping along an edge', () => {
    expect(kinds([[0, 1], [1, 0]])).toEqual(['swap-conflict']);
  });

  it('allows four agents rotating around a cycle (following is legal)', () => {
    expect(kinds([[0, 1], [1, 4], [4, 3], [3, 0]])).toEqual([]);
  });

  it('checks starts, goals, vertex ids and empty paths', () => {
    expect(kinds([[0, 1]], { starts: [3], goals: [1] })).toEqual(['wrong-start']);
    expect(kinds([[0, 1]], { starts: [0], goals: [2] })).toEqual(['wrong-goal']);
    expect(kinds([[0, 99]])).toEqual(['invalid-vertex']);
    expect(kinds([[0, 1.5]])).toEqual(['invalid-vertex']);
    expect(kinds([[]])).toEqual(['empty-path']);
    expect(kinds([[0]], { starts: [0, 1] })).toEqual(['agent-count']);
  });

  it('respects edge direction on one-way graphs', () => {
    const ring = oneWayRing(4);
    expect(validatePlans(ring, [[0, 1, 2]]).ok).toBe(true);
    expect(validatePlans(ring, [[1, 0]]).violations.map((v) => v.kind)).toEqual(['illegal-move']);
  });

  it('catches footprint conflicts between vertices in each other\'s conflict set', () => {
    const b = new GraphBuilder();
    for (let i = 0; i < 4; i++) b.addVertex(i, 0);
    for (let i = 0; i < 3; i++) b.addEdge(i, i + 1);
    b.addConflict(1, 2);
    const line = b.build();
    expect(validatePlans(line, [[0, 1], [3, 2]]).violations.map((v) => v.kind)).toEqual(['footprint-conflict']);
    expect(validatePlans(line, [[0, 0], [3, 2]]).ok).toBe(true);
  });

  it('reports the time and agents involved and stops at maxViolations', () => {
    const result = validatePlans(g, [[0, 1, 2], [2, 1, 0]]);
    expect(result.violations[0]).toMatchObject({ kind: 'vertex-conflict', time: 1, agents: [0, 1] });
    const many = validatePlans(g, Array.from({ length: 9 }, () => [4]), { maxViolations: 3 });
    expect(many.violations).toHaveLength(3);
  });
});
