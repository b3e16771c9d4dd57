// Builds the real API over a real SQLite file for the API tests.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { buildApi } from '../../src/rcs/api/index.ts';
import type { AgvView, ClearReservations, FleetFilter, FleetView } from '../../src/rcs/api/fleet-view.ts';
import { ApiKeyAuth } from '../../src/rcs/auth/index.ts';
import type { Logger } from '../../src/rcs/logger.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../../src/rcs/site/index.ts';
import { openStore, type Store } from '../../src/rcs/store/index.ts';
import { TaskService } from '../../src/rcs/tasks/index.ts';

/** A fixed fleet: the API only reads FleetView, and the fleet runtime has its own tests. */
export class StaticFleet implements FleetView {
  constructor(readonly agvs: AgvView[]) {}
  list(filter: FleetFilter = {}): AgvView[] {
    return this.agvs.filter((a) => (!filter.vendor || a.vendor === filter.vendor) && (!filter.connection || a.connection === filter.connection));
  }
  get(id: string): AgvView | undefined {
    return this.agvs.find((a) => a.id === id);
  }
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  tasks: TaskService;
  clock: ManualClock;
  keys: { viewer: string; operator: string; admin: string };
  close(): Promise<void>;
}

export interface HarnessOptions {
  readAccess?: 'viewer' | 'open';
  fleet?: AgvView[] | FleetView;
  store?: Store;
  clearReservations?: ClearReservations;
  logger?: Logger;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'unifleet-api-'));
  const store = options.store ?? openStore({ path: join(dir, 'platform.sqlite') });
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 8));
  const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);
  const tasks = new TaskService({ store, site, clock });
  const auth = new ApiKeyAuth(store.apiKeys, clock);
  const keys = {
    viewer: (await auth.issue('wall display', 'viewer')).token,
    operator: (await auth.issue('wms', 'operator')).token,
    admin: (await auth.issue('integrator', 'admin')).token,
  };
  const fleet = Array.isArray(options.fleet) || !options.fleet ? new StaticFleet(options.fleet ?? []) : options.fleet;
  const app = buildApi({ store, tasks, fleet, site, auth, clock, readAccess: options.readAccess, clearReservations: options.clearReservations, logger: options.logger });
  await app.ready();
  return {
    app,
    store,
    tasks,
    clock,
    keys,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts the platform's one error shape (docs/api.md, "Errors") and returns the error. */
export function errorOf(res: { statusCode: number; json(): unknown }, status: number, code: string): { code: string; message: string; details?: unknown } {
  expect(res.statusCode).toBe(status);
  const body = res.json() as { error: { code: string; message: string; details?: unknown } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).filter((k) => !['code', 'message', 'details'].includes(k))).toEqual([]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}
