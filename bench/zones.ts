// npm run bench:zones [-- --agvs 30 --hours 1 --seed 1 --bodies compact|real --hold 300 --map maps/demo-site.json]
//
// The headline claim, measured: one site (default maps/demo-site.json, the two-floor default site laid out for the
// mixed fleet), three vendors, the same task stream, run in virtual time through the same headless fleet simulation
// (motion model of src/agv/sim, random stalls, speed differences, time to turn):
//   zoned   — the status quo: each vendor's own fleet manager (v1 reservation controller) confined to its own aisles;
//             the shared ring road is one zone that one vendor at a time may use, handed over through gates (see
//             bench/lib/zoned-traffic.ts); a vendor only serves its own aisles.
//   central — UniFleet: one CentralTrafficController plans every AGV; any AGV serves any task its navigation modes
//             and body allow (routableGraph).
// On a site of several floors each floor is zoned alike and tasks stay on a floor (the zoned status quo shares no
// lifts); an AGV serves the tasks of the floor it is on. Lift rides are measured by bench:site.
// Prints one JSON object per line: one per mode, then the ratio.

import { parseArgs } from 'node:util';
import { VENDOR_PROFILES } from '../src/agv/sim/profiles.ts';
import { readSiteMapFile, routableGraph, type RoutableGraph } from '../src/rcs/site/index.ts';
import type { SimAgvSpec, SimTask } from '../src/rcs/traffic/central/simulation.ts';
import { CentralTrafficController } from '../src/rcs/traffic/central/index.ts';
import { buildTasks } from '../src/rcs/traffic/central/sim-fleet.ts';
import { runFleetSimulation } from '../src/rcs/traffic/central/simulation.ts';
import type { TrafficController } from '../src/rcs/traffic/types.ts';
import { COMPACT_BODY, countFinishedTasks, demoWarehouseZones, ZonedTrafficController, zonedFleet } from './lib/zoned-traffic.ts';

const { values } = parseArgs({
  options: {
    agvs: { type: 'string', default: '30' },
    hours: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    // real: each vendor's own dimensions; compact: one 0.9 m body for all (speeds and action times per vendor).
    bodies: { type: 'string', default: 'compact' },
    // Seconds a vendor keeps the shared zone before it drains for a waiting vendor (docs/traffic.md, bench:zones).
    hold: { type: 'string', default: '300' },
    map: { type: 'string', default: 'maps/demo-site.json' },
  },
});
const agvCount = Number(values.agvs);
const hours = Number(values.hours);
const seed = Number(values.seed);
const holdS = Number(values.hold);
const bodies = values.bodies === 'real' ? 'real' : 'compact';
if (values.bodies !== bodies) throw new Error(`--bodies must be compact or real, not ${values.bodies}`);
const mapFile = values.map;
const site = await readSiteMapFile(new URL(`../${mapFile}`, import.meta.url).pathname);
const vendors = VENDOR_PROFILES.map((p) => p.vendor);
const layout = demoWarehouseZones(site, vendors);
const mapOf = new Map(site.nodes.map((n) => [n.id, n.map]));
const navigationOf: Record<string, 'laserSlam' | 'qrCode'> = { slam: 'laserSlam', qr: 'qrCode' };
/** Where each AGV may go: its registered navigation mode and body (the same for every AGV of a profile). */
const routable = new Map<string, RoutableGraph>();
function mayGo(agv: SimAgvSpec): RoutableGraph {
  const key = `${agv.profile.navigation}:${Math.max(agv.profile.lengthM, agv.profile.widthM)}`;
  let graph = routable.get(key);
  if (!graph) routable.set(key, (graph = routableGraph(site, { navigation: [navigationOf[agv.profile.navigation]!], bodyM: Math.max(agv.profile.lengthM, agv.profile.widthM) })));
  return graph;
}
/** An AGV serves tasks on the floor it starts on (tasks never leave a floor here) that it may drive to. */
function canServe(agv: SimAgvSpec, task: SimTask): boolean {
  const graph = mayGo(agv);
  return mapOf.get(task.pick) === mapOf.get(agv.start) && graph.nodes.has(task.pick) && graph.nodes.has(task.drop);
}

function run(mode: 'zoned' | 'central') {
  const agvs = zonedFleet(site, layout, agvCount, seed, bodies);
  const vendorOf = new Map(agvs.map((a) => [a.id, a.profile.vendor]));
  const sizes = new Map(agvs.map((a) => [a.id, { lengthM: a.profile.lengthM, widthM: a.profile.widthM }]));
  const traffic: TrafficController =
    mode === 'zoned'
      ? new ZonedTrafficController(site, layout, (id) => vendorOf.get(id)!, vendors, { minHoldMs: holdS * 1000 })
      : new CentralTrafficController(site, { footprintOf: (id) => sizes.get(id) ?? COMPACT_BODY, planIntervalMs: 200 });
  const done = countFinishedTasks(traffic, (id) => vendorOf.get(id)!);
  const started = performance.now();
  const result = runFleetSimulation({
    site,
    traffic,
    agvs,
    tasks: buildTasks(site, 20_000, seed + 1),
    durationMs: hours * 3_600_000,
    seed,
    stalls: { perAgvHour: 6, minMs: 2_000, maxMs: 15_000 },
    mayServe: mode === 'zoned' ? (agv, task) => canServe(agv, task) && layout.zoneOf.get(task.pick) === `home:${agv.profile.vendor}` : canServe,
  });
  const line = {
    bench: 'zones',
    mode,
    tasks_per_hour: Math.round(result.tasksPerHour * 10) / 10,
    tasks_done: result.tasksDone,
    tasks_by_vendor: Object.fromEntries(vendors.map((v) => [v, done.get(v) ?? 0])),
    sim_hours: hours,
    agvs: agvs.length,
    vendors: vendors.length,
    map: mapFile,
    floors: site.maps.length,
    bodies,
    ...(mode === 'zoned' ? { zone_hold_s: holdS } : {}),
    max_no_progress_s: Math.round(result.maxNoProgressMs / 100) / 10,
    max_no_progress_agv: result.maxNoProgressAgv,
    unheld_moves: result.unheldMoves,
    wall_s: Math.round((performance.now() - started) / 100) / 10,
  };
  console.log(JSON.stringify(line));
  return line;
}

const zoned = run('zoned');
const central = run('central');
console.log(
  JSON.stringify({
    bench: 'zones',
    ratio: zoned.tasks_per_hour > 0 ? Math.round((central.tasks_per_hour / zoned.tasks_per_hour) * 100) / 100 : null,
    zoned_tasks_per_hour: zoned.tasks_per_hour,
    central_tasks_per_hour: central.tasks_per_hour,
    sim_hours: hours,
    agvs: central.agvs,
    vendors: vendors.length,
    map: mapFile,
    floors: site.maps.length,
    bodies:
      bodies === 'compact'
        ? 'uniform 0.9 x 0.65 m; speeds, accelerations, action times per vendor profile'
        : 'per vendor profile (0.9 x 0.65, 1.8 x 0.95, 1.1 x 0.8 m); the zoned fleet managers (v1) ignore body size',
    tasks: 'pick and drop on one floor; a vendor serves only its own aisles (zoned) or any task its navigation and body allow (central)',
    faults: 'speed factor 0.6-1.0, 6 stalls per AGV-hour of 2-15 s, 1 s per quarter turn',
  }),
);
