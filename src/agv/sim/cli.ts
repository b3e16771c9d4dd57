// Runs a simulated fleet as its own process against a (possibly remote) platform:
//   tsx src/agv/sim/cli.ts --rcs host:port --agvs N [--map maps/demo-warehouse.json] [--prefix SIM-] [--time-factor 1]
//   tsx src/agv/sim/cli.ts --transport mqtt --broker mqtt://127.0.0.1:1883 [--site <map id>] [--topic-root unifleet/v1] …
//     [--obstacle FROM~TO ...] [--random-obstacles PER_MIN [--obstacle-s S]]
// --rcs takes a comma-separated list for a site with a leader and warm standbys (host:port,host:port): the instances
// in failover order, as the SDK's `endpoints`.
// The map must be the one the platform uses: wire node numbers are positions in its node list. Over MQTT the site
// defaults to the map's id, as on the platform. --obstacle puts an obstacle on the edge between two nodes
// (repeatable); --random-obstacles scatters them on free edges (soak runs), each staying S seconds (default 60). AGVs
// that meet one ask the platform for a detour, or report it.
import { readFileSync } from 'node:fs';
import { systemClock } from '../../core/index.ts';
import { ScaledClock } from './scaled-clock.ts';
import { Simulator, type SimMapEdge, type SimMapNode } from './simulator.ts';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

const rcs = arg('rcs', '127.0.0.1:7700');
const endpoints = rcs.split(',').map((address) => {
  const at = address.lastIndexOf(':');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`--rcs: expected host:port, got '${address}'`);
  return { host: address.slice(0, at), port };
});
const map = JSON.parse(readFileSync(arg('map', 'maps/demo-warehouse.json'), 'utf8')) as { id?: string; nodes: SimMapNode[]; edges: SimMapEdge[]; parking?: { node: string }[] };
const transport = arg('transport', 'tcp');
if (transport !== 'tcp' && transport !== 'mqtt') throw new Error(`--transport is tcp or mqtt, not ${transport}`);
const mqtt = transport === 'mqtt' ? { url: arg('broker', 'mqtt://127.0.0.1:1883'), site: arg('site', map.id), root: arg('topic-root', 'unifleet/v1') } : undefined;
const factor = Number(arg('time-factor', '1'));
const clock = factor === 1 ? systemClock : new ScaledClock(factor);
const sim = new Simulator({
  clock,
  nodes: map.nodes,
  count: Number(arg('agvs', '10')),
  startNodes: map.parking?.map((p) => p.node),
  endpoints,
  transport,
  mqtt,
  idPrefix: arg('prefix', 'SIM-'),
});
sim.start();
console.log(`simulating ${sim.agvs.length} AGVs against ${mqtt ? `${mqtt.url} (site ${mqtt.site})` : rcs}`);
const known = new Set(map.nodes.map((n) => n.id));
process.argv.forEach((a, i) => {
  if (a !== '--obstacle') return;
  const [from, to] = (process.argv[i + 1] ?? '').split('~');
  if (!from || !to || !known.has(from) || !known.has(to)) throw new Error(`--obstacle wants FROM~TO with two node ids of the map, got '${process.argv[i + 1]}'`);
  console.log(`obstacle ${sim.addObstacle({ edge: [from, to] }).id} between ${from} and ${to}`);
});
if (process.argv.includes('--random-obstacles')) {
  const everyMs = 60_000 / Number(arg('random-obstacles'));
  const lifetimeMs = Number(arg('obstacle-s', '60')) * 1000;
  if (!Number.isFinite(everyMs) || everyMs <= 0 || !Number.isFinite(lifetimeMs) || lifetimeMs <= 0) throw new Error('--random-obstacles and --obstacle-s want positive numbers');
  sim.scatterObstacles({ edges: map.edges, everyMs, lifetimeMs }, (o) => console.log(`obstacle ${o.id} placed`));
}
const stop = () => {
  sim.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
