// Runs a simulated fleet as its own process against a (possibly remote) platform:
//   tsx src/agv/sim/cli.ts --rcs host:port --agvs N [--map maps/demo-warehouse.json] [--prefix SIM-] [--time-factor 1]
//   tsx src/agv/sim/cli.ts --transport mqtt --broker mqtt://127.0.0.1:1883 [--site <map id>] [--topic-root unifleet/v1] …
// The map must be the one the platform uses: wire node numbers are positions in its node list. Over MQTT the site
// defaults to the map's id, as on the platform.
import { readFileSync } from 'node:fs';
import { systemClock } from '../../core/index.ts';
import { ScaledClock } from './scaled-clock.ts';
import { Simulator, type SimMapNode } from './simulator.ts';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

const [host, portText] = arg('rcs', '127.0.0.1:7700').split(':');
const map = JSON.parse(readFileSync(arg('map', 'maps/demo-warehouse.json'), 'utf8')) as { id?: string; nodes: SimMapNode[]; parking?: { node: string }[] };
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
  host,
  port: Number(portText),
  transport,
  mqtt,
  idPrefix: arg('prefix', 'SIM-'),
});
sim.start();
console.log(`simulating ${sim.agvs.length} AGVs against ${mqtt ? `${mqtt.url} (site ${mqtt.site})` : `${host}:${portText}`}`);
const stop = () => {
  sim.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
