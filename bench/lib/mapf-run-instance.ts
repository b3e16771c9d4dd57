// Child process of bench/mapf.ts: solves one MovingAI instance and prints one JSON result line.
// Running each instance in its own process means a pathological instance (memory, time) cannot take the
// whole benchmark down; the parent kills it if it overruns.
import { DistanceTable, solveLacam, sumOfCosts, sumOfCostsLowerBound, validatePlans, makespan } from '../../src/planner/index.ts';
import { loadInstance } from './mapf-data.ts';

export interface InstanceRequest {
  mapFile: string;
  scenFile: string;
  agents: number;
  timeLimitS: number;
  /** Seconds of LaCAM* refinement allowed after the first solution (capped by the time limit); 0 = stop at first. */
  refineS: number;
  seed: number;
}

export interface InstanceResult {
  solved: boolean;
  status: string;
  valid: boolean | null;
  violations: string[];
  t_first_s: number | null;
  elapsed_s: number;
  soc: number | null;
  soc_first: number | null;
  lb: number;
  makespan: number | null;
  high_level_nodes: number;
  load_s: number;
}

function run(req: InstanceRequest): InstanceResult {
  const loadStart = performance.now();
  const inst = loadInstance(req.mapFile, req.scenFile, req.agents);
  const graph = inst.grid.graph;
  const distances = new DistanceTable(graph);
  const loadS = (performance.now() - loadStart) / 1000;
  const instance = { graph, starts: inst.starts, goals: inst.goals };

  // One LaCAM* run: t_first is when the first solution appears (as the anchor measures it); refinement then
  // continues for up to refineS seconds within the time limit.
  let socFirst: number | null = null;
  const result = solveLacam(instance, {
    timeLimitMs: req.timeLimitS * 1000,
    distances,
    seed: req.seed,
    anytime: req.refineS > 0,
    refineTimeMs: req.refineS * 1000,
    onSolution: (_cost, _ms, paths) => {
      socFirst ??= sumOfCosts(paths());
    },
  });
  const best = result;
  const tFirst = result.stats.firstSolutionMs;
  const validation = best.paths ? validatePlans(graph, best.paths, { starts: inst.starts, goals: inst.goals }) : null;
  return {
    solved: best.paths !== null && validation!.ok,
    status: best.status,
    valid: validation ? validation.ok : null,
    violations: validation ? validation.violations.slice(0, 3).map((v) => v.detail) : [],
    t_first_s: tFirst === null ? null : tFirst / 1000,
    elapsed_s: (performance.now() - loadStart) / 1000 - loadS,
    soc: best.paths ? sumOfCosts(best.paths) : null,
    soc_first: socFirst,
    lb: sumOfCostsLowerBound(distances, inst.starts, inst.goals),
    makespan: best.paths ? makespan(best.paths) : null,
    high_level_nodes: result.stats.highLevelNodes,
    load_s: loadS,
  };
}

const arg = process.argv[2];
if (arg) {
  const result = run(JSON.parse(arg) as InstanceRequest);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
