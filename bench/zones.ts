// npm run bench:zones [-- --agvs 30 --hours 1 --seed 1]
//
// The headline claim, measured: one site (maps/demo-warehouse.json), three vendors, the same task stream, run in
// virtual time through the same headless fleet simulation (motion model of src/agv/sim, random stalls, speed
// differences, time to turn):
//   zoned   — the status quo: each vendor's own fleet manager (v1 reservation controller) confined to its own aisles,
//             shared roads split into zones with one vendor per zone at a time; a vendor only serves its own aisles.
//   central — UniFleet: one CentralTrafficController plans every AGV; any AGV serves any task.
// Prints one JSON object per line: one per mode, then the ratio.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { VENDOR_PROFILES, type VendorProfile } from '../src/agv/sim/profiles.ts';
import type { SiteMap } from '../src/rcs/site/types.ts';
import { CentralTrafficController } from '../src/rcs/traffic/central/index.ts';
import { buildTasks } from '../src/rcs/traffic/central/sim-fleet.ts';
import { runFleetSimulation, type SimAgvSpec } from '../src/rcs/traffic/central/simulation.ts';
import type { TrafficController } from '../src/rcs/traffic/types.ts';
import { demoWarehouseZones, ZonedTrafficController } from './lib/zoned-traffic.ts';

const { values } = parseArgs({
  options: {
    agvs: { type: 'string', default: '30' },
    hours: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
  },
});
const agvCount = Number(values.agvs);
const hours = Number(values.hours);
const seed = Number(values.seed);
const mapPath = new URL('../maps/demo-warehouse.json', import.meta.url);
const site = JSON.parse(readFileSync(mapPath, 'utf8')) as SiteMap;
const vendors = VENDOR_PROFILES.map((p) => p.vendor);
const layout = demoWarehouseZones(site, vendors);

// One body size for all: the central controller does not yet keep a dense mixed-footprint fleet moving on this
// 1 m lattice (docs/traffic.md). Speeds, accelerations and action times stay per vendor.
const COMPACT = { lengthM: 0.9, widthM: 0.65 };

function fleet(): SimAgvSpec[] {
  const stations = new Set(site.stations.map((s) => s.node));
  const result: SimAgvSpec[] = [];
  let random = seed * 7919;
  const next = () => ((random = (random * 1103515245 + 12345) % 2147483648) / 2147483648);
  VENDOR_PROFILES.forEach((base, v) => {
    const profile: VendorProfile = { ...base, ...COMPACT };
    const home = site.nodes
      .filter((n) => layout.zoneOf.get(n.id) === `home:${base.vendor}` && !stations.has(n.id) && n.y !== 10)
      .sort((a, b) => a.x - b.x || a.y - b.y);
    const count = Math.floor(agvCount / VENDOR_PROFILES.length) + (v < agvCount % VENDOR_PROFILES.length ? 1 : 0);
    for (let k = 0; k < count; k++) {
      // Every other node, so AGVs start with room to move.
      const start = home[(2 * k) % home.length]!;
      result.push({ id: `${base.vendor.split(' ')[0]!.toLowerCase()}-${k + 1}`, profile, speedFactor: 0.6 + next() * 0.4, start: start.id });
    }
  });
  return result;
}

function run(mode: 'zoned' | 'central') {
  const agvs = fleet();
  const vendorOf = new Map(agvs.map((a) => [a.id, a.profile.vendor]));
  const traffic: TrafficController =
    mode === 'zoned'
      ? new ZonedTrafficController(site, layout, (id) => vendorOf.get(id)!, vendors)
      : new CentralTrafficController(site, { footprintOf: () => COMPACT, planIntervalMs: 200 });
  const started = performance.now();
  const result = runFleetSimulation({
    site,
    traffic,
    agvs,
    tasks: buildTasks(site, 20_000, seed + 1),
    durationMs: hours * 3_600_000,
    seed,
    stalls: { perAgvHour: 6, minMs: 2_000, maxMs: 15_000 },
    mayServe: mode === 'zoned' ? (agv, task) => layout.zoneOf.get(task.pick) === `home:${agv.profile.vendor}` : undefined,
  });
  const line = {
    bench: 'zones',
    mode,
    tasks_per_hour: Math.round(result.tasksPerHour * 10) / 10,
    tasks_done: result.tasksDone,
    sim_hours: hours,
    agvs: agvs.length,
    vendors: vendors.length,
    map: 'maps/demo-warehouse.json',
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
    map: 'maps/demo-warehouse.json',
    bodies: 'uniform 0.9 x 0.65 m; speeds, accelerations, action times per vendor profile',
    faults: 'speed factor 0.6-1.0, 6 stalls per AGV-hour of 2-15 s, 1 s per quarter turn',
  }),
);
