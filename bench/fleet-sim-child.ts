// Child process of bench/fleet.ts: the simulated fleet, in its own process so its CPU does not count as the RCS's.
import { readFileSync } from 'node:fs';
import { systemClock } from '../src/core/index.ts';
import { Simulator, type SimMapNode } from '../src/agv/sim/index.ts';

const [mapPath, port, count] = process.argv.slice(2);
const map = JSON.parse(readFileSync(mapPath!, 'utf8')) as { nodes: SimMapNode[]; startNodes: string[] };
const sim = new Simulator({ clock: systemClock, nodes: map.nodes, count: Number(count), startNodes: map.startNodes, host: '127.0.0.1', port: Number(port), idPrefix: 'B', tickMs: 200, batteryPct: () => 95 });
sim.start(250);
process.on('message', (m) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (m === 'stop') {
    sim.stop();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
