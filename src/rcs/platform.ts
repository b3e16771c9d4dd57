import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/index.ts';
import type { Frame } from '../protocol/index.ts';
import { API_PREFIX, ApiError, buildApi } from './api/index.ts';
import { ApiKeyAuth, ensureDemoKey } from './auth/index.ts';
import { DEFAULT_CONFIG, type PlatformConfig, type TrafficMode } from './config.ts';
import { FleetCoordinator } from './dispatch/coordinator.ts';
import { GreedyDispatchStrategy } from './dispatch/greedy-strategy.ts';
import { OperatorControls } from './dispatch/operator-controls.ts';
import { SpaceService } from './space/space-service.ts';
import { AgvParameters } from './agv-data/parameters.ts';
import { RunningDataCollector } from './agv-data/running-data.ts';
import type { DispatchStrategy } from './dispatch/types.ts';
import { FleetRegistry } from './fleet/registry.ts';
import { createLogger, type Logger } from './logger.ts';
import type { AgvFootprint } from './fleet/types.ts';
import { SessionServer } from './session/server.ts';
import { GatewayPool, type GatewayPoolStatus } from './gateway/index.ts';
import type { SecureHandshake } from './session/secure-handshake.ts';
import { loadOrCreatePlatformKeys } from './session/platform-keys.ts';
import { Sm2Handshake } from './session/sm2-handshake.ts';
import type { Sm2KeyPair } from '../protocol/secure/index.ts';
import { SiteNumbering } from './session/site-numbering.ts';
import { readSiteMapFile } from './site/index.ts';
import type { SiteMap } from './site/types.ts';
import { openSiteLease, openStoreFrom, StaleLeadershipError } from './store/index.ts';
import { restoreHolds } from './dispatch/hold-restore.ts';
import type { PlatformRole } from './ops/ports.ts';
import type { EventRepository, EventSeverity, Store } from './store/types.ts';
import { TaskService } from './tasks/index.ts';
import { CentralTrafficController, radiusOf } from './traffic/central/index.ts';
import { ReservationTrafficController } from './traffic/reservation-controller.ts';
import { RoadGraph } from './traffic/road-graph.ts';
import type { TrafficController, TrafficEventKind } from './traffic/types.ts';
import { WebhookDelivery } from './webhooks/index.ts';
import { OccupancyLimitedTraffic } from './traffic/occupancy-limits.ts';
import { storedZones, ZoneService } from './zones/zone-service.ts';
import { withOneWayZones } from './zones/zone.ts';
import { attachOps, type PlatformOpsOptions } from './ops/attach.ts';
import { LatencyRecorder } from './session/latency.ts';
import { VdaBridge, type VdaSpaceOptions } from './vda5050/bridge.ts';
import type { VdaState } from './vda5050/wire.ts';
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
  /** Observe every state VDA 5050 AGVs send (tests). */
  tapVdaState?: (agvId: string, state: VdaState) => void;
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
  /** Autonomous space grants and reported blockages. */
  space: SpaceService;
  zones: ZoneService;
  runningData: RunningDataCollector;
  sessions: SessionServer;
  /** The protocol gateway processes, when config.gateways > 0. */
  gateways: GatewayPool | undefined;
  numbering: SiteNumbering;
  app: FastifyInstance;
  apiUrl: string;
  rcsPort: number;
  demoApiKey: string | undefined;
  /** The platform's SM2 public key (65 bytes) that secure AGVs pin. */
  platformPublicKey: Uint8Array;
  ops: OpsService | undefined;
  /** The VDA 5050 master control when config.vda5050 is on. */
  vda: VdaBridge | undefined;
  /** Order round trips of VDA 5050 AGVs (published → taken up in their state), in platform-clock ms. */
  vdaLatency: LatencyRecorder;
  /** 'standby' until this process leads its site (always 'leader' without leader election). */
  readonly role: PlatformRole;
  /** Resolves once this process leads the site and serves AGVs (at once without leader election). */
  leading: Promise<void>;
  /**
   * Called if leadership is lost after it was taken (the database connection holding it failed): the platform has
   * already stopped commanding and closed every AGV session; the process should exit and start again as a standby.
   */
  onLeadershipLost(listener: (reason: string) => void): void;
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
  if (config.leaderElection && !config.dbUrl) throw new Error('leader election needs the site on a shared PostgreSQL database (--db-url)');
  const location = config.dbUrl ? { url: config.dbUrl } : { path: config.dbPath };
  const store = parts.store ?? (await openStoreFrom(location));
  // With leader election the processes of a site take turns through the database; otherwise this one leads alone.
  const lease = config.leaderElection ? openSiteLease(location, site.id) : undefined;
  let role: PlatformRole = lease ? 'standby' : 'leader';
  /** This leader's fencing token (SiteLeadershipRepository), claimed when leading starts; -1 before, which no site has. */
  let epoch = -1;
  // One-way zones are part of the graph traffic control plans on (docs/api.md, "Zones").
  const zonesAtStart = await storedZones(store.zones, site);
  const trafficSite = withOneWayZones(site, zonesAtStart);
  const graph = new RoadGraph(trafficSite);
  // Sessions check and record each AGV's registered body in the registry; the controller reads it when it first
  // places the AGV (footprintOf), which always follows registration: placement waits for the first status report.
  // Every AGV is planned with the body it registered; there is no smaller default to plan it with.
  const footprintOf = (agvId: string): AgvFootprint | undefined => registry.footprintOf(agvId);
  // Lifts, doors and navigation areas gate every move traffic control grants (LiftRides, bound below).
  const gate = siteNeedsRides(site) ? new DeferredGate() : undefined;
  const traffic = (parts.traffic ?? trafficFactory(config.traffic))(graph, trafficSite, footprintOf, gate);
  const zonedTraffic = new OccupancyLimitedTraffic(traffic);
  const registry: FleetRegistry = new FleetRegistry((id) => traffic.held(id), site.id, (id) => controls.state(id));
  const unwire = [tellTrafficConnections(registry, traffic), recordTrafficEvents(traffic, store.events, clock, logger)];
  followRegisteredBodies(registry, traffic);
  const equipment = gate && config.equipmentMqttUrl !== '' && !parts.lifts ? await connectEquipment(site, config, clock, logger) : undefined;
  const liftRides = gate
    ? startLiftRides({ site, clock, traffic, registry, lifts: parts.lifts ?? equipment?.lifts, doors: parts.doors ?? equipment?.doors, record: liftEventRecorder(store.events, clock, logger) })
    : undefined;
  if (liftRides) {
    gate!.bind(liftRides.rides);
    registry.explainWaits((id) => liftRides.rides.reasonFor(id));
  }
  // Task writes are fenced like releases: a deposed leader's late create or transition is refused, and it steps down.
  // A write that carried no claimed epoch yet (-1: an API change in the moment between winning the lock and claiming)
  // is refused too, but says nothing about this process's leadership, so it does not step down for it.
  const tasks = new TaskService({
    store, site, clock, logger,
    fence: { current: () => ({ siteId: site.id, epoch }), stale: (err) => { if (err.epoch === epoch && epoch >= 0) stepDown(err.message); } },
  });
  const numbering = new SiteNumbering(site);
  const platformKeys = parts.platformKeys ?? (await loadOrCreatePlatformKeys(store.settings));
  const secure = parts.secure ?? new Sm2Handshake(platformKeys, clock);
  const coordinator = new FleetCoordinator({
    clock,
    site,
    graph,
    traffic: zonedTraffic,
    registry,
    tasks,
    speedLimit: (from, to) => zones.speedLimit(from, to),
    strategy: parts.strategy ?? new GreedyDispatchStrategy(),
    events: store.events,
    recoveryMs: config.recoveryMs,
    lostAfterMs: config.heartbeatTimeoutMs,
    agvsSeenSince: async (since) => (await store.agvs.list()).filter((a) => (a.lastSeen ?? 0) >= since).map((a) => a.id),
    // Fenced with this leader's epoch: once another process claimed the site, the store refuses the release (the
    // motion is then not sent) and this process steps down.
    recordRelease: (agvId, nodes) =>
      store.trafficHolds.record(site.id, agvId, nodes, clock.now(), epoch).catch((err: unknown) => {
        if (err instanceof StaleLeadershipError) stepDown(err.message);
        throw err;
      }),
    logger,
    rides: liftRides?.rides,
  });
  const controls: OperatorControls = new OperatorControls({ clock, registry, coordinator, agvs: store.agvs, holds: store.holds, events: store.events, logger, rides: liftRides?.rides });
  const space = new SpaceService({ clock, traffic, site, registry, orders: coordinator, events: store.events, logger, radiusOf: (id) => radiusOf(footprintOf(id)), grants: { leaseMs: config.spaceLeaseMs } });
  const zones: ZoneService = new ZoneService({
    site, zones: store.zones, events: store.events, traffic, occupancy: zonedTraffic, clock, logger,
    pause: (ids, by) => controls.pauseAll(ids, by),
    resume: (ids, by) => controls.resumeAll(ids, by),
  });
  zones.load(zonesAtStart);
  // Protocol gateways (config.gateways > 0) terminate AGV connections in child processes; sessions stay here.
  const gateways = config.gateways > 0 ? GatewayPool.start({ count: config.gateways, platformKeys, maxBufferedBytes: config.maxQueuedBytes, logger }) : undefined;
  const sessions = new SessionServer({
    clock,
    store,
    registry,
    numbering,
    secure,
    connectionTier: gateways,
    tap: parts.tap,
    space,
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
    handshakes: { maxHandshakes: config.maxHandshakes, maxQueued: config.handshakeQueue, maxWaitMs: config.handshakeWaitMs, handshakeTimeoutMs: config.handshakeTimeoutMs },
  });
  const parameters = new AgvParameters({ registry, events: store.events, clock, logger });
  const runningData = new RunningDataCollector({ clock, registry, samples: store.runningData, periodMs: config.runningDataPeriodMs, retentionMs: config.runningDataRetentionMs, logger });
  const auth = new ApiKeyAuth(store.apiKeys, clock);
  const demoApiKey = config.demoKey ? await ensureDemoKey(auth, store.settings) : undefined;
  const delivery = config.webhooks ? new WebhookDelivery({ outbox: store.outbox, clock, logger }) : undefined;
  const ops = parts.ops === false
    ? undefined
    : await attachOps({ site, registry, tasks, traffic, graph, clock, store, sessions, coordinator, heartbeatTimeoutMs: config.heartbeatTimeoutMs, role: () => role, equipment: liftRides?.view, ...gatewayHealth(gateways) }, { logger, ...parts.ops });
  if (ops) unwire.push(...feedMetrics(ops.ops, sessions, traffic));
  space.useAlarms(ops?.ops.alarms);
  liftRides?.useAlarms(ops?.ops.alarms);
  const app = buildApi({
    store, tasks, fleet: registry, site, auth, clock, logger, readAccess: config.openReads ? 'open' : 'viewer', operations: ops?.api, clearReservations: (id) => coordinator.clearReservations(id), taskWaits: (id) => coordinator.waitingFor(id), controls, zones, agvData: { parameters, runningData }, platformPublicKey: platformKeys.publicKey,
    protect: { metrics: config.metricsAuth, openapi: config.openapiAuth },
    admissionDecided: (id, decision, by) => {
      sessions.admissionDecided(id, decision, by);
      vda?.admissionDecided(id, decision);
    },
    space,
  });

  // A standby's coordinator holds nothing: an operator action there (clearing reservations, pausing) would act on
  // nothing and could even erase what the leader stored. Reads are served; changes go to the leader.
  if (lease) {
    app.addHook('onRequest', async (request) => {
      if (role === 'standby' && request.method !== 'GET' && request.method !== 'HEAD' && request.url.startsWith(API_PREFIX)) {
        throw new ApiError(503, 'standby', 'standby: another instance leads this site; send changes to the leader');
      }
    });
  }
  let rcsPort = 0;
  const vdaLatency = new LatencyRecorder();
  let vda: VdaBridge | undefined;
  // Leading the site: held nodes come back from the store before the coordinator grants anything, then AGVs are let in.
  const lead = async (): Promise<void> => {
    // Read when leading starts, not when standing by began: the previous leader's operators may have changed it since.
    await controls.load();
    // The epoch first: every release the previous leader stores from now on is refused, so the holds read next are
    // the last it could write.
    epoch = await store.leadership.claim(site.id, clock.now());
    logger.info({ site: site.id, epoch }, 'site leadership epoch claimed');
    const { restored, skipped } = restoreHolds(traffic, await store.trafficHolds.forSite(site.id));
    if (restored.size > 0 || skipped.length > 0) logger.info({ restored: restored.size, skipped }, 'held nodes restored from the store');
    await coordinator.start();
    // After the coordinator: it places an AGV on a status report before space looks at where it stands.
    space.start();
    vda = config.vda5050 ? await startVdaBridge(config, { clock, store, registry, site, logger, sessions, vdaLatency, ops: ops?.ops, tapState: parts.tapVdaState, space: vdaSpace(space, zones) }).catch(async (err: unknown) => {
      coordinator.stop();
      space.stop();
      await runningData.stop();
      for (const stop of unwire) stop();
      await ops?.stop();
      if (!parts.store) await store.close();
      throw err;
    }) : undefined;
    rcsPort = await sessions.listen(config.rcsPort, config.rcsHost);
    if (config.mqttUrl) await sessions.listenMqtt({ url: config.mqttUrl, root: config.mqttTopicRoot, site: site.id });
    delivery?.start();
    runningData.start();
    await ops?.start();
  };
  const lostListeners: ((reason: string) => void)[] = [];
  let steppedDown = false;
  /** Leadership is gone (the lease broke, or the store refused a write of a stale epoch): stop commanding at once. */
  function stepDown(reason: string): void {
    if (steppedDown || stopped) return;
    steppedDown = true;
    // Another process may lead from now on: stop commanding at once, before anything else.
    coordinator.stop();
    void sessions.close();
    void lease?.close();
    role = 'standby';
    logger.fatal({ site: site.id, reason }, 'site leadership lost');
    for (const l of lostListeners) l(reason);
  }
  let leading: Promise<void>;
  if (!lease) {
    await lead();
    await app.listen({ port: config.apiPort, host: config.apiHost });
    leading = Promise.resolve();
  } else {
    // The API answers from the start so /readyz can say 'standby'; AGVs are let in only once this process leads.
    await app.listen({ port: config.apiPort, host: config.apiHost });
    leading = lease.acquire().then(async () => {
      if (stopped) return;
      role = 'leader';
      logger.info({ site: site.id }, 'leading the site');
      await lead();
    });
    leading.catch(() => {});
    lease.onLost(stepDown);
  }
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
    space,
    zones,
    runningData,
    sessions,
    gateways,
    numbering,
    app,
    apiUrl: `http://${host}:${apiPort}`,
    get rcsPort() {
      return rcsPort;
    },
    demoApiKey,
    platformPublicKey: platformKeys.publicKey,
    ops: ops?.ops,
    get vda() {
      return vda;
    },
    vdaLatency,
    get role() {
      return role;
    },
    leading,
    onLeadershipLost(listener) {
      lostListeners.push(listener);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await lease?.close();
      coordinator.stop();
      space.stop();
      await runningData.stop();
      await vda?.stop();
      liftRides?.stop();
      await equipment?.close();
      for (const stop of unwire) stop();
      await sessions.close();
      await gateways?.close();
      await delivery?.stop();
      await ops?.stop();
      await app.close();
      if (!parts.store) await store.close();
    },
  };
}

/**
 * The protocol gateways in metrics and readiness: /readyz fails its 'gateways' check while none runs, or while a
 * dead one waits on the per-minute restart cap (a crash loop); a single restart in progress with others up does not.
 */
function gatewayHealth(gateways: GatewayPool | undefined): { connectionTier?: () => GatewayPoolStatus; checks?: () => Record<string, boolean> } {
  if (!gateways) return {};
  return {
    connectionTier: () => gateways.status(),
    checks: () => {
      const { up, capped } = gateways.status();
      return { gateways: up > 0 && !capped };
    },
  };
}

/**
 * Longest stretch one planning round keeps the event loop (ms). Frames, acks and commands wait while it runs, so this
 * bounds what planning adds to their latency; a round over a large fleet is spread over several turns instead
 * (docs/architecture.md, "Planning off the critical path").
 */
const PLAN_SLICE_MS = 5;

/** Central multi-agent planning is the default; v1 reservations remain selectable (--traffic reservation). */
function trafficFactory(mode: TrafficMode): TrafficFactory {
  if (mode === 'reservation') return (graph) => new ReservationTrafficController(graph);
  return (_graph, site, footprintOf, gate) => new CentralTrafficController(site, { footprintOf, gate, sliceMs: PLAN_SLICE_MS });
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

/** VDA 5050 3.0 requests go to the space service; a zone request's zone is one of the platform's zones, by id. */
function vdaSpace(space: SpaceService, zones: ZoneService): VdaSpaceOptions {
  // The space grants' longest window (120 s): a VDA request has no window of its own.
  return { service: space, zoneNodes: (id) => zones.list().find((z) => z.id === id)?.covered.nodes, windowMs: 120_000 };
}

/** The VDA 5050 master control on the configured broker, sharing the sessions' audit and the command-latency metrics. */
async function startVdaBridge(
  config: PlatformConfig,
  deps: { clock: Clock; store: Store; registry: FleetRegistry; site: SiteMap; logger: Logger; sessions: SessionServer; vdaLatency: LatencyRecorder; ops: OpsService | undefined; tapState?: (agvId: string, state: VdaState) => void; space: VdaSpaceOptions },
): Promise<VdaBridge> {
  const bridge = new VdaBridge({
    clock: deps.clock,
    store: deps.store,
    registry: deps.registry,
    site: deps.site,
    logger: deps.logger,
    tapState: deps.tapState,
    space: deps.space,
    audit: (entry) => deps.sessions.audit.record(entry),
    recordLatency: (kind, ms) => {
      if (kind === 'order') deps.vdaLatency.record(kind, ms);
      deps.ops?.observeCommandLatency(ms, `vda5050.${kind}`);
    },
    settings: {
      brokerUrl: config.vdaBrokerUrl,
      interfaceName: config.vdaInterface,
      autoEnrol: config.autoEnrol,
      autoApprove: config.autoApprove,
      requireSecure: config.requireSecure,
      commandTimeoutMs: config.vdaCommandTimeoutMs,
      staleAfterMs: config.vdaStaleAfterMs,
      maxClockSkewMs: 30_000,
      loadType: 'EPAL',
      connectTimeoutMs: 5_000,
    },
  });
  await bridge.start();
  return bridge;
}
