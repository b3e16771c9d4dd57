import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/core/clock.ts';
import type { ApiDeps } from '../../src/rcs/api/index.ts';
import type { ApiKeyAuth } from '../../src/rcs/auth/index.ts';
import { createLogger, OpsService, type OpsNotification, type OpsServiceOptions } from '../../src/rcs/ops/index.ts';
import { buildOpsApi } from '../../scripts/ops/ops-api.ts';
import { SyntheticFleet } from '../../scripts/ops/synthetic-fleet.ts';
import { openStore, type Store } from '../../src/rcs/store/index.ts';

export const PASSWORDS = { admin: 'admin-pass-1', operator: 'operator-pass-1', viewer: 'viewer-pass-1' };

export interface Harness {
  clock: ManualClock;
  store: Store;
  fleet: SyntheticFleet;
  ops: OpsService;
  app: FastifyInstance;
  /** API keys of the same platform, beside the dashboard's logins. */
  auth: ApiKeyAuth;
  notifications: OpsNotification[];
  /** Session token of the given demo user. */
  token(user: keyof typeof PASSWORDS): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { agvs?: number; store?: Store; ops?: Partial<OpsServiceOptions>; prepare?: (fleet: SyntheticFleet) => void; protect?: ApiDeps['protect'] } = {},
): Promise<Harness> {
  const clock = new ManualClock(1_750_000_000_000);
  // A store passed in outlives the harness (a restart); one made here closes with it.
  const store = options.store ?? openStore({ path: ':memory:' });
  const fleet = new SyntheticFleet({ agvs: options.agvs ?? 6, cols: 6, rows: 6 }, () => clock.now());
  options.prepare?.(fleet);
  // The stand-in fleet moves (and heartbeats) every 200 ms of clock time, like AGVs reporting status.
  const step = (): void => {
    fleet.step(200);
    clock.setTimeout(step, 200);
  };
  clock.setTimeout(step, 200);
  const notifications: OpsNotification[] = [];
  const ops = new OpsService({
    store,
    fleet,
    clock,
    feedClock: clock,
    defaultMetrics: false,
    processStats: () => ({ rssMb: 200, heapUsedMb: 100, eventLoopDelayP99Ms: 5 }),
    logger: createLogger({ level: 'silent' }),
    notify: (n) => notifications.push(n),
    seedUsers: (Object.keys(PASSWORDS) as (keyof typeof PASSWORDS)[]).map((role) => ({ username: role, password: PASSWORDS[role], role })),
    ...options.ops,
  });
  await ops.start();
  const api = await buildOpsApi(ops, { clock, store, protect: options.protect });
  const app = api.app;
  await app.ready();
  const tokens = new Map<string, string>();
  return {
    clock,
    store,
    fleet,
    ops,
    app,
    auth: api.auth,
    notifications,
    async token(user) {
      if (!tokens.has(user)) {
        const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: user, password: PASSWORDS[user] } });
        if (res.statusCode !== 200) throw new Error(`login ${user} failed: ${res.body}`);
        tokens.set(user, res.json<{ token: string }>().token);
      }
      return tokens.get(user)!;
    },
    async close() {
      await ops.stop();
      await api.close();
      if (!options.store) await store.close();
    },
  };
}

/** Request headers carrying a dashboard session (the cookie the browser would send). */
export const bearer = (token: string): Record<string, string> => ({ cookie: `unifleet_session=${token}` });
