import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/index.ts';
import type { Frame } from '../protocol/index.ts';
import { buildApi, requireRole, API_PREFIX } from './api/index.ts';
import { ApiKeyAuth, ensureDemoKey } from './auth/index.ts';
import { FleetCoordinator } from './dispatch/coordinator.ts';
import { GreedyDispatchStrategy } from './dispatch/greedy-strategy.ts';
import type { DispatchStrategy } from './dispatch/types.ts';
import { FleetRegistry } from './fleet/registry.ts';
import type { AgvFootprint } from './fleet/types.ts';
import { SessionServer } from './session/server.ts';
import type { SecureHandshake } from './session/secure-handshake.ts';
import { loadOrCreatePlatformKeys } from './session/platform-keys.ts';
import { Sm2Handshake } from './session/sm2-handshake.ts';
import type { Sm2KeyPair } from '../protocol/secure/index.ts';
import { SiteNumbering } from './session/site-numbering.ts';
import { readSiteMapFile } from './site/index.ts';
import type { SiteMap } from './site/types.ts';
import { openStoreFrom } from './store/index.ts';
import type { Store } from './store/types.ts';
import { TaskService } from './tasks/index.ts';
import { CentralTrafficController } from './traffic/central/index.ts';
import { RoadGraph } from './traffic/road-graph.ts';
import type { TrafficController } from './traffic/types.ts';
import { WebhookDelivery } from './webhooks/index.ts';
import { attachOps, type PlatformOpsOptions } from './ops/attach.ts';
import type { OpsService } from './ops/service.ts';

// Composition root: builds every platform part for one site and wires them together. One process owns one site's
// traffic state (the coordinator is its only writer); the store is the only shared state across restarts.

export interface StartOptions {
  /** Site map (already loaded) or a path to its JSON file. */
  site: SiteMap | string;
  /** SQLite file (or ':memory:'); not used when dbUrl is set. */
  dbPath: string;
  /** PostgreSQL database (`postgres://USER@HOST:PORT/DB[?schema=name]`) for every table instead of the SQLite file. */
  dbUrl?: string;
  apiHost?: string;
  apiPort?: number;
  rcsHost?: string;
  rcsPort?: number;
  clock?: Clock;
  autoEnrol?: boolean;
  requireSecure?: boolean;
  statusPeriodMs?: number;
  heartbeatPeriodMs?: number;
  heartbeatTimeoutMs?: number;
  /** After a restart, how long to wait for previously active AGVs before releasing motion. */
  recoveryMs?: number;
  /** Coordinator housekeeping period (dispatch, deadlock checks). */
  tickMs?: number;
  openReads?: boolean;
  demoKey?: boolean;
  strategy?: DispatchStrategy;
  /**
   * Build a different traffic controller (default: the central multi-agent controller). `footprintOf` gives the body
   * each AGV registered with (see registeredFootprints).
   */
  traffic?: (graph: RoadGraph, site: SiteMap, footprintOf: (agvId: string) => AgvFootprint | undefined) => TrafficController;
  /**
   * Plan each AGV with the body it registered (capabilities.length/width): footprintOf sizes it when first placed,
   * and a controller with `setFootprint` re-sizes it on every (re-)registration. Off by default: the default small
   * demo map (1 m station spurs for compact AGVs) is not laid out for big bodies, and mixed real sizes gridlock there
   * (docs/traffic.md, "What falls short"); off, every AGV gets the default radius.
   */
  registeredFootprints?: boolean;
  secure?: SecureHandshake;
  /** The platform's SM2 key pair for secure mode; default: created at first start and kept in the store. */
  platformKeys?: Sm2KeyPair;
  /** Observe every frame AGVs send (tests). */
  tap?: (agvId: string, frame: Frame) => void;
  webhooks?: boolean;
  /** Operations (dashboard, alarms, health, metrics, logins); false leaves it out. */
  ops?: PlatformOpsOptions | false;
}

export interface PlatformHandle {
  site: SiteMap;
  store: Store;
  tasks: TaskService;
  registry: FleetRegistry;
  traffic: TrafficController;
  coordinator: FleetCoordinator;
  sessions: SessionServer;
  numbering: SiteNumbering;
  app: FastifyInstance;
  apiUrl: string;
  rcsPort: number;
  demoApiKey: string | undefined;
  /** The platform's SM2 public key (65 bytes) that secure AGVs pin. */
  platformPublicKey: Uint8Array;
  ops: OpsService | undefined;
  stop(): Promise<void>;
}

export async function startPlatform(options: StartOptions): Promise<PlatformHandle> {
  const clock = options.clock ?? systemClock;
  const site = typeof options.site === 'string' ? await readSiteMapFile(options.site) : options.site;
  if (!options.dbUrl && options.dbPath !== ':memory:') mkdirSync(dirname(options.dbPath), { recursive: true });
  const store = await openStoreFrom(options.dbUrl ? { url: options.dbUrl } : { path: options.dbPath });
  const graph = new RoadGraph(site);
  // Central multi-agent planning is the default; v1 reservations remain selectable (e.g. --traffic reservation).
  // Sessions check and record each AGV's registered body in the registry; the controller reads it when it first
  // places the AGV (footprintOf), which always follows registration: placement waits for the first status report.
  const sized = options.registeredFootprints === true;
  const footprintOf = (agvId: string): AgvFootprint | undefined => (sized ? registry.footprintOf(agvId) : undefined);
  const traffic = options.traffic ? options.traffic(graph, site, footprintOf) : new CentralTrafficController(site, { footprintOf });
  const registry = new FleetRegistry((id) => traffic.held(id), site.id);
  if (sized) followRegisteredBodies(registry, traffic);
  const tasks = new TaskService({ store, site, clock });
  const numbering = new SiteNumbering(site);
  const platformKeys = options.platformKeys ?? (await loadOrCreatePlatformKeys(store.settings));
  const secure = options.secure ?? new Sm2Handshake(platformKeys, clock);
  const coordinator = new FleetCoordinator({
    clock,
    site,
    graph,
    traffic,
    registry,
    tasks,
    strategy: options.strategy ?? new GreedyDispatchStrategy(),
    events: store.events,
    tickMs: options.tickMs,
    recoveryMs: options.recoveryMs ?? 3 * (options.heartbeatTimeoutMs ?? 5_000),
    agvsSeenSince: async (since) => (await store.agvs.list()).filter((a) => (a.lastSeen ?? 0) >= since).map((a) => a.id),
  });
  const sessions = new SessionServer({
    clock,
    store,
    registry,
    numbering,
    secure,
    tap: options.tap,
    settings: {
      autoEnrol: options.autoEnrol ?? false,
      requireSecure: options.requireSecure ?? false,
      statusPeriodMs: options.statusPeriodMs ?? 500,
      heartbeatPeriodMs: options.heartbeatPeriodMs ?? 1_000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 5_000,
    },
  });
  const auth = new ApiKeyAuth(store.apiKeys, clock);
  const demoApiKey = options.demoKey ? await ensureDemoKey(auth, store.settings) : undefined;
  const app = buildApi({ store, tasks, fleet: registry, site, auth, clock, readAccess: options.openReads ? 'open' : 'viewer' });
  app.register(
    async (api) => {
      api.post<{ Params: { id: string } }>(
        '/agvs/:id/clear-reservations',
        {
          preHandler: requireRole('operator'),
          schema: {
            tags: ['agvs'],
            summary: 'Free the nodes held by an offline AGV',
            description: 'Operator action after an AGV went offline and has been moved off the track. Refused (409) while the AGV is online.',
            params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
          },
        },
        async (request, reply) => {
          const { id } = request.params;
          if (!registry.live(id) && traffic.held(id).length === 0) return reply.code(404).send({ error: 'not_found', message: `AGV '${id}' holds nothing` });
          if (!coordinator.clearReservations(id)) return reply.code(409).send({ error: 'conflict', message: `AGV '${id}' is online; its reservations are in use` });
          return { id, heldNodes: [] };
        },
      );
    },
    { prefix: API_PREFIX },
  );
  const delivery = options.webhooks === false ? undefined : new WebhookDelivery({ outbox: store.outbox, clock });
  const ops = options.ops === false
    ? undefined
    : await attachOps(app, { site, registry, tasks, traffic, graph, clock, store, sessions, coordinator, heartbeatTimeoutMs: options.heartbeatTimeoutMs }, options.ops);

  await coordinator.start();
  const rcsPort = await sessions.listen(options.rcsPort ?? 0, options.rcsHost ?? '127.0.0.1');
  await app.listen({ port: options.apiPort ?? 0, host: options.apiHost ?? '127.0.0.1' });
  delivery?.start();
  await ops?.start();
  const address = app.server.address();
  const apiPort = typeof address === 'object' && address ? address.port : (options.apiPort ?? 0);
  const host = !options.apiHost || options.apiHost === '0.0.0.0' ? '127.0.0.1' : options.apiHost;

  let stopped = false;
  return {
    site,
    store,
    tasks,
    registry,
    traffic,
    coordinator,
    sessions,
    numbering,
    app,
    apiUrl: `http://${host}:${apiPort}`,
    rcsPort,
    demoApiKey,
    platformPublicKey: platformKeys.publicKey,
    ops: ops?.ops,
    async stop() {
      if (stopped) return;
      stopped = true;
      coordinator.stop();
      await sessions.close();
      await delivery?.stop();
      await ops?.stop();
      await app.close();
      await store.close();
    },
  };
}

/**
 * A re-registration may bring a different body (a new top module, a corrected vendor sheet): every session that
 * comes up re-sizes the AGV in a controller that plans with footprints. Before the first placement this is the same
 * size footprintOf would give.
 */
function followRegisteredBodies(registry: FleetRegistry, traffic: TrafficController): void {
  if (!traffic.setFootprint) return;
  registry.onEvent((event) => {
    if (event.type !== 'online') return;
    const body = registry.footprintOf(event.agvId);
    if (body) traffic.setFootprint?.(event.agvId, body);
  });
}
