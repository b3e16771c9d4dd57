// Child process of bench/fleet.ts: the simulated fleet, in its own process so its CPU does not count as the RCS's.
// argv: map file, RCS port, AGV count, a file of secure credentials or '' (AGVs listed there connect in secure mode
// with the SM2 key the parent enrolled for them), and the MQTT link settings as JSON or '' (TCP).
import { readFileSync } from 'node:fs';
import { systemClock } from '../src/core/index.ts';
import { Simulator, type SimMapNode } from '../src/agv/sim/index.ts';
import type { SecureCredentials } from '../src/agv/sdk/types.ts';

interface SecureFile {
  platformPublicKey: string;
  keys: Record<string, { privateKey: string; publicKey: string }>;
}

const [mapPath, port, count, securePath, mqttJson] = process.argv.slice(2);
const mqtt = mqttJson ? (JSON.parse(mqttJson) as { url: string; root: string; site: string }) : undefined;
const map = JSON.parse(readFileSync(mapPath!, 'utf8')) as { nodes: SimMapNode[]; startNodes: string[] };
const secure = securePath ? (JSON.parse(readFileSync(securePath, 'utf8')) as SecureFile) : undefined;
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const credentials = (id: string): SecureCredentials | undefined => {
  const keys = secure?.keys[id];
  return keys && { privateKey: hex(keys.privateKey), publicKey: hex(keys.publicKey), platformPublicKey: hex(secure!.platformPublicKey) };
};
const sim = new Simulator({ clock: systemClock, nodes: map.nodes, count: Number(count), startNodes: map.startNodes, host: '127.0.0.1', port: Number(port), transport: mqtt ? 'mqtt' : 'tcp', mqtt, idPrefix: 'B', tickMs: 200, batteryPct: () => 95, credentials });
sim.start(250);
process.on('message', (m) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
  if (m === 'stop') {
    sim.stop();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
