// npm run bench:vda5050 [-- --vda-agvs N] [-- --uf-agvs M] [-- --tasks T] [-- --time-factor F] [-- --flood-s S]
//                        [-- --flood-agvs K] [-- --flood-procs P] [-- --flood-rate R] [-- --broker mqtt://127.0.0.1:1883]
// One site, one platform (in this process), one traffic control: N VDA 5050 virtual AGVs (vda-5050-lib's
// AgvController + VirtualAgvAdapter, in this process, through the real MQTT broker) and M guide-protocol simulated
// AGVs (over TCP) share T pick/drop tasks submitted through the HTTP API, on accelerated time (motion and actions
// run F times faster on both sides). An independent checker (test/rcs/vda-mixed-checker.ts) reads only what the AGVs
// report — guide status frames via the frame tap, VDA states through its own MQTT subscription — and counts two AGVs
// on one node as a violation.
//
// Then state ingestion: child processes (--flood-procs, default 2) bring K more VDA AGVs online off the graph and publishes their state
// messages through the broker at R messages/s in all (--flood-rate, default 6000; 0 = as fast as the connections take
// them) for S seconds; state_msgs_per_s is the number of
// states the platform accepted (parsed, schema-checked, header-ordered, in the registry) divided by the time between
// the first and the last one it accepted. flood_sent says what was offered; what the broker or the platform dropped
// is flood_sent - flood_ingested.
//
// order_latency_p99_ms: a VDA order published -> the AGV's state showing it taken up, over every order of the task
// phase, in real milliseconds (the platform's virtual-clock measurement divided by F).
//
// One JSON line on stdout: the fields first, then the load applied and the side counters.
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ScaledClock, Simulator, VENDOR_PROFILES } from '../src/agv/sim/index.ts';
import { VdaVirtualFleet } from '../src/agv/vda5050/virtual-fleet.ts';
import { loadConfig } from '../src/rcs/config.ts';
import { startPlatform } from '../src/rcs/platform.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../src/rcs/site/index.ts';
import { MixedFleetChecker } from '../test/rcs/vda-mixed-checker.ts';

const { values } = parseArgs({
  options: {
    'vda-agvs': { type: 'string', default: '8' },
    'uf-agvs': { type: 'string', default: '8' },
    tasks: { type: 'string', default: '40' },
    'time-factor': { type: 'string', default: '10' },
    'flood-s': { type: 'string', default: '5' },
    'flood-agvs': { type: 'string', default: '50' },
    'flood-procs': { type: 'string', default: '2' },
    'flood-rate': { type: 'string', default: '6000' },
    broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    'timeout-s': { type: 'string', default: '600' },
  },
});
const vdaAgvs = Number(values['vda-agvs']);
const ufAgvs = Number(values['uf-agvs']);
const taskCount = Number(values.tasks);
const timeFactor = Number(values['time-factor']);
const floodS = Number(values['flood-s']);
const floodProcs = Number(values['flood-procs']);
const floodRate = Number(values['flood-rate']);
const floodAgvs = Math.ceil(Number(values['flood-agvs']) / floodProcs) * floodProcs;
const broker = values.broker!;
const logLevel = process.env.UNIFLEET_LOG_LEVEL === undefined ? 'fatal' : loadConfig([], process.env).logLevel;

// The small warehouse (1 m lattice) with compact bodies on both sides: the guide-protocol fleet is the 0.9 m vendor.
const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);
const spots = [...site.parking.map((p) => p.node), ...site.chargers.map((c) => c.node)].map((id) => site.nodes.find((n) => n.id === id)!);
if (vdaAgvs + ufAgvs > spots.length) throw new Error(`the demo site has ${spots.length} parking/charger nodes; asked for ${vdaAgvs + ufAgvs} AGVs`);
const iface = `bench-${Math.random().toString(36).slice(2, 10)}`;
const clock = new ScaledClock(timeFactor);
const checker = new MixedFleetChecker(site.nodes);
await checker.watchVda(broker, iface);
const platform = await startPlatform(
  {
    ...loadConfig([], {}),
    logLevel,
    dbPath: ':memory:',
    apiHost: '127.0.0.1',
    apiPort: 0,
    rcsHost: '127.0.0.1',
    rcsPort: 0,
    demoKey: true,
    autoApprove: true,
    webhooks: false,
    heartbeatTimeoutMs: 30_000,
    vda5050: true,
    vdaBrokerUrl: broker,
    vdaInterface: iface,
    vdaStaleAfterMs: 600_000,
    vdaCommandTimeoutMs: 60_000,
  },
  { site, clock, tap: checker.tap, ops: false },
);
const sim = new Simulator({ clock, nodes: site.nodes, count: ufAgvs, startNodes: spots.slice(0, ufAgvs).map((n) => n.id), host: '127.0.0.1', port: platform.rcsPort, batteryPct: () => 90, profiles: [VENDOR_PROFILES[0]!] });
sim.start();
const vda = new VdaVirtualFleet({ brokerUrl: broker, interfaceName: iface, manufacturer: 'VirtualCo', serialPrefix: 'VDA-', count: vdaAgvs, startNodes: spots.slice(ufAgvs), mapId: site.id, timeLapse: timeFactor });
await vda.start();

async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutS: number): Promise<boolean> {
  const end = Date.now() + timeoutS * 1000;
  while (Date.now() < end) {
    if (await predicate()) return true;
    await sleep(200);
  }
  process.stderr.write(`bench:vda5050: gave up waiting for ${what}\n`);
  return false;
}

await until('every AGV online', () => platform.registry.onlineCount() === vdaAgvs + ufAgvs, 60);
const picks = site.stations.filter((s) => s.kind !== 'drop');
const drops = site.stations.filter((s) => s.kind !== 'pick');
const ids: string[] = [];
for (let i = 0; i < taskCount; i++) {
  const res = await fetch(`${platform.apiUrl}/api/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': platform.demoApiKey! },
    body: JSON.stringify({ pick: picks[(i * 7) % picks.length]!.id, drop: drops[(i * 3) % drops.length]!.id }),
  });
  if (res.status === 201) ids.push(((await res.json()) as { id: string }).id);
}
const taskStart = Date.now();
await until('every task completed', async () => (await Promise.all(ids.map((id) => platform.tasks.get(id)))).every((t) => t?.state === 'completed'), Number(values['timeout-s']));
const taskSeconds = (Date.now() - taskStart) / 1000;
for (const t of await Promise.all(ids.map((id) => platform.tasks.get(id)))) {
  if (t && t.state !== 'completed') process.stderr.write(`bench:vda5050: task ${t.id} left ${t.state} on ${t.agvId ?? 'no AGV'} (${platform.registry.get(t.agvId ?? '')?.state ?? '-'})\n`);
}
const tasks = await Promise.all(ids.map((id) => platform.tasks.get(id)));
const done = tasks.filter((t) => t?.state === 'completed');
const tasksDoneVda = done.filter((t) => t!.agvId?.startsWith('VDA-')).length;
const [orderP50, orderP99] = platform.vdaLatency.percentiles([50, 99]);
const ordersMeasured = platform.vdaLatency.total;

// ---- state ingestion through the broker ----
// The checker's job ended with the task phase; its own subscription would parse every flood message in this process.
await checker.stop();
const children = Array.from({ length: floodProcs }, (_, p) =>
  fork(join(import.meta.dirname, 'vda5050-flood-child.ts'), [broker, iface, String(floodAgvs / floodProcs), String(floodS), site.id, String((p * floodAgvs) / floodProcs), String(floodRate / floodProcs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
);
const ready: unknown[] = [];
const results: { sent: number; seconds: number }[] = [];
for (const child of children) child.on('message', (m) => ((m as { ready?: boolean }).ready ? ready.push(m) : results.push(m as { sent: number; seconds: number })));
await until('flood AGVs announced', () => ready.length === floodProcs, 60);
await until('flood AGVs admitted', () => platform.vda!.list().filter((a) => a.agvId.startsWith('FLOOD-') && a.phase === 'active').length === floodAgvs, 60);
let first = 0;
let last = 0;
let ingested = 0;
const counting = platform.registry.onEvent((e) => {
  if (e.type !== 'status' || !e.agvId.startsWith('FLOOD-')) return;
  const now = performance.now();
  if (ingested === 0) first = now;
  last = now;
  ingested++;
});
for (const child of children) child.send('go');
await until('flood finished', () => results.length === floodProcs, floodS + 60);
// Let the broker hand over what it still queues.
let settled = -1;
while (settled !== ingested) {
  settled = ingested;
  await sleep(500);
}
counting();
const flood = { sent: results.reduce((n, r) => n + r.sent, 0), seconds: Math.max(...results.map((r) => r.seconds)) };
const perS = ingested > 1 ? ingested / ((last - first) / 1000) : 0;

console.log(JSON.stringify({
  bench: 'vda5050',
  vda_agvs: vdaAgvs,
  uf_agvs: ufAgvs,
  tasks_done_vda: tasksDoneVda,
  tasks_done_uf: done.length - tasksDoneVda,
  state_msgs_per_s: Math.round(perS),
  order_latency_p99_ms: orderP99 === undefined ? null : Math.round((orderP99 / timeFactor) * 10) / 10,
  violations: checker.violations.length,
  tasks_submitted: ids.length,
  task_phase_s: Math.round(taskSeconds),
  time_factor: timeFactor,
  order_latency_p50_ms: orderP50 === undefined ? null : Math.round((orderP50 / timeFactor) * 10) / 10,
  vda_commands_measured: ordersMeasured,
  checker_reports_vda: checker.reports.vda,
  checker_reports_uf: checker.reports.guide,
  flood_agvs: floodAgvs,
  flood_procs: floodProcs,
  flood_rate_asked: floodRate,
  flood_s: Math.round(flood.seconds * 10) / 10,
  flood_sent: flood.sent,
  flood_offered_per_s: Math.round(flood.sent / flood.seconds),
  flood_ingested: ingested,
  invalid: platform.vda!.counters.invalid,
  duplicates: platform.vda!.counters.duplicates,
  load_avg_1m: Math.round(loadavg()[0]! * 100) / 100,
}));

await vda.stop();
sim.stop();
await platform.stop();
process.exit(0);
