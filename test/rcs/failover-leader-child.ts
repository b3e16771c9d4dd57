// A site leader in a process of its own, so a test can kill it with SIGKILL: nothing of it says goodbye (no MQTT end
// markers, no DISCONNECT, its lock session just ends). argv: database URL (with ?schema=), MQTT URL, topic root,
// the parent's clock origin (ms) and time factor, so this process's virtual time is the parent's.
import { ScaledClock } from '../../src/agv/sim/index.ts';
import { startPlatform } from '../../src/rcs/platform.ts';
import { demoSite, e2eConfig } from './e2e-harness.ts';

const [dbUrl, mqttUrl, root, origin, factor] = process.argv.slice(2) as [string, string, string, string, string];
const t0 = Number(origin);
const clock = new ScaledClock(Number(factor), t0 + (Date.now() - t0) * Number(factor));
const platform = await startPlatform(e2eConfig({ dbUrl, leaderElection: true, recoveryMs: 60_000, mqttUrl, mqttTopicRoot: root }), { site: await demoSite(), clock, ops: false });
await platform.leading;
process.send?.({ apiUrl: platform.apiUrl, apiKey: platform.demoApiKey });
