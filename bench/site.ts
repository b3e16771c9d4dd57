// npm run bench:site [-- --agvs N --minutes M --lifts K --seed S --cross-floor 0.3 --map maps/demo-site.json
//                        --ride-horizon 150 --no-ride-metering]
//
// A whole site in virtual time: the default demo site (floors joined by lifts, doors, QR and SLAM areas), a
// three-vendor fleet with its true bodies (Hexa 0.9 m QR, Rollway 1.1 m SLAM, Nordlift 1.8 m SLAM forklift), speed
// factors 0.6–1.0 and 6 random stalls per AGV-hour of 2–15 s. Central traffic control plans every AGV; lifts are
// scheduled as a traffic resource (src/rcs/traffic/lifts); simulated lifts and doors run on the same virtual
// clock; AGVs switch maps after every ride and navigation modes at switch points. The independent checkers run on
// every step: bodies per map and held nodes (test/rcs/traffic-central-checker.ts), lift and door rules
// (test/rcs/lifts/lift-rule-checker.ts). `--lifts K` keeps the first K lifts of the site; `--cross-floor` is the
// share of tasks whose drop is on another floor than their pick. Prints one JSON line.
//
// worst_wait_s: the longest time an AGV with an open task made no progress (reaching a node, working at a station,
// riding or relocalising). violations: checker findings + moves onto nodes traffic control had not granted.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { VENDOR_PROFILES } from '../src/agv/sim/profiles.ts';
import { loadSiteMap } from '../src/rcs/site/index.ts';
import type { SiteMap } from '../src/rcs/site/types.ts';
import { buildFleet, buildTasks } from '../src/rcs/traffic/central/sim-fleet.ts';
import { RIDE_HORIZON_S } from '../src/rcs/traffic/lifts/rides.ts';
import { runSiteSimulation } from '../src/rcs/traffic/lifts/site-simulation.ts';
import { LiftRuleChecker } from '../test/rcs/lifts/lift-rule-checker.ts';
import { SafetyChecker } from '../test/rcs/traffic-central-checker.ts';

const { values } = parseArgs({
  options: {
    agvs: { type: 'string', default: '12' },
    minutes: { type: 'string', default: '30' },
    lifts: { type: 'string' },
    seed: { type: 'string', default: '1' },
    map: { type: 'string', default: 'maps/demo-site.json' },
    'cross-floor': { type: 'string', default: '0.3' },
    'ride-horizon': { type: 'string', default: String(RIDE_HORIZON_S) },
    'no-ride-metering': { type: 'boolean', default: false },
  },
});
const agvCount = positiveInteger('agvs');
const minutes = positiveInteger('minutes');
const seed = positiveInteger('seed');
const crossFloor = Number(values['cross-floor']);
const rideHorizonS = Number(values['ride-horizon']);
if (!(rideHorizonS > 0)) throw new Error(`--ride-horizon must be a positive number of seconds, not ${values['ride-horizon']}`);
if (!(crossFloor >= 0 && crossFloor <= 1)) throw new Error(`--cross-floor must be a share from 0 to 1, not ${values['cross-floor']}`);
const full = loadSiteMap(JSON.parse(readFileSync(new URL(`../${values.map}`, import.meta.url), 'utf8')));
const liftCount = values.lifts === undefined ? full.lifts.length : Number(values.lifts);
if (!Number.isInteger(liftCount) || liftCount < 1 || liftCount > full.lifts.length) {
  throw new Error(`--lifts must be an integer from 1 to ${full.lifts.length} (the lifts of ${values.map})`);
}
const site = withLifts(full, liftCount);

const [hexa, nord, roll] = VENDOR_PROFILES;
const third = Math.floor(agvCount / 3);
const mix = [
  { profile: hexa!, count: agvCount - 2 * third },
  { profile: roll!, count: third },
  { profile: nord!, count: third },
].filter((m) => m.count > 0);
// The fleet starts spread over the floors, each vendor's AGVs in turn, never inside a lift cabin (it may stand at
// another floor; buildFleet never starts AGVs on noStop nodes).
const cabins = new Set(site.lifts.flatMap((l) => l.stops.map((st) => st.node)));
const fleet = site.maps.flatMap((map, k) => {
  const share = mix.map((m) => ({ profile: m.profile, count: Math.floor(m.count / site.maps.length) + (k < m.count % site.maps.length ? 1 : 0) })).filter((m) => m.count > 0);
  const nodes = site.nodes.filter((n) => n.map === map.id).map((n) => (cabins.has(n.id) ? { ...n, noStop: true } : n));
  const onFloor = new Set(nodes.map((n) => n.id));
  const floor = { ...site, nodes, edges: site.edges.filter((e) => onFloor.has(e.from) && onFloor.has(e.to)) };
  return share.length === 0 ? [] : buildFleet(floor, share, seed + k).map((a) => ({ ...a, id: `${a.id}-${map.id}` }));
});
const sizes = new Map(fleet.map((a) => [a.id, { lengthM: a.profile.lengthM, widthM: a.profile.widthM }]));
const safety = new SafetyChecker(site.nodes, (id) => sizes.get(id)!);
const rules = new LiftRuleChecker(site);
const started = performance.now();
const result = await runSiteSimulation({
  site,
  agvs: fleet,
  tasks: buildTasks(site, agvCount * minutes * 2, seed + 1, { crossFloorShare: crossFloor }),
  durationMs: minutes * 60_000,
  seed: seed * 7,
  stalls: { perAgvHour: 6, minMs: 2_000, maxMs: 15_000 },
  meterRides: !values['no-ride-metering'],
  rideHorizonS,
  observe: (now, agvs, lifts, doors, holdings) => {
    safety.check(now, agvs, holdings);
    rules.check(now, agvs, lifts, doors);
  },
});
const round1 = (x: number) => Math.round(x * 10) / 10;
const shares = Object.fromEntries(Object.entries(result.timeS).map(([k, v]) => [k, round1(v)]));
console.log(
  JSON.stringify({
    bench: 'site',
    floors: site.maps.length,
    lifts: site.lifts.length,
    agvs: fleet.length,
    minutes,
    tasks_done: result.tasksDone,
    cross_floor_tasks_done: result.crossFloorTasksDone,
    tasks_per_hour: Math.round(result.tasksPerHour),
    lift_utilisation: Math.round(result.liftUtilisation * 1000) / 1000,
    worst_wait_s: round1(result.worstWaitMs / 1000),
    violations: safety.violations.length + rules.violations.length + result.unheldMoves,
    // Beyond the named fields: what was applied and where the time went.
    map: values.map,
    seed,
    cross_floor_share: crossFloor,
    ride_metering: values['no-ride-metering'] ? 'off' : { horizon_s: rideHorizonS },
    lift_cycle_s: result.liftCycleS,
    worst_wait_agv: result.worstWaitAgv,
    rides: result.rides,
    map_switches: result.mapSwitches,
    nav_switches: result.navSwitches,
    stalls_injected: result.stallsInjected,
    agv_seconds_with_task: shares,
    agv_seconds_idle: Math.round(result.idleS),
    dispatches_metered: result.ridesMetered,
    worst_wait_causes_s: Object.fromEntries(Object.entries(result.worstWait.causesS).filter(([, v]) => v > 0).map(([k, v]) => [k, round1(v)])),
    worst_wait_reason: result.worstWait.reason,
    worst_wait_by_cause_s: Object.fromEntries(Object.entries(result.worstWaitByCauseS).map(([k, v]) => [k, round1(v)])),
    ride_phase_mean_s: Object.fromEntries(Object.entries(result.ridePhaseS).map(([k, v]) => [k, round1(v)])),
    first_violations: [...safety.violations, ...rules.violations].slice(0, 3),
    wall_s: round1((performance.now() - started) / 1000),
  }),
);

function positiveInteger(name: 'agvs' | 'minutes' | 'seed'): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${values[name]}`);
  return n;
}

/** The site with only its first `count` lifts (and their ride edges). */
function withLifts(s: SiteMap, count: number): SiteMap {
  const kept = new Set(s.lifts.slice(0, count).map((l) => l.id));
  return { ...s, lifts: s.lifts.filter((l) => kept.has(l.id)), edges: s.edges.filter((e) => e.kind !== 'lift' || kept.has(e.lift!)) };
}
