// Child of bench/vda5050.ts: publishes VDA 5050 state messages through the broker as fast as the broker connection
// takes them, for AGVs it first brings online (connection + factsheet) off the site's graph, so the platform ingests
// every state fully (schema, header order, registry) without any of them getting work. Separate process, so the
// platform's event loop measures ingestion, not publishing.
//
// argv: brokerUrl interfaceName agvs seconds mapId firstIndex ratePerS (0: as fast as the connection takes them).
// IPC: sends {ready} once the AGVs are announced, waits for 'go',
// then floods and sends {sent, seconds}.
import mqtt from 'mqtt';
import { vdaFactsheet } from '../src/agv/vda5050/virtual-fleet.ts';

const [brokerUrl, iface, agvsArg, secondsArg, mapId, firstArg, rateArg] = process.argv.slice(2) as [string, string, string, string, string, string, string];
const rate = Number(rateArg);
const agvs = Number(agvsArg);
const seconds = Number(secondsArg);
const firstIndex = Number(firstArg);
const serial = (i: number) => `FLOOD-${String(firstIndex + i + 1).padStart(4, '0')}`;
const header = (i: number, headerId: number) => ({ headerId, timestamp: new Date().toISOString(), version: '2.0.0', manufacturer: 'FloodCo', serialNumber: serial(i) });
const topic = (i: number, t: string) => `${iface}/v2/FloodCo/${serial(i)}/${t}`;

const client = await mqtt.connectAsync(brokerUrl, { clientId: `vda-flood-${process.pid}` });
for (let i = 0; i < agvs; i++) {
  await client.publishAsync(topic(i, 'connection'), JSON.stringify({ ...header(i, 0), connectionState: 'ONLINE' }), { qos: 1 });
  await client.publishAsync(topic(i, 'factsheet'), JSON.stringify({ ...header(i, 0), ...vdaFactsheet({ seriesName: 'Flood', lengthM: 1, widthM: 0.7, speedMps: 1, actions: [] }) }), { qos: 1 });
}
process.send!({ ready: true });
await new Promise<void>((resolve) => process.once('message', () => resolve()));

// Each AGV's state serialised once around its header id, so the child spends its time publishing, not in JSON.
const templates = Array.from({ length: agvs }, (_, i) => {
  const state = {
    ...header(i, 0),
    orderId: '', orderUpdateId: 0, lastNodeId: '', lastNodeSequenceId: 0, nodeStates: [], edgeStates: [],
    // Far off the site's graph: never on a node, so traffic and dispatch leave these AGVs alone.
    agvPosition: { x: -1000 - firstIndex - i, y: -1000, theta: 0, mapId, positionInitialized: true },
    velocity: { vx: 0, vy: 0, omega: 0 },
    driving: false, operatingMode: 'AUTOMATIC', actionStates: [], batteryState: { batteryCharge: 95, charging: false }, errors: [],
    safetyState: { eStop: 'NONE', fieldViolation: false },
  };
  const [before, after] = JSON.stringify(state).split('"headerId":0') as [string, string];
  return { topic: topic(i, 'state'), before: `${before}"headerId":`, after };
});
const headerIds = new Array<number>(agvs).fill(0);
let sent = 0;
const started = Date.now();
const end = started + seconds * 1000;
const stream = client.stream as NodeJS.WritableStream & { writableLength: number };
while (Date.now() < end) {
  // Paced to the asked rate: never ahead of rate × elapsed time.
  if (rate > 0 && sent >= ((Date.now() - started) / 1000) * rate) {
    await new Promise((r) => setTimeout(r, 5));
    continue;
  }
  for (let k = 0; k < 100; k++) {
    const i = sent % agvs;
    const t = templates[i]!;
    client.publish(t.topic, `${t.before}${++headerIds[i]!}${t.after}`, { qos: 0 });
    sent++;
  }
  // Respect the socket: wait while more than 1 MiB is queued for the broker.
  if (stream.writableLength > 1 << 20) await new Promise((r) => stream.once('drain', r));
  else await new Promise((r) => setImmediate(r));
}
const elapsed = (Date.now() - started) / 1000;
await client.endAsync();
process.send!({ sent, seconds: elapsed });
process.disconnect();
