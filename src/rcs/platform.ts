import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/index.ts';
import type { Frame } from '../protocol/index.ts';
import { buildApi } from './api/index.ts';
import { ApiKeyAuth, ensureDemoKey } from './auth/index.ts';
import { DEFAULT_CONFIG, type PlatformConfig, type TrafficMode } from './config.ts';
import { FleetCoordinator } from './dispatch/coordinator.ts';
import { GreedyDispatchStrategy } from './dispatch/greedy-strategy.ts';
import { OperatorControls } from './dispatch/operator-controls.ts';
import type { DispatchStrategy } from './dispatch/types.ts';
import { FleetRegistry } from './fleet/registry.ts';
import { createLogger, type Logger } from './logger.ts';
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
import type { EventRepository, EventSeverity, Store } from './store/types.ts';
import { TaskService } from './tasks/index.ts';
import { CentralTrafficController } from './traffic/central/index.ts';
import { ReservationTrafficController } from './traffic/reservation-controller.ts';
import { RoadGraph } from './traffic/road-graph.ts';
import type { TrafficController, TrafficEventKind } from './traffic/types.ts';
import { WebhookDelivery } from './webhooks/index.ts';
import { attachOps, type PlatformOpsOptions } from './ops/attach.ts';
import type { OpsService } from './ops/service.ts';
import { DeferredGate, siteNeedsRides, startLiftRides, type LiftRidesRuntimeOptions } from './dispatch/lift-rides-runtime.ts';
import type { DoorController, LiftController } from './equipment/types.ts';
import { connectEquipment } from './equipment/connect.ts';
import type { TrafficGate } from './traffic/lifts/gate.ts';

// Composition root: builds every platform part for one site and wires them together. One process owns one site's
// traffic state (the coordinator is its only writer); the store is the only shared state across restarts.

/** Builds the traffic controller; `footprintOf` gives the body each AGV registered with: every AGV is planned with it. */
export type TrafficFactory = (graph: RoadGraph, site: SiteMap, footprintOf: (agvId: string) => AgvFootprint | undefined, gate?: TrafficGate) => TrafficController;

/** Parts supplied from outside instead of built from the configuration: by tests, benchmarks, embedding programs. */
export interface InjectedParts {
  /** The site map already loaded; default: read from config.mapPath. */
  site?: SiteMap;
  clock?: Clock;
  /** An open store, which the caller keeps and closes; default: opened from the configuration. */
  store?: Store;
  /** Default: created with config.logLevel. */
  logger?: Logger;
  strategy?: DispatchStrategy;
  /** Default: the controller config.traffic names. */
  traffic?: TrafficFactory;
  secure?: SecureHandshake;
  /** The platform's SM2 key pair for secure mode; default: created at first start and kept in the store. */
  platformKeys?: Sm2KeyPair;
  /** Observe every frame AGVs send (tests). */
  tap?: (agvId: string, frame: Frame) => void;
  /** Operations (dashboard, alarms, health, metrics, logins); false leaves it out. */
  ops?: PlatformOpsOptions | false;
  /** Real lifts and doors by id (e.g. MqttLift, MqttDoor); the site's others are simulated on the clock. */
  lifts?: ReadonlyMap<string, LiftController>;
  doors?: ReadonlyMap<string, DoorController>;
}

export interface PlatformHandle {
  site: SiteMap;
  store: Store;
  tasks: TaskService;
  registry: FleetRegistry;
  traffic: TrafficController;
  coordinator: FleetCoordinator;
  controls: OperatorControls;
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

/**
 * Starts the platform the configuration describes: settings not given take their defaults (DEFAULT_CONFIG), parts
 * not given are built from the settings.
 */
export async function startPlatform(settings: Partial<PlatformConfig> = {}, parts: InjectedParts = {}): Promise<PlatformHandle> {
  const config: PlatformConfig = { ...DEFAULT_CONFIG, ...settings };
  const clock = parts.clock ?? systemClock;
  const logger = parts.logger ?? createLogger({ level: config.logLevel });
  const site = parts.site ?? (await readSiteMapFile(config.mapPath));
  // PostgreSQL when a URL is configured (then no SQLite file or directory is made), else the embedded SQLite file.
  if (!parts.store && !config.dbUrl && config.dbPath !== ':memory:') mkdirSync(dirname(config.dbPath), { recursive: true });
  const store = parts.store ?? (await openStoreFrom(config.dbUrl ? { url: config.dbUrl } : { path: config.dbPath }));
  const graph = new RoadGraph(site);
  // Sessions check and record each AGV's registered body in the registry; the controller reads it when it first
  // places the AGV (footprintOf), which always follows registration: placement waits for the first status report.
  // Every AGV is planned with the body it registered; there is no smaller default to plan it with.
  const footprintOf = (agvId: string): AgvFootprint | undefined => registry.footprintOf(agvId);
  // Lifts, doors and navigation areas gate every move traffic control grants (LiftRides, bound below).
  const gate = siteNeedsRides(site) ? new DeferredGate() : undefined;
  const traffic = (parts.traffic ?? trafficFactory(config.traffic))(graph, site, footprintOf, gate);
  const registry: FleetRegistry = new FleetRegistry((id) => traffic.held(id), site.id, (id) => controls.state(id));
  const unwire = [tellTrafficConnections(registry, traffic), recordTrafficEvents(traffic, store.events, clock, logger)];
  followRegisteredBodies(registry, traffic);
  const equipment = gate && config.equipmentMqttUrl !== '' && !parts.lifts ? await connectEquipment(site, config, clock, logger) : undefined;
  const liftRides = gate
    ? startLiftRides({ site, clock, traffic, registry, lifts: parts.lifts ?? equipment?.lifts, doors: parts.doors ?? equipment?.doors, record: liftEventRecorder(store.events, clock, logger) })
    : undefined;
  if (liftRides) gate!.bind(liftRides.rides);
  const tasks = new TaskService({ store, site, clock, logger });
  const numbering = new SiteNumbering(site);
  const platformKeys = parts.platformKeys ?? (await loadOrCreatePlatformKeys(store.settings));
  const secure = parts.secure ?? new Sm2Handshake(platformKeys, clock);
  const coordinator = new FleetCoordinator({
    clock,
    site,
    graph,
    traffic,
    registry,
    tasks,
    strategy: parts.strategy ?? new GreedyDispatchStrategy(),
    events: store.events,
    recoveryMs: config.recoveryMs,
    lostAfterMs: config.heartbeatTimeoutMs,
    agvsSeenSince: async (since) => (await store.agvs.list()).filter((a) => (a.lastSeen ?? 0) >= since).map((a) => a.id),
    logger,
    rides: liftRides?.rides,
  });
  const controls: OperatorControls = new OperatorControls({ clock, registry, coordinator, agvs: store.agvs, events: store.events, logger });
  await controls.load();
  const sessions = new SessionServer({
    clock,
    store,
    registry,
    numbering,
    secure,
    tap: parts.tap,
    logger,
    settings: {
      autoEnrol: config.autoEnrol,
      autoApprove: config.autoApprove,
      requireSecure: config.requireSecure,
      statusPeriodMs: config.statusPeriodMs,
      heartbeatPeriodMs: config.heartbeatPeriodMs,
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
      accessTimeoutMs: config.accessTimeoutMs,
      preAccessStrikes: config.preAccessStrikes,
      maxFramesPerSecond: config.maxFramesPerSecond,
    },
    maxBufferedBytes: config.maxQueuedBytes,
    sourceLimits: {
      maxUnaccessedPerSource: config.maxUnaccessedPerSource,
      connectionsPerSecond: config.connectionsPerSecond,
      connectionBurst: config.connectionBurst,
      keyExchangesPerSecond: config.keyExchangesPerSecond,
      keyExchangeBurst: config.keyExchangeBurst,
    },
  });
  const auth = new ApiKeyAuth(store.apiKeys, clock);
  const demoApiKey = config.demoKey ? await ensureDemoKey(auth, store.settings) : undefined;
  const delivery = config.webhooks ? new WebhookDelivery({ outbox: store.outbox, clock, logger }) : undefined;
  const ops = parts.ops === false
    ? undefined
    : await attachOps({ site, registry, tasks, traffic, graph, clock, store, sessions, coordinator, heartbeatTimeoutMs: config.heartbeatTimeoutMs, equipment: liftRides?.view }, { logger, ...parts.ops });
  if (ops) unwire.push(...feedMetrics(ops.ops, sessions, traffic));
  const app = buildApi({
    store, tasks, fleet: registry, site, auth, clock, logger, readAccess: config.openReads ? 'open' : 'viewer', operations: ops?.api, clearReservations: (id) => coordinator.clearReservations(id), controls, platformPublicKey: platformKeys.publicKey,
    protect: { metrics: config.metricsAuth, openapi: config.openapiAuth },
    admissionDecided: (id, decision, by) => sessions.admissionDecided(id, decision, by),
  });

  await coordinator.start();
  const rcsPort = await sessions.listen(config.rcsPort, config.rcsHost);
  await app.listen({ port: config.apiPort, host: config.apiHost });
  delivery?.start();
  await ops?.start();
  const address = app.server.address();
  const apiPort = typeof address === 'object' && address ? address.port : config.apiPort;
  const host = config.apiHost === '0.0.0.0' ? '127.0.0.1' : config.apiHost;

  let stopped = false;
  return {
    site,
    store,
    tasks,
    registry,
    traffic,
    coordinator,
    controls,
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
      liftRides?.stop();
      await equipment?.close();
      for (const stop of unwire) stop();
      await sessions.close();
      await delivery?.stop();
      await ops?.stop();
      await app.close();
      if (!parts.store) await store.close();
    },
  };
}

/** Central multi-agent planning is the default; v1 reservations remain selectable (--traffic reservation). */
function trafficFactory(mode: TrafficMode): TrafficFactory {
  if (mode === 'reservation') return (graph) => new ReservationTrafficController(graph);
  return (_graph, site, footprintOf, gate) => new CentralTrafficController(site, { footprintOf, gate });
}

/** Lift, door and navigation events go to the event log (alarms rules read it) and the log. */
function liftEventRecorder(events: EventRepository, clock: Clock, logger: Logger): LiftRidesRuntimeOptions['record'] {
  return (severity, type, message, agvId) => {
    if (severity === 'error') logger.warn({ type, agvId }, message);
    void events
      .append({ at: clock.now(), severity, type, message, agvId: agvId ?? null, taskId: null, data: {} })
      .catch((err: unknown) => logger.error({ err, type }, 'event not stored'));
  };
}

/** Traffic control keeps an offline AGV's nodes and plans around it, and plans it again once it is back. */
function tellTrafficConnections(registry: FleetRegistry, traffic: TrafficController): () => void {
  return registry.onEvent((event) => {
    if (event.type === 'offline') traffic.agvOffline(event.agvId);
    else if (event.type === 'online') traffic.agvOnline(event.agvId);
  });
}

/**
 * Traffic events an operator acts on go to the event log. Conflicts, deviations and connection changes are not
 * repeated here: the coordinator and the sessions record those already.
 */
const LOGGED_TRAFFIC_EVENTS: Partial<Record<TrafficEventKind, EventSeverity>> = {
  'deadlock.resolved': 'info',
  'deadlock.unresolved': 'warning',
  'agv.stalled': 'warning',
  'agv.recovered': 'info',
};

function recordTrafficEvents(traffic: TrafficController, events: EventRepository, clock: Clock, logger: Logger): () => void {
  return traffic.observe({
    event(event) {
      const severity = LOGGED_TRAFFIC_EVENTS[event.kind];
      if (!severity) return;
      const type = `traffic.${event.kind}`;
      void events
        .append({ at: clock.now(), severity, type, message: event.message, agvId: event.agvIds[0] ?? null, taskId: null, data: { agvIds: event.agvIds } })
        .catch((err: unknown) => logger.error({ err, type }, 'event not stored'));
    },
  });
}

/** Command round trips, planning time and traffic events into the metrics. */
function feedMetrics(ops: OpsService, sessions: SessionServer, traffic: TrafficController): (() => void)[] {
  return [
    sessions.onCommandLatency((command, ms) => ops.observeCommandLatency(ms, command)),
    sessions.onAudit((entry) => ops.observeSessionAudit(entry.kind, entry.reason)),
    traffic.observe({ planStep: (ms) => ops.observePlannerStep(ms), event: (event) => ops.observeTrafficEvent(event.kind) }),
  ];
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
