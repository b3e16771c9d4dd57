// Parameters and running data at fleet scale over real TCP and HTTP: N simulated AGVs (SDK controller over the
// simulator's adapter, each on its own socket) against the platform with a real SQLite file. Prints one JSON object
// per operation: a running-data round over every online AGV (request, answer, store), and parameter sets through
// `PATCH /api/v1/agvs/{id}/params` (HTTP → paramSet → paramSetAck → HTTP answer), `concurrency` at a time.
// Run: npm run bench:agv-data [-- --agvs 200 --rounds 5 --concurrency 16]
// The simulator runs in the same process as the platform, so both share one event loop: figures are pessimistic.

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/core/clock.ts';
import { Simulator } from '../src/agv/sim/index.ts';
import { startPlatform } from '../src/rcs/platform.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../src/rcs/site/index.ts';
import { loadConfig } from '../src/rcs/config.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const agvs = arg('agvs', 200);
const rounds = arg('rounds', 5);
const concurrency = arg('concurrency', 16);
const dir = mkdtempSync(join(tmpdir(), 'unifleet-bench-agv-data-'));
const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);
const platform = await startPlatform(
  {
    ...loadConfig([], { UNIFLEET_LOG_LEVEL: 'silent' }),
    dbPath: join(dir, 'bench.sqlite'), apiHost: '127.0.0.1', apiPort: 0, rcsHost: '127.0.0.1', rcsPort: 0,
    autoEnrol: true, autoApprove: true, demoKey: true, webhooks: false, runningDataPeriodMs: 0, heartbeatTimeoutMs: 30_000,
  },
  { site, clock: systemClock, ops: false },
);
const startNodes = site.nodes.map((n) => n.id);
const sim = new Simulator({ clock: systemClock, nodes: site.nodes, count: agvs, startNodes, host: '127.0.0.1', port: platform.rcsPort, batteryPct: () => 90 });
sim.start();
const online = performance.now();
while (platform.registry.onlineCount() < agvs) {
  if (performance.now() - online > 120_000) throw new Error(`only ${platform.registry.onlineCount()} of ${agvs} AGVs online after 120 s`);
  await new Promise((r) => setTimeout(r, 100));
}
const ids = platform.registry.list().map((a) => a.id);

const pct = (sorted: number[], p: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!.toFixed(2));

// Running data: whole rounds, as the periodic collector runs them.
const roundMs: number[] = [];
const before = await platform.store.runningData.list(ids[0]!, 0, 1_000_000);
for (let r = 0; r < rounds; r++) {
  const started = performance.now();
  await platform.runningData.collectAll();
  roundMs.push(performance.now() - started);
}
let samples = 0;
for (const id of ids) samples += (await platform.store.runningData.list(id, 0, 1_000_000)).length;
samples -= before.length;
roundMs.sort((a, b) => a - b);
console.log(JSON.stringify({
  bench: 'agv-data', op: 'running-data-round', agvs, online: platform.registry.onlineCount(), rounds, requested: rounds * ids.length, samples_stored: samples,
  round_p50_ms: pct(roundMs, 0.5), round_max_ms: pct(roundMs, 1), load1: Number(loadavg()[0]!.toFixed(2)),
}));

// Parameter sets through the API, `concurrency` in flight.
const latencies: number[] = [];
let ok = 0;
let next = 0;
const headers = { 'x-api-key': platform.demoApiKey!, 'content-type': 'application/json' };
const wall = performance.now();
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (next < ids.length) {
    const id = ids[next++]!;
    const started = performance.now();
    const res = await fetch(`${platform.apiUrl}/api/v1/agvs/${id}/params`, { method: 'PATCH', headers, body: JSON.stringify({ params: [{ param: 'soundVolume', value: 40 }] }) });
    await res.arrayBuffer();
    if (res.ok) ok++;
    latencies.push(performance.now() - started);
  }
}));
const seconds = (performance.now() - wall) / 1000;
latencies.sort((a, b) => a - b);
console.log(JSON.stringify({
  bench: 'agv-data', op: 'param-set', agvs, concurrency, requests: latencies.length, ok, per_s: Number((latencies.length / seconds).toFixed(1)),
  p50_ms: pct(latencies, 0.5), p99_ms: pct(latencies, 0.99), load1: Number(loadavg()[0]!.toFixed(2)),
}));

sim.stop();
await platform.stop();
rmSync(dir, { recursive: true, force: true });
