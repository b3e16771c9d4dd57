// A lone simulated AGV over MQTT in a process of its own, so a test can kill it with SIGKILL (no MQTT DISCONNECT,
// the broker sees the socket die). argv: broker URL, topic root, site, AGV id, start node number, x, y.
import { systemClock } from '../../src/core/index.ts';
import { SimAgv, VENDOR_PROFILES } from '../../src/agv/sim/index.ts';

const [url, root, site, id, node, x, y] = process.argv.slice(2) as [string, string, string, string, string, string, string];
const agv = new SimAgv({
  id,
  profile: VENDOR_PROFILES[0]!,
  serial: `SER-${id}`,
  start: { nodeNumber: Number(node), x: Number(x), y: Number(y) },
  mapNumber: 1,
  clock: systemClock,
  transport: 'mqtt',
  mqtt: { url, root, site },
  selfTickMs: 100,
});
agv.client.on('state', (state) => process.send?.(state));
agv.start();
