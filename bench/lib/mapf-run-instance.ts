// Child process of bench/mapf.ts: solves one MovingAI instance and prints one JSON result line.
// Running each instance in its own process means a pathological instance (memory, time) cannot take the
// whole benchmark down; the parent kills it if it overruns.
import { DistanceTable, gridFromRows, gridToGraph } from '../../src/planner/index.ts';
import { Rng, solveOneShot, sumOfCostsLowerBound, validatePlans, makespan } from '../../src/planner/research/index.ts';
import { loadInstance } from './mapf-data.ts';

export interface InstanceRequest {
  mapFile: string;
  scenFile: string;
  agents: number;
  timeLimitS: number;
  /** Seconds of LaCAM* refinement allowed after the first solution (capped by the time limit); 0 = stop at first. */
  refineS: number;
  seed: number;
  /** Solve a small synthetic instance first so V8 has compiled the hot paths, as in a long-running server. */
  warmup: boolean;
}

export interface InstanceResult {
  solved: boolean;
  status: string;
  refine_iterations: number;
  valid: boolean | null;
  violations: string[];
  t_first_s: number | null;
  cpu_first_s: number | null;
  elapsed_s: number;
  soc: number | null;
  soc_first: number | null;
  lb: number;
  makespan: number | null;
  high_level_nodes: number;
  load_s: number;
}

function warmUp(): void {
  const rows = Array.from({ length: 24 }, (_, y) => Array.from({ length: 24 }, (_, x) => ((x * 7 + y * 13) % 11 === 0 ? '@' : '.')).join(''));
  const grid = gridToGraph(gridFromRows(rows));
  const rng = new Rng(1);
  const pick = (taken: Set<number>): number => {
    for (;;) {
      const v = rng.int(grid.graph.vertexCount);
      if (!taken.has(v)) return taken.add(v), v;
    }
  };
  const usedStarts = new Set<number>();
  const usedGoals = new Set<number>();
  const starts = Array.from({ length: 120 }, () => pick(usedStarts));
  const goals = Array.from({ length: 120 }, () => pick(usedGoals));
  solveOneShot({ graph: grid.graph, starts, goals }, { timeLimitMs: 3000, refineTimeMs: 300 });
}

function run(req: InstanceRequest): InstanceResult {
  if (req.warmup) warmUp();
  const loadStart = performance.now();
  const inst = loadInstance(req.mapFile, req.scenFile, req.agents);
  const graph = inst.grid.graph;
  const distances = new DistanceTable(graph);
  const loadS = (performance.now() - loadStart) / 1000;
  const instance = { graph, starts: inst.starts, goals: inst.goals };

  // LaCAM for the first solution (t_first, as the anchor measures it), then LNS refinement for up to refineS
  // seconds within the time limit.
  const cpuBefore = process.cpuUsage();
  let cpuAtFirst: NodeJS.CpuUsage | null = null;
  const result = solveOneShot(instance, {
    onFirstSolution: () => {
      cpuAtFirst = process.cpuUsage(cpuBefore);
    },
    timeLimitMs: req.timeLimitS * 1000,
    refineTimeMs: req.refineS * 1000,
    distances,
    seed: req.seed,
  });
  const best = result;
  const tFirst = result.firstSolutionMs;
  const validation = best.paths ? validatePlans(graph, best.paths, { starts: inst.starts, goals: inst.goals }) : null;
  return {
    solved: best.paths !== null && validation!.ok,
    status: best.status,
    refine_iterations: best.refine?.iterations ?? 0,
    valid: validation ? validation.ok : null,
    violations: validation ? validation.violations.slice(0, 3).map((v) => v.detail) : [],
    t_first_s: tFirst === null ? null : tFirst / 1000,
    // CPU seconds to the first solution: on a shared, overloaded machine wall time can be several times this.
    cpu_first_s: cpuAtFirst === null ? null : ((cpuAtFirst as NodeJS.CpuUsage).user + (cpuAtFirst as NodeJS.CpuUsage).system) / 1e6,
    elapsed_s: (performance.now() - loadStart) / 1000 - loadS,
    soc: best.sumOfCosts,
    soc_first: best.sumOfCostsFirst,
    lb: sumOfCostsLowerBound(distances, inst.starts, inst.goals),
    makespan: best.paths ? makespan(best.paths) : null,
    high_level_nodes: result.lacam.highLevelNodes,
    load_s: loadS,
  };
}

const arg = process.argv[2];
if (arg) {
  const result = run(JSON.parse(arg) as InstanceRequest);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
