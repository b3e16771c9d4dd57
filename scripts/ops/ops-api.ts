// The platform's HTTP API around an OpsService alone (no fleet runtime): what the dashboard dev server and the
// operations tests serve. The upper-system half runs over an in-memory store with the demo warehouse and no AGVs.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../src/core/clock.ts';
import { buildApi, emptyFleetView, type ApiDeps } from '../../src/rcs/api/index.ts';
import { ApiKeyAuth } from '../../src/rcs/auth/index.ts';
import type { OpsService } from '../../src/rcs/ops/index.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../../src/rcs/site/index.ts';
import type { Store } from '../../src/rcs/store/index.ts';
import { TaskService } from '../../src/rcs/tasks/index.ts';

export interface OpsApi {
  app: FastifyInstance;
  auth: ApiKeyAuth;
  store: Store;
  close(): Promise<void>;
}

/** The caller owns the store (operations' own) and closes it. */
export async function buildOpsApi(ops: OpsService, options: { clock: Clock; store: Store; webRoot?: string; protect?: ApiDeps['protect'] }): Promise<OpsApi> {
  const store = options.store;
  const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);
  const auth = new ApiKeyAuth(store.apiKeys, options.clock);
  const tasks = new TaskService({ store, site, clock: options.clock });
  const app = buildApi({ store, tasks, fleet: emptyFleetView, site, auth, clock: options.clock, operations: { service: ops, webRoot: options.webRoot }, protect: options.protect });
  return {
    app,
    auth,
    store,
    async close() {
      await app.close();
    },
  };
}
