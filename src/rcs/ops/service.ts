import { systemClock, type Clock } from '../../core/clock.ts';
import { runInSlices, runToEnd } from '../../core/slices.ts';
import { AlarmEngine, type AlarmChange } from './alarms/engine.ts';
import type { AlarmThresholds } from './alarms/types.ts';
import type { Role } from '../auth/roles.ts';
import { UserStore } from '../auth/users.ts';
import type { EventRepository, NewEvent, Store } from '../store/types.ts';
import { HealthService } from './health/service.ts';
import { LiveFeed } from './live/feed.ts';
import { objectLogger, silentLogger, type Logger } from '../logger.ts';
import { OpsMetrics } from './metrics/metrics.ts';
import type { AgvDetail, ConnectionTierStatus, FleetSource, Severity } from './ports.ts';

/** A notification for upper systems (alarm raised/cleared, health run); the platform delivers it via its webhook outbox. */
export interface OpsNotification {
  event: string;
  data: unknown;
}

/** The repositories operations keeps its state in: the platform store's. */
export type OpsStore = Pick<Store, 'alarms' | 'users' | 'loginSessions' | 'healthRuns' | 'events'>;

export interface OpsServiceOptions {
  store: OpsStore;
  fleet: FleetSource;
  /** Platform time: alarm ages, heartbeat and progress timeouts, health schedule. */
  clock?: Clock;
  /** Wall time for the live feed's throttle (the browser runs on wall time even when the fleet is accelerated). */
  feedClock?: Clock;
  thresholds?: Partial<AlarmThresholds>;
  /** How often alarm rules run over the fleet (platform time, default 1 s). */
  alarmIntervalMs?: number;
  /** Run the health diagnosis on this schedule (platform time); off when absent. */
  healthIntervalMs?: number;
  liveThrottleMs?: number;
  notify?: (n: OpsNotification) => void;
  logger?: Logger;
  /** Users created at start if they do not exist yet (e.g. the demo's admin/operator/viewer). */
  seedUsers?: { username: string; password: string; role: Role }[];
  /** Process figures for the health check (default: measured); tests pin them. */
  processStats?: () => { rssMb: number; eventLoopDelayP99Ms: number; heapUsedMb: number };
  /**
   * Log AGV connections and task state changes as events (default true). The platform turns it off because its
   * sessions and task service log those themselves.
   */
  recordFleetChanges?: boolean;
  /** Frames received so far (monotonic where possible), exported as unifleet_frames_total{direction="in"}. */
  framesInTotal?: () => number;
  /** The protocol gateways' state, exported as unifleet_gateways and unifleet_gateway_restarts_total. */
  connectionTier?: () => ConnectionTierStatus;
  /** Include Node process metrics in /metrics (default true). */
  defaultMetrics?: boolean;
}

/** Longest stretch (ms) the periodic fleet pass holds the event loop before letting frames through. */
const OBSERVATION_SLICE_MS = 5;

const ALARM_EVENT_SEVERITY: Record<AlarmChange['kind'], (s: Severity) => Severity> = {
  raised: (s) => s,
  updated: (s) => s,
  acknowledged: () => 'info',
  cleared: () => 'info',
};

/**
 * Operations for one platform instance: alarms, fleet health, metrics, the event log, the dashboard's live feed and
 * its users. The platform constructs it, calls start(), feeds it through the observe* / recordEvent hooks and
 * serves its HTTP side through buildApi's `operations`.
 */
export class OpsService {
  readonly clock: Clock;
  readonly alarms: AlarmEngine;
  readonly health: HealthService;
  readonly metrics: OpsMetrics;
  readonly feed: LiveFeed;
  readonly events: EventRepository;
  readonly users: UserStore;
  readonly logger: Logger;
  readonly fleet: FleetSource;
  private readonly options: OpsServiceOptions;
  private cancelAlarmLoop: (() => void) | null = null;
  /** The periodic fleet pass under way (it runs over several event-loop turns), if any. */
  private observing: Promise<void> | undefined;
  private stopped = false;
  private lastTaskStates = new Map<string, string>();
  private lastConnected = new Map<string, boolean>();

  constructor(options: OpsServiceOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.fleet = options.fleet;
    this.logger = options.logger ?? silentLogger();
    this.events = options.store.events;
    this.alarms = new AlarmEngine(options.store.alarms, this.clock, options.thresholds, (err) => this.logger.error({ err }, 'ops: alarm not stored'));
    this.health = new HealthService(options.store.healthRuns, this.clock, options.fleet, this.alarms, this.logger, options.processStats);
    this.metrics = new OpsMetrics(options.fleet, () => this.alarms.countBySeverity(), {
      defaultMetrics: options.defaultMetrics,
      framesInTotal: options.framesInTotal,
      connectionTier: options.connectionTier,
    });
    this.feed = new LiveFeed(options.fleet, this.alarms, options.feedClock ?? systemClock, { throttleMs: options.liveThrottleMs });
    this.users = new UserStore(options.store, this.clock);
    this.alarms.onChange((change) => this.onAlarmChange(change));
  }

  async start(): Promise<void> {
    await this.alarms.load();
    for (const u of this.options.seedUsers ?? []) await this.users.ensure(u.username, u.password, u.role);
    this.observeFleet();
    const interval = this.options.alarmIntervalMs ?? 1000;
    const loop = (): void => {
      this.cancelAlarmLoop = null;
      const next = (): void => {
        this.observing = undefined;
        // Stopped meanwhile: stop() cleared the loop and must not see it come back.
        if (!this.stopped) this.cancelAlarmLoop = this.clock.setTimeout(loop, interval);
      };
      const pass = runInSlices(this.observation(), OBSERVATION_SLICE_MS, undefined, next).catch((err: unknown) => this.logger.error({ err }, 'ops: fleet observation failed'));
      // A pass that ended within the call has already scheduled the next one.
      if (this.cancelAlarmLoop === null && !this.stopped) this.observing = pass;
    };
    this.cancelAlarmLoop = this.clock.setTimeout(loop, interval);
    if (this.options.healthIntervalMs) this.health.schedule(this.options.healthIntervalMs);
    this.feed.start();
  }

  /** Stops the loops; resolves once every change already made is stored. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelAlarmLoop?.();
    this.cancelAlarmLoop = null;
    await this.observing;
    this.feed.stop();
    await this.health.close();
    await this.alarms.flush();
  }

  /** Appends to the event log and writes the same fact as a structured log line (with agvId / taskId fields). */
  recordEvent(event: Omit<NewEvent, 'at' | 'severity'> & { at?: number; severity: Severity }): void {
    const full = { ...event, at: event.at ?? this.clock.now() };
    this.events.append(full).catch((err: unknown) => this.logger.error({ err, type: full.type }, 'ops: event not stored'));
    const log = objectLogger(this.logger, full);
    const level = full.severity === 'info' ? 'info' : full.severity === 'warning' ? 'warn' : 'error';
    log[level]({ type: full.type }, full.message);
  }

  observeFrame(direction: 'in' | 'out', count = 1): void {
    this.metrics.frames.inc({ direction }, count);
  }

  observeCommandLatency(ms: number, command = 'motion'): void {
    this.metrics.commandLatency.observe({ command }, ms / 1000);
  }

  observePlannerStep(ms: number): void {
    this.metrics.plannerStep.observe(ms / 1000);
  }

  /** A refusal or admission decision of the session layer (kind and reason are platform-chosen, never AGV text). */
  observeSessionAudit(kind: string, reason: string): void {
    this.metrics.sessionAudit.inc({ kind, reason });
  }

  observeTrafficEvent(kind: string): void {
    this.metrics.trafficEvents.inc({ kind });
  }

  /** Evaluates alarm rules and logs task and connection changes: one pass over the fleet snapshot. */
  observeFleet(): void {
    runToEnd(this.observation());
  }

  /** observeFleet() as steps (one per AGV), for the periodic pass to spread over event-loop turns. */
  private *observation(): Generator<void, void> {
    const record = this.options.recordFleetChanges !== false;
    const fleet = this.fleet;
    const noteConnection = (agv: AgvDetail): void => this.noteConnection(agv);
    // Views are built as the alarm pass reaches each AGV, not all up front: that is most of the pass's cost.
    function* views(): Generator<AgvDetail> {
      for (const agv of fleet.agvs()) {
        if (record) noteConnection(agv);
        yield agv;
      }
    }
    yield* this.alarms.evaluation(views(), this.fleet.siteMap());
    if (!record) return;
    for (const task of this.fleet.tasks()) {
      const before = this.lastTaskStates.get(task.id);
      if (before === task.state) continue;
      this.lastTaskStates.set(task.id, task.state);
      this.recordEvent({
        type: `task.${task.state}`,
        severity: task.state === 'failed' ? 'error' : 'info',
        agvId: task.agvId,
        taskId: task.id,
        message: `task ${task.id} ${before ? `${before} → ` : ''}${task.state}${task.agvId ? ` (${task.agvId})` : ''}`,
        data: { from: task.from, to: task.to },
      });
    }
  }

  private noteConnection(agv: AgvDetail): void {
    const connected = agv.connection === 'online';
    const before = this.lastConnected.get(agv.id);
    if (before !== connected && (before !== undefined || connected)) {
      this.recordEvent({
        type: connected ? 'agv.connected' : 'agv.disconnected',
        severity: connected ? 'info' : 'warning',
        agvId: agv.id,
        message: `${agv.id} (${agv.vendor} ${agv.model}) ${connected ? `connected in ${agv.mode} mode` : 'disconnected'}`,
      });
    }
    this.lastConnected.set(agv.id, connected);
  }

  private onAlarmChange({ kind, alarm }: AlarmChange): void {
    if (kind === 'updated') return;
    this.recordEvent({
      type: `alarm.${kind}`,
      severity: ALARM_EVENT_SEVERITY[kind](alarm.severity),
      agvId: alarm.agvId,
      taskId: alarm.taskId,
      message: `${alarm.code} ${kind}${kind === 'acknowledged' ? ` by ${alarm.acknowledgedBy}` : ''}: ${alarm.message}`,
      data: { alarmId: alarm.id },
    });
    try {
      this.options.notify?.({ event: `alarm.${kind}`, data: alarm });
    } catch (err) {
      this.logger.error({ err, alarmId: alarm.id }, 'ops: alarm notification failed');
    }
  }
}
