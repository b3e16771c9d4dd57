// npx tsx bench/traffic-fleet.ts [--map demo-warehouse-large] [--mix 120,50,30] [--tasks 2000] [--minutes 20]
//   [--keep-junctions-clear] [--seed 1]
//
// One headless fleet run of the central traffic controller in virtual time (the engine of the e2e fleet test):
// --mix gives the number of Hexa (0.9 m), Rollway (1.1 m) and Nordlift (1.8 m) AGVs; speed factors 0.6–1.0,
// 6 random stalls per AGV-hour of 2–15 s, 1 s per quarter turn; the independent safety checker runs every step.
// Stops when all tasks are done or after --minutes of simulated time. Prints one JSON line.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { VENDOR_PROFILES } from '../src/agv/sim/profiles.ts';
import type { SiteMap } from '../src/rcs/site/types.ts';
import { CentralTrafficController } from '../src/rcs/traffic/central/index.ts';
import { buildFleet, buildTasks } from '../src/rcs/traffic/central/sim-fleet.ts';
import { runFleetSimulation } from '../src/rcs/traffic/central/simulation.ts';
import { SafetyChecker } from '../test/rcs/traffic-central-checker.ts';

const { values } = parseArgs({
  options: {
    map: { type: 'string', default: 'demo-warehouse-large' },
    mix: { type: 'string', default: '120,50,30' },
    tasks: { type: 'string', default: '2000' },
    minutes: { type: 'string', default: '20' },
    'keep-junctions-clear': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
  },
});
const site = JSON.parse(readFileSync(new URL(`../maps/${values.map}.json`, import.meta.url), 'utf8')) as SiteMap;
const counts = values.mix.split(',').map(Number);
const [hexa, nord, roll] = VENDOR_PROFILES;
const mix = [
  { profile: hexa!, count: counts[0] ?? 0 },
  { profile: roll!, count: counts[1] ?? 0 },
  { profile: nord!, count: counts[2] ?? 0 },
].filter((m) => m.count > 0);
const fleet = buildFleet(site, mix, Number(values.seed));
const sizes = new Map(fleet.map((a) => [a.id, { lengthM: a.profile.lengthM, widthM: a.profile.widthM }]));
const traffic = new CentralTrafficController(site, { footprintOf: (id) => sizes.get(id), planIntervalMs: 200, keepJunctionsClear: values['keep-junctions-clear'] });
const checker = new SafetyChecker(site.nodes, (id) => sizes.get(id)!);
const started = performance.now();
const result = runFleetSimulation({
  site,
  traffic,
  agvs: fleet,
  tasks: buildTasks(site, Number(values.tasks), Number(values.seed) + 1),
  seed: Number(values.seed) * 7,
  stalls: { perAgvHour: 6, minMs: 2_000, maxMs: 15_000 },
  maxSimMs: Number(values.minutes) * 60_000,
  observe: (now, agvs) => checker.check(now, agvs, traffic.holdings()),
});
const stats = traffic.stats();
console.log(
  JSON.stringify({
    bench: 'traffic-fleet',
    map: `maps/${values.map}.json`,
    agvs: fleet.length,
    mix: values.mix,
    keep_junctions_clear: values['keep-junctions-clear'],
    seed: Number(values.seed),
    tasks: Number(values.tasks),
    tasks_done: result.tasksDone,
    sim_minutes: Math.round(result.simMs / 6_000) / 10,
    tasks_per_hour: Math.round(result.tasksPerHour),
    max_no_progress_s: Math.round(result.maxNoProgressMs / 100) / 10,
    max_no_progress_agv: result.maxNoProgressAgv,
    checker_violations: checker.violations.length,
    unheld_moves: result.unheldMoves,
    deadlocks_detected: stats.deadlocksDetected,
    deadlocks_resolved: stats.deadlocksResolved,
    plan_ms_mean: Math.round((stats.planMsTotal / Math.max(1, stats.rounds)) * 100) / 100,
    plan_ms_max: Math.round(stats.planMsMax),
    wall_s: Math.round((performance.now() - started) / 100) / 10,
  }),
);
