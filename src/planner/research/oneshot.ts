import { DistanceTable } from '../distance.ts';
import type { MapfInstance } from './instance.ts';
import { solveLacam, type LacamStats, type LacamStatus } from './lacam.ts';
import { sumOfCosts } from './metrics.ts';
import { refineWithLns } from './refine.ts';

export interface OneShotOptions {
  /** Total wall-clock budget in ms (default 10 000). */
  timeLimitMs?: number;
  /** Time spent improving after the first solution, within the budget (default: all that is left; 0 = none). */
  refineTimeMs?: number;
  seed?: number;
  now?: () => number;
  distances?: DistanceTable;
  /** Called once the first solution exists, before refinement starts (e.g. to take measurements). */
  onFirstSolution?: (elapsedMs: number) => void;
}

export interface OneShotResult {
  status: LacamStatus;
  /** Per agent, its vertex at t = 0..arrival; an agent rests at its goal after its path ends. */
  paths: number[][] | null;
  firstSolutionMs: number | null;
  sumOfCostsFirst: number | null;
  sumOfCosts: number | null;
  lacam: LacamStats;
  refine: { iterations: number; improvements: number; skipped?: string } | null;
}

/**
 * The one-shot planner the platform should call: LaCAM for a first solution fast (complete), then LNS
 * refinement of the sum of costs for the rest of the budget.
 */
export function solveOneShot(instance: MapfInstance, options: OneShotOptions = {}): OneShotResult {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const limit = options.timeLimitMs ?? 10_000;
  const distances = options.distances ?? new DistanceTable(instance.graph);
  const first = solveLacam(instance, { timeLimitMs: limit, seed: options.seed, now, distances });
  if (!first.paths) {
    return { status: first.status, paths: null, firstSolutionMs: null, sumOfCostsFirst: null, sumOfCosts: null, lacam: first.stats, refine: null };
  }
  options.onFirstSolution?.(first.stats.firstSolutionMs!);
  const socFirst = sumOfCosts(first.paths);
  const left = Math.min(options.refineTimeMs ?? Number.POSITIVE_INFINITY, started + limit - now());
  if (left <= 0) {
    return { status: 'solved', paths: first.paths, firstSolutionMs: first.stats.firstSolutionMs, sumOfCostsFirst: socFirst, sumOfCosts: socFirst, lacam: first.stats, refine: null };
  }
  const refined = refineWithLns(instance, first.paths, { timeLimitMs: left, seed: options.seed, now, distances });
  return {
    status: 'solved',
    paths: refined.paths,
    firstSolutionMs: first.stats.firstSolutionMs,
    sumOfCostsFirst: socFirst,
    sumOfCosts: sumOfCosts(refined.paths),
    lacam: first.stats,
    refine: { iterations: refined.iterations, improvements: refined.improvements, ...(refined.skipped ? { skipped: refined.skipped } : {}) },
  };
}
