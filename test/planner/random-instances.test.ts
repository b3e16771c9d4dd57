import { describe, expect, it } from 'vitest';
import { GraphBuilder, gridFromRows, gridToGraph, type Graph } from '../../src/planner/index.ts';
import { Rng, solveOneShot, validatePlans } from '../../src/planner/research/index.ts';

// Property check: on many small random instances, whatever the solver returns passes the independent validator.
// Budgets use a clock that ticks per read, so outcomes do not depend on machine speed.

function randomGrid(rng: Rng, w: number, h: number, density: number): Graph {
  const rows = Array.from({ length: h }, () => Array.from({ length: w }, () => (rng.next() < density ? '@' : '.')).join(''));
  return gridToGraph(gridFromRows(rows)).graph;
}

/** Largest connected component (treating edges as two-way), so random starts and goals are mutually reachable. */
function largestComponent(graph: Graph): number[] {
  const seen = new Int32Array(graph.vertexCount).fill(-1);
  let best: number[] = [];
  for (let s = 0; s < graph.vertexCount; s++) {
    if (seen[s]! >= 0) continue;
    const comp = [s];
    seen[s] = s;
    for (let k = 0; k < comp.length; k++) {
      for (const w of [...graph.neighbors(comp[k]!), ...graph.predecessors(comp[k]!)]) {
        if (seen[w]! < 0) {
          seen[w] = s;
          comp.push(w);
        }
      }
    }
    if (comp.length > best.length) best = comp;
  }
  return best;
}

function pickDistinct(rng: Rng, pool: number[], k: number): number[] {
  const copy = [...pool];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, k);
}

function tickingClock(): () => number {
  let t = 0;
  return () => (t += 0.05);
}

describe('random small instances: every returned plan validates', () => {
  it('grids with obstacles, 2 to 12 agents', () => {
    const rng = new Rng(42);
    let solved = 0;
    for (let trial = 0; trial < 40; trial++) {
      const graph = randomGrid(rng, 4 + rng.int(5), 4 + rng.int(5), 0.15);
      const comp = largestComponent(graph);
      const k = Math.min(2 + rng.int(11), Math.floor(comp.length / 2));
      if (k < 1) continue;
      const starts = pickDistinct(rng, comp, k);
      const goals = pickDistinct(rng, comp, k);
      const result = solveOneShot({ graph, starts, goals }, { timeLimitMs: 500, refineTimeMs: 5, seed: trial, now: tickingClock() });
      if (result.paths) {
        solved++;
        expect(validatePlans(graph, result.paths, { starts, goals }).violations).toEqual([]);
      } else {
        expect(['unsolvable', 'timeout']).toContain(result.status);
      }
    }
    expect(solved).toBeGreaterThan(30);
  });

  it('roadmaps with one-way edges and footprint conflict sets', () => {
    const rng = new Rng(7);
    let solved = 0;
    for (let trial = 0; trial < 30; trial++) {
      const b = new GraphBuilder();
      const w = 5;
      const h = 4;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) b.addVertex(x, y);
      const id = (x: number, y: number): number => y * w + x;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          // Rows alternate direction like warehouse aisles; columns are two-way.
          if (x < w - 1) {
            if (rng.next() < 0.5) b.addEdge(id(x, y), id(x + 1, y));
            else if (y % 2 === 0) b.addEdge(id(x, y), id(x + 1, y), { oneWay: true });
            else b.addEdge(id(x + 1, y), id(x, y), { oneWay: true });
          }
          if (y < h - 1) b.addEdge(id(x, y), id(x, y + 1));
          if (rng.next() < 0.1 && x < w - 1) b.addConflict(id(x, y), id(x + 1, y));
        }
      }
      const graph = b.build();
      const k = 2 + rng.int(4);
      const all = Array.from({ length: w * h }, (_, i) => i);
      const starts = pickDistinct(rng, all, k);
      const goals = pickDistinct(rng, all, k);
      const overlaps = (vs: number[]): boolean => vs.some((a) => vs.some((c) => a !== c && graph.inConflict(a, c)));
      if (overlaps(starts) || overlaps(goals)) continue;
      const result = solveOneShot({ graph, starts, goals }, { timeLimitMs: 500, refineTimeMs: 5, seed: trial, now: tickingClock() });
      if (result.paths) {
        solved++;
        expect(validatePlans(graph, result.paths, { starts, goals }).violations).toEqual([]);
      }
    }
    expect(solved).toBeGreaterThan(15);
  });
});
