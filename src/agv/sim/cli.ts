// Runs a simulated fleet as its own process against a (possibly remote) platform:
//   tsx src/agv/sim/cli.ts --rcs host:port --agvs N [--map maps/demo-site.json] [--prefix SIM-] [--time-factor 1]
// The map must be the one the platform uses: wire node numbers are positions in its node list.
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
const map = JSON.parse(readFileSync(arg('map', 'maps/demo-site.json'), 'utf8')) as { nodes: SimMapNode[]; parking?: { node: string }[] };
const factor = Number(arg('time-factor', '1'));
const clock = factor === 1 ? systemClock : new ScaledClock(factor);
const sim = new Simulator({
  clock,
  nodes: map.nodes,
  count: Number(arg('agvs', '10')),
  startNodes: map.parking?.map((p) => p.node),
  host,
  port: Number(portText),
  idPrefix: arg('prefix', 'SIM-'),
});
sim.start();
console.log(`simulating ${sim.agvs.length} AGVs against ${host}:${portText}`);
const stop = () => {
  sim.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
