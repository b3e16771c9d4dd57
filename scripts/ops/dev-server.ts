// Dashboard development server: operations (real OpsService, real SQLite store, real WebSocket feed) over the synthetic
// fleet, so the dashboard can be built and benchmarked without the whole platform.
//   npx tsx scripts/ops/dev-server.ts [--agvs 200] [--port 8080]
// Then open the printed URL (or run `npm run dev:web` for hot reload, which proxies /api to port 8080).
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger, OpsService } from '../../src/rcs/ops/index.ts';
import { openStore } from '../../src/rcs/store/index.ts';
import { buildOpsApi } from './ops-api.ts';
import { SyntheticFleet } from './synthetic-fleet.ts';

export const DEV_USERS = [
  { username: 'admin', password: 'admin-demo', role: 'admin' as const },
  { username: 'operator', password: 'operator-demo', role: 'operator' as const },
  { username: 'viewer', password: 'viewer-demo', role: 'viewer' as const },
];

export interface DevServer {
  url: string;
  app: FastifyInstance;
  ops: OpsService;
  fleet: SyntheticFleet;
  close(): Promise<void>;
}

export async function startDevServer(options: { agvs: number; port?: number; taskEveryMs?: number }): Promise<DevServer> {
  const clock = systemClock;
  const fleet = new SyntheticFleet({ agvs: options.agvs }, () => clock.now());
  const store = openStore({ path: ':memory:' });
  const ops = new OpsService({
    store,
    fleet,
    clock,
    logger: createLogger({ level: 'warn' }),
    seedUsers: DEV_USERS,
  });
  await ops.start();
  const api = await buildOpsApi(ops, { clock, store, webRoot: join(import.meta.dirname, '../../web/dist') });
  const app = api.app;
  const url = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const timers = [
    setInterval(() => fleet.step(100), 100),
    setInterval(() => {
      const stations = fleet.map.stations;
      const from = stations[Math.floor(Math.random() * stations.length)]!.id;
      const to = stations[Math.floor(Math.random() * stations.length)]!.id;
      if (from !== to) void fleet.createTask({ from, to });
    }, options.taskEveryMs ?? 500),
  ];
  return {
    url,
    app,
    ops,
    fleet,
    async close() {
      for (const t of timers) clearInterval(t);
      await ops.stop();
      await api.close();
      await store.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const server = await startDevServer({ agvs: arg('agvs', 200), port: arg('port', 8080) });
  console.log(`dashboard dev server: ${server.url}  (users: ${DEV_USERS.map((u) => `${u.username}/${u.password}`).join(', ')})`);
}
