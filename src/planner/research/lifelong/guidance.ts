import type { GridGraph } from '../../grid.ts';
import type { EdgeCost } from './goal-distances.ts';

// Lane guidance for grids, after the "highways" of warehouse planners (Li et al., RHCR, AAAI 2021): rows carry
// traffic east on even rows and west on odd rows, columns south on even columns and north on odd ones, like
// a grid of one-way streets. Driving against a lane is allowed but dearer, so agents that would meet head-on in
// a one-cell aisle (which PIBT resolves slowly, and turning robots very slowly) mostly flow the same way.

export function laneGuidance(grid: GridGraph, wrongWayCost = 2): EdgeCost {
  const { xs, ys } = grid.graph;
  return (from, to) => {
    const dx = xs[to]! - xs[from]!;
    const dy = ys[to]! - ys[from]!;
    if (dx !== 0) return (dx > 0) === (ys[from]! % 2 === 0) ? 1 : wrongWayCost;
    if (dy !== 0) return (dy > 0) === (xs[from]! % 2 === 0) ? 1 : wrongWayCost;
    return 1;
  };
}
