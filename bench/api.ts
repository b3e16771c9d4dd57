// Platform HTTP API throughput over real TCP: task creation (with idempotency keys), listing and reading, against a
// real SQLite file. Prints one JSON object per operation. Run: npm run bench:api [-- --seconds 3 --concurrency 16]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/core/clock.ts';
import { buildApi, emptyFleetView } from '../src/rcs/api/index.ts';
import { ApiKeyAuth } from '../src/rcs/auth/index.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../src/rcs/site/index.ts';
import { openStore } from '../src/rcs/store/index.ts';
import { TaskService } from '../src/rcs/tasks/index.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const seconds = arg('seconds', 3);
const concurrency = arg('concurrency', 16);
const dir = mkdtempSync(join(tmpdir(), 'unifleet-bench-api-'));
const store = openStore({ path: join(dir, 'bench.sqlite') });
const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);
const tasks = new TaskService({ store, site, clock: systemClock });
const auth = new ApiKeyAuth(store.apiKeys, systemClock);
const { token } = await auth.issue('bench', 'operator');
const app = buildApi({ store, tasks, fleet: emptyFleetView, site, auth, clock: systemClock });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1`;
const headers = { 'x-api-key': token, 'content-type': 'application/json' };

async function run(op: string, request: (i: number) => Promise<Response>): Promise<void> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let counter = 0;
  let failures = 0;
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        const response = await request(counter++);
        await response.arrayBuffer();
        if (!response.ok) failures++;
        latencies.push(performance.now() - started);
      }
    }),
  );
  const wall = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2));
  console.log(
    JSON.stringify({
      bench: 'api',
      op,
      concurrency,
      requests: latencies.length,
      failures,
      rps: Math.round(latencies.length / wall),
      p50_ms: pct(0.5),
      p99_ms: pct(0.99),
      // Server and load generator share this process, so this is an upper bound for the server's share.
      process_cpu_pct: Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 100),
    }),
  );
}

try {
  await run('create_task', (i) =>
    fetch(`${base}/tasks`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': `bench-${i}` },
      body: JSON.stringify({ pick: `PICK-${String((i % 18) + 1).padStart(2, '0')}`, drop: 'DROP-01', priority: i % 10 }),
    }),
  );
  const ids = (await tasks.list({ limit: 500 })).items.map((t) => t.id);
  await run('get_task', (i) => fetch(`${base}/tasks/${ids[i % ids.length]}`, { headers }));
  await run('list_tasks_50', () => fetch(`${base}/tasks?state=queued&limit=50`, { headers }));
} finally {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
