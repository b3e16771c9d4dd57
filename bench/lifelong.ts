// npm run bench:lifelong [-- --quick] [-- --problem FILE.json [--steps N]] [--budget-ms MS] [--only NAME,...]
//   [--lookahead K]   compare K variants of each step by an 8-step look-ahead (default 1 = off)
//   [--lanes C|auto]  lane guidance: driving against a lane costs C in the distance tables; 0 = off; auto
//                     (default) = 2 everywhere: on warehouse and sortation maps +23% to +87% tasks measured
//                     with the one-step scheme; on the random map with operation PIBT +9% (100 agents) and
//                     +25% (200 agents, mean of 3 seeds)
//   [--operations L|auto]  operation PIBT with L actions per operation (see src/planner/research/lifelong/operation-pibt.ts);
//                     0 = the one-step scheme; auto (default) = 3 on maps with at most 10,000 free cells (random
//                     32 x 32: +23% to +60%), 0 on the large warehouse/sortation maps (measured -9% to -15% there)
//   [--trials N|auto] operation PIBT attempts per step with shuffled planning orders, started within the first
//                     quarter of the budget; the lowest total cost wins. auto (default) = 32 while agents fill at
//                     most 30% of the free cells (random 100 / 200 agents: +4% / +3%), else 1 (400: -7%, 600: +1%)
// Runs League of Robot Runners 2023 instances under the 2023 rules (see src/planner/research/lorr) with the lifelong
// planner and a per-step planning budget; prints one JSON object per instance on stdout, progress on stderr.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { LorrPlanner, LorrSimulation, parseLorrProblem } from '../src/planner/research/lorr/index.ts';
import { loadLorrProblem, mapfDataRoot } from './lib/lorr-files.ts';
import { horizonFor, KNOWN_INSTANCES, readMainRoundHorizons, type KnownInstance } from './lib/lorr-instances.ts';

const DEFAULT_HORIZON = 5000;
/** --quick: instances with more agents than this run QUICK_STEPS steps instead of their horizon. */
const QUICK_AGENT_LIMIT = 1000;
const QUICK_STEPS = 300;
const AUTO_LANE_COST = 2;
const AUTO_OPERATIONS_MAX_FREE_CELLS = 10_000;
const AUTO_OPERATION_LENGTH = 3;
const AUTO_TRIALS = 32;
const AUTO_TRIALS_MAX_DENSITY = 0.3;

const { values } = parseArgs({
  options: {
    problem: { type: 'string' },
    steps: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'budget-ms': { type: 'string', default: '1000' },
    only: { type: 'string' },
    seed: { type: 'string', default: '1' },
    lookahead: { type: 'string', default: '1' },
    lanes: { type: 'string', default: 'auto' },
    operations: { type: 'string', default: 'auto' },
    trials: { type: 'string', default: 'auto' },
  },
});

const budgetMs = Number(values['budget-ms']);
const lorrRoot = join(mapfDataRoot(), 'lorr');

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function run(file: string, steps: number, horizon: number | undefined, known: KnownInstance | undefined, quick: boolean): void {
  const loadStart = performance.now();
  const loaded = loadLorrProblem(file);
  const sim = new LorrSimulation(loaded.map, loaded.starts, loaded.tasks, loaded.problem);
  const freeCells = loaded.map.obstacle.length - loaded.map.obstacle.reduce((sum, blocked) => sum + blocked, 0);
  const lanes = values.lanes === 'auto' ? AUTO_LANE_COST : Number(values.lanes);
  const operationLength =
    values.operations === 'auto' ? (freeCells <= AUTO_OPERATIONS_MAX_FREE_CELLS ? AUTO_OPERATION_LENGTH : 0) : Number(values.operations);
  const trials =
    values.trials === 'auto' ? (loaded.starts.length <= AUTO_TRIALS_MAX_DENSITY * freeCells ? AUTO_TRIALS : 1) : Number(values.trials);
  const planner = new LorrPlanner(loaded.map, {
    clock: performance,
    seed: Number(values.seed),
    lookaheadVariants: Number(values.lookahead),
    laneWrongWayCost: lanes,
    operationLength,
    operationTrials: trials,
  });
  const setupMs = performance.now() - loadStart;
  const planMs = new Float64Array(steps);
  let planned = 0;
  let estimatedAgentSteps = 0;
  let peakRss = process.memoryUsage().rss;
  const progressEvery = Math.max(1, Math.floor(steps / 10));
  while (sim.timestep < steps) {
    const t0 = performance.now();
    const actions = planner.plan(sim.states, sim.goals(), budgetMs);
    const ms = performance.now() - t0;
    planMs[planned++] = ms;
    estimatedAgentSteps += planner.lastStats?.estimatedAgents ?? 0;
    // The 2023 limit is soft: a late plan is dropped and everyone waits for every timestep it overran.
    const late = ms > budgetMs;
    sim.step(actions, late);
    for (let extra = Math.ceil(ms / budgetMs) - 1; late && extra > 0 && sim.timestep < steps; extra--) sim.step([], true);
    if (sim.timestep % progressEvery === 0) {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      process.stderr.write(`${loaded.name}: step ${sim.timestep}/${steps}, ${sim.tasksFinished} tasks, last plan ${ms.toFixed(1)} ms\n`);
    }
  }
  const sorted = planMs.slice(0, planned).sort();
  const bestKnown = known?.bestKnown ?? null;
  // A shorter run than the instance's horizon is compared with the best-known result scaled to its length.
  const fullHorizon = horizon === undefined || steps >= horizon;
  const basis = bestKnown === null ? null : fullHorizon ? bestKnown : (bestKnown * steps) / horizon;
  const result = {
    bench: 'lifelong',
    problem: known ? known.path : file,
    agents: loaded.starts.length,
    steps,
    tasks_finished: sim.tasksFinished,
    throughput_per_step: round3(sim.tasksFinished / steps),
    plan_ms_p50: round3(percentile(sorted, 50)),
    plan_ms_p99: round3(percentile(sorted, 99)),
    plan_ms_max: round3(sorted[sorted.length - 1] ?? 0),
    best_known: bestKnown,
    ratio: basis === null ? null : round3(sim.tasksFinished / basis),
    ratio_basis: basis === null ? null : fullHorizon ? 'full-horizon' : `prorated-to-${steps}-of-${horizon}-steps`,
    horizon: horizon ?? null,
    quick,
    budget_ms: budgetMs,
    lookahead_variants: Number(values.lookahead),
    lane_wrong_way_cost: lanes,
    operation_length: operationLength,
    operation_trials: trials,
    missed_deadlines: sim.missedDeadlines,
    rejected_steps: sim.rejectedSteps,
    estimated_agent_steps: estimatedAgentSteps,
    setup_ms: Math.round(setupMs),
    peak_rss_mb: Math.round(peakRss / 1e6),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function main(): void {
  const explicitSteps = values.steps === undefined ? undefined : Number(values.steps);
  if (explicitSteps !== undefined && !(Number.isInteger(explicitSteps) && explicitSteps > 0)) {
    throw new Error(`--steps must be a positive integer, got ${values.steps}`);
  }
  const mainRound = existsSync(lorrRoot) ? readMainRoundHorizons(lorrRoot) : new Map<string, number>();
  if (values.problem) {
    const file = resolve(values.problem);
    const known = KNOWN_INSTANCES.find((k) => resolve(lorrRoot, k.path) === file);
    const horizon = horizonFor(basename(file), mainRound, known);
    run(file, explicitSteps ?? horizon ?? DEFAULT_HORIZON, horizon, known, false);
    return;
  }
  if (!existsSync(lorrRoot)) {
    process.stderr.write(`LoRR data not found at ${lorrRoot}; set UNIFLEET_MAPF_DATA\n`);
    process.exitCode = 1;
    return;
  }
  const only = values.only?.split(',');
  for (const known of KNOWN_INSTANCES) {
    const file = join(lorrRoot, known.path);
    if (only && !only.some((name) => known.path.includes(name))) continue;
    const horizon = horizonFor(basename(file), mainRound, known) ?? DEFAULT_HORIZON;
    const agents = parseLorrProblem(readFileSync(file, 'utf8')).teamSize;
    const steps = explicitSteps ?? (values.quick && agents > QUICK_AGENT_LIMIT ? Math.min(QUICK_STEPS, horizon) : horizon);
    run(file, steps, horizon, known, values.quick);
  }
}

main();
