import { DistanceTable, type GoalDistance } from '../distance.ts';
import type { MapfInstance } from './instance.ts';
import { arrivalTime } from './metrics.ts';
import { Rng } from './random.ts';
import { SpaceTimeOccupancy, SpaceTimeSearchScratch, spaceTimeAStar } from './spacetime.ts';

export interface RefineOptions {
  /** Wall-clock budget in ms. */
  timeLimitMs: number;
  now?: () => number;
  seed?: number;
  /** Agents replanned together per iteration; default: adaptive among 4, 8 and 16. */
  neighborhoodSize?: number;
  distances?: DistanceTable;
  /** Cap on space-time A* expansions per agent replan (default 10 000). */
  maxExpansions?: number;
}

export interface RefineResult {
  /** Improved paths (each ends at its goal; agents rest there afterwards). */
  paths: number[][];
  sumOfCostsBefore: number;
  sumOfCostsAfter: number;
  iterations: number;
  improvements: number;
  /** Why refinement did not run, when it did not. */
  skipped?: string;
}

/**
 * Large Neighbourhood Search over a valid solution (MAPF-LNS, Li et al. 2021, as LaCAM3 uses for refinement):
 * repeatedly takes a few agents, replans them one by one with space-time A* around everyone else, and keeps
 * the change only if the sum of costs drops. The input must be a valid plan; the output stays valid.
 */
export function refineWithLns(instance: MapfInstance, input: readonly (readonly number[])[], options: RefineOptions): RefineResult {
  const now = options.now ?? (() => performance.now());
  const deadline = now() + options.timeLimitMs;
  const { graph, starts, goals } = instance;
  const agents = starts.length;
  const paths = input.map((p) => p.slice(0, arrivalTime(p) + 1));
  const before = paths.reduce((s, p) => s + p.length - 1, 0);
  const result = (iterations: number, improvements: number, skipped?: string): RefineResult => ({
    paths,
    sumOfCostsBefore: before,
    sumOfCostsAfter: paths.reduce((s, p) => s + p.length - 1, 0),
    iterations,
    improvements,
    ...(skipped ? { skipped } : {}),
  });
  // Footprint conflict sets are not modelled by the space-time search; keep the plan as it is.
  if (graph.hasConflictSets) return result(0, 0, 'graph has footprint conflict sets');
  if (agents < 2) return result(0, 0, 'fewer than two agents');

  const table = options.distances ?? new DistanceTable(graph);
  const dist: GoalDistance[] = [];
  for (let i = 0; i < agents; i++) dist.push(table.forGoal(goals[i]!));
  const rng = new Rng(options.seed ?? 0);
  // Adaptive LNS (as in MAPF-LNS): arms pair a destroy strategy with a neighbourhood size; arms that recently
  // paid off get picked more often.
  const sizes = options.neighborhoodSize ? [options.neighborhoodSize] : [4, 8, 16];
  const strategies = ['agent', 'intersection', 'random'] as const;
  const arms = sizes.flatMap((n) => strategies.map((strategy) => ({ strategy, size: Math.min(agents, n), weight: 1 })));
  const intersections: number[] = [];
  for (let v = 0; v < graph.vertexCount; v++) if (graph.outDegree(v) >= 3) intersections.push(v);
  const pickArm = (): (typeof arms)[number] => {
    let total = 0;
    for (const a of arms) total += a.weight;
    let r = rng.next() * total;
    for (const a of arms) if ((r -= a.weight) <= 0) return a;
    return arms[arms.length - 1]!;
  };
  const maxExpansions = options.maxExpansions ?? 10_000;
  let longest = 0;
  for (const p of paths) longest = Math.max(longest, p.length);
  const occupancy = new SpaceTimeOccupancy(graph, undefined, longest);
  const scratch = new SpaceTimeSearchScratch(graph);
  for (let i = 0; i < agents; i++) occupancy.add(i, paths[i]!);
  const inSet = new Uint8Array(agents);
  let iterations = 0;
  let improvements = 0;

  const delayed: number[] = [];
  const pickNeighbourhood = (strategy: (typeof strategies)[number], size: number, horizon: number): number[] => {
    const chosen: number[] = [];
    const take = (a: number): void => {
      if (a >= 0 && !inSet[a] && chosen.length < size) {
        inSet[a] = 1;
        chosen.push(a);
      }
    };
    delayed.length = 0;
    if (strategy === 'agent') for (let i = 0; i < agents; i++) if (paths[i]!.length - 1 > dist[i]!.get(starts[i]!)) delayed.push(i);
    if (strategy === 'intersection' && intersections.length > 0) {
      // Intersection-based neighbourhood: agents that pass an intersection and the cells around it within one
      // short time window are the ones that made each other wait there.
      const centre = intersections[rng.int(intersections.length)]!;
      const t0 = rng.int(Math.max(1, horizon));
      const seen = new Set<number>([centre]);
      const queue = [centre];
      for (let k = 0; k < queue.length && k < 24 && chosen.length < size; k++) {
        const u = queue[k]!;
        for (let t = t0; t < t0 + 8; t++) take(occupancy.agentAt(u, t));
        for (const w of graph.neighbors(u)) {
          if (!seen.has(w)) {
            seen.add(w);
            queue.push(w);
          }
        }
      }
    }
    if (delayed.length > 0) {
      // Agent-based neighbourhood: a delayed agent plus whoever stands on its ideal route around the right time.
      const a = delayed[rng.int(delayed.length)]!;
      take(a);
      let v = starts[a]!;
      for (let t = 0; chosen.length < size && t < 4 * graph.vertexCount; t++) {
        for (let dt = -1; dt <= 2; dt++) if (t + dt >= 0) take(occupancy.agentAt(v, t + dt));
        if (v === goals[a]) break;
        let best = v;
        for (const w of graph.neighbors(v)) if (dist[a]!.get(w) < dist[a]!.get(best)) best = w;
        v = best;
      }
    }
    while (chosen.length < size) take(rng.int(agents));
    return chosen;
  };

  while (now() < deadline) {
    iterations++;
    const arm = pickArm();
    let horizonBefore = 0;
    for (const p of paths) horizonBefore = Math.max(horizonBefore, p.length);
    const chosen = pickNeighbourhood(arm.strategy, arm.size, horizonBefore);
    for (let k = chosen.length - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      [chosen[k], chosen[j]] = [chosen[j]!, chosen[k]!];
    }
    let oldCost = 0;
    for (const a of chosen) oldCost += paths[a]!.length - 1;
    for (const a of chosen) occupancy.remove(a, paths[a]!);
    let horizon = 0;
    for (const p of paths) horizon = Math.max(horizon, p.length);
    const fresh: number[][] = [];
    let newCost = 0;
    // Every replanned agent needs at least its shortest-path length; the rest of the old cost is the budget.
    let pendingLowerBound = 0;
    for (const a of chosen) pendingLowerBound += dist[a]!.get(starts[a]!);
    for (const a of chosen) {
      pendingLowerBound -= dist[a]!.get(starts[a]!);
      const cap = oldCost - 1 - newCost - pendingLowerBound;
      const path = spaceTimeAStar(graph, occupancy, a, starts[a]!, goals[a]!, dist[a]!, horizon, maxExpansions, cap, scratch);
      if (!path) break;
      newCost += path.length - 1;
      if (newCost >= oldCost) break;
      occupancy.add(a, path);
      fresh.push(path);
      horizon = Math.max(horizon, path.length);
    }
    const accepted = fresh.length === chosen.length && newCost < oldCost;
    fresh.forEach((p, k) => occupancy.remove(chosen[k]!, p));
    chosen.forEach((a, k) => {
      if (accepted) paths[a] = fresh[k]!;
      occupancy.add(a, paths[a]!);
      inSet[a] = 0;
    });
    if (accepted) improvements++;
    const gain = accepted ? (oldCost - newCost) / chosen.length : 0;
    arm.weight = Math.max(0.05, 0.9 * arm.weight + 0.1 * gain);
  }
  return result(iterations, improvements);
}
