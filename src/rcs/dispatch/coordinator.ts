import type { Clock } from '../../core/index.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { SiteMap } from '../site/types.ts';
import type { EventRepository, EventSeverity } from '../store/types.ts';
import type { Task, TaskServiceApi } from '../tasks/types.ts';
import type { FleetEvent, FleetRegistry, LiveAgv } from '../fleet/registry.ts';
import type { AgvStatus, PathStep } from '../fleet/types.ts';
import type { RoadGraph } from '../traffic/road-graph.ts';
import type { TrafficController } from '../traffic/types.ts';
import type { DispatchAgv, DispatchStrategy } from './types.ts';
import { goalOf, isInterruptible, type Job } from './jobs.ts';
import { findRefuge } from './refuge.ts';
import { RestartRecovery } from './restart-recovery.ts';

// The coordinator runs the fleet: it feeds dispatch with queued tasks and idle AGVs, turns jobs into goals, asks
// traffic control for the nodes each AGV may drive, sends motion orders for exactly those nodes, runs pick/drop and
// charging at the goals, and moves every task through its lifecycle in the store. It is the one writer of the
// site's traffic state (one coordinator per site).

export interface CoordinatorOptions {
  clock: Clock;
  site: SiteMap;
  graph: RoadGraph;
  traffic: TrafficController;
  registry: FleetRegistry;
  tasks: TaskServiceApi;
  strategy: DispatchStrategy;
  events?: EventRepository;
  /** AGV ids last seen at or after a time (from the registry store), to know whom to wait for after a restart. */
  agvsSeenSince: (sinceMs: number) => Promise<string[]>;
  /** Housekeeping period: dispatch, deadlock checks, nudging idle AGVs out of the way. */
  tickMs?: number;
  /** An idle AGV that blocks another for this long is sent out of the way. */
  nudgeAfterMs?: number;
  /** Max distance (m) between a reported pose and a node for the AGV to count as standing on it. */
  nodeSnapM?: number;
  lowBatteryPct?: number;
  resumeBatteryPct?: number;
  /**
   * After a restart the platform no longer knows what AGVs were released to drive. Until every AGV that was active
   * before has reported standing still on a node (or this long has passed), nobody is sent anywhere; AGVs still
   * driving an old order are told to stop at their next node.
   */
  recoveryMs?: number;
  /** Failures the fleet keeps running through (dispatch, task updates, the event log). */
  logger?: Logger;
}

interface Driving {
  orderId: number;
  updateId: number;
  /** The released path last acknowledged or in flight. */
  sent: string[];
  inFlight: boolean;
}

export class FleetCoordinator {
  private readonly jobs = new Map<string, Job>();
  private readonly driving = new Map<string, Driving>();
  private readonly placed = new Set<string>();
  /** Tasks past pick whose AGV is not (yet) back after a restart or a disconnect. */
  private readonly resume = new Map<string, Task>();
  private readonly stationNode = new Map<string, string>();
  private readonly parkingNodes: string[];
  private readonly chargerNodes = new Set<string>();
  private readonly tickMs: number;
  private readonly nudgeAfterMs: number;
  private readonly snapM: number;
  private readonly lowBattery: number;
  private readonly resumeBattery: number;
  // Seeded from the clock so a restarted platform does not reuse the order ids AGVs still remember.
  private nextOrderId = 1;
  private cancelTick: (() => void) | undefined;
  private dispatching = false;
  private stopped = true;
  private unsubscribe: (() => void)[] = [];
  private readonly recovery = new RestartRecovery();
  private readonly logger: Logger;

  constructor(private readonly o: CoordinatorOptions) {
    for (const s of o.site.stations) this.stationNode.set(s.id, s.node);
    this.parkingNodes = o.site.parking.map((p) => p.node);
    for (const c of o.site.chargers) this.chargerNodes.add(c.node);
    this.tickMs = o.tickMs ?? 250;
    this.nudgeAfterMs = o.nudgeAfterMs ?? 3_000;
    this.snapM = o.nodeSnapM ?? 0.25;
    this.lowBattery = o.lowBatteryPct ?? 20;
    this.resumeBattery = o.resumeBatteryPct ?? 60;
    this.nextOrderId = (o.clock.now() % 2_000_000_000) + 1;
    this.logger = o.logger ?? silentLogger();
  }

  /** Reloads unfinished tasks (after a restart) and starts the housekeeping loop. */
  async start(): Promise<void> {
    const waitFor = new Set<string>();
    for (const task of await this.o.tasks.active()) {
      if (task.agvId === null) continue;
      if (task.state === 'assigned' || task.state === 'to_pick') {
        // Nothing is loaded yet: let dispatch choose again rather than wait for this AGV.
        await this.safely(() => this.o.tasks.transition(task.id, 'queued', 'platform restarted before pick-up'));
      } else {
        this.resume.set(task.agvId, task);
      }
      waitFor.add(task.agvId);
    }
    const now = this.o.clock.now();
    for (const agv of await this.o.agvsSeenSince(now - 10 * 60_000)) waitFor.add(agv);
    this.recovery.begin(waitFor, now, this.o.recoveryMs ?? 15_000);
    this.unsubscribe.push(this.o.registry.onEvent((e) => this.onFleetEvent(e)));
    this.unsubscribe.push(
      this.o.tasks.onChange(({ task }) => {
        if (task.state === 'cancelled' || task.state === 'failed') this.dropTask(task.id);
      }),
    );
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTick?.();
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  job(agvId: string): Job {
    return this.jobs.get(agvId) ?? { kind: 'idle' };
  }

  /** Operator action: frees an offline AGV's reservations so others may pass. */
  clearReservations(agvId: string): boolean {
    const agv = this.o.registry.live(agvId);
    if (agv?.link) return false;
    this.o.traffic.release(agvId);
    this.placed.delete(agvId);
    void this.log('warning', 'reservations.cleared', `reservations of ${agvId} cleared by operator`, agvId);
    return true;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cancelTick = this.o.clock.setTimeout(() => {
      this.tick();
      this.schedule();
    }, this.tickMs);
  }

  private tick(): void {
    const now = this.o.clock.now();
    for (const id of this.o.traffic.tick(now)) this.drive(id);
    for (const agv of this.o.registry.all()) if (agv.link) this.drive(agv.identity.id);
    this.nudgeBlockers(now);
    if (!this.dispatching) {
      this.dispatching = true;
      this.dispatch()
        .catch((err: unknown) => {
          this.logger.error({ err }, 'dispatch failed');
          return this.log('error', 'dispatch.failed', String(err));
        })
        .finally(() => {
          this.dispatching = false;
        });
    }
  }

  private onFleetEvent(event: FleetEvent): void {
    if (event.type === 'status') this.onStatus(event.agvId, event.status);
    else if (event.type === 'offline') void this.onOffline(event.agvId, event.reason);
    else this.driving.delete(event.agvId);
  }

  private onStatus(agvId: string, status: AgvStatus): void {
    if (this.recovering() && !this.placed.has(agvId) && !this.settledForRecovery(agvId, status)) return;
    const node = this.nodeOf(status);
    if (node !== undefined) {
      const wasPlaced = this.placed.has(agvId);
      if (!wasPlaced || !this.o.traffic.reportProgress(agvId, node)) {
        // Not on a node it holds: first sighting, or it deviated (driven by hand, or a vendor bug).
        const holder = this.o.traffic.heldBy(node);
        if (this.o.traffic.place(agvId, node)) {
          this.placed.add(agvId);
          this.recovery.settled(agvId);
          if (wasPlaced) this.logOnce(agvId, node, 'error', 'traffic.deviation', `${agvId} is on ${node}, outside the nodes it held; re-placed there`);
        } else {
          this.logOnce(agvId, node, 'critical', 'traffic.conflict', `${agvId} reports standing on ${node}, held by ${holder}`);
        }
      }
    }
    const resumed = this.resume.get(agvId);
    if (resumed && this.placed.has(agvId)) {
      this.resume.delete(agvId);
      this.resumeTask(agvId, resumed, status);
    }
    this.advanceActions(agvId, status);
    this.drive(agvId);
  }

  private recovering(): boolean {
    return this.recovery.active(this.o.clock.now(), (missing) => {
      void this.log('warning', 'recovery.timeout', `recovery ended without hearing from ${missing.join(', ')}`);
    });
  }

  /** During recovery an AGV counts only once it stands still on a node; one still driving is told to stop. */
  private settledForRecovery(agvId: string, status: AgvStatus): boolean {
    if (status.speed < 0.01 && this.nodeOf(status) !== undefined) return true;
    if (this.recovery.shouldTellToStop(agvId)) void this.o.registry.live(agvId)?.link?.sendControl('cancel');
    return false;
  }

  private nodeOf(status: AgvStatus): string | undefined {
    if (status.lastNodeId !== undefined && this.o.graph.has(status.lastNodeId)) {
      const n = this.o.graph.node(status.lastNodeId)!;
      if (Math.hypot(n.x - status.x, n.y - status.y) <= this.snapM) return n.id;
      // Between nodes: the AGV is still on its held edge; progress counts only on arrival.
      return undefined;
    }
    const nearest = this.o.graph.nearestNode(status.x, status.y);
    return nearest && nearest.distance <= this.snapM ? nearest.id : undefined;
  }

  private async onOffline(agvId: string, reason: string): Promise<void> {
    this.driving.delete(agvId);
    void this.log('warning', 'agv.offline', `${agvId} offline: ${reason}; its reservations stay held`, agvId);
    const job = this.job(agvId);
    if (job.kind === 'task') {
      if (job.phase === 'to_pick') {
        this.setJob(agvId, { kind: 'idle' });
        await this.safely(() => this.o.tasks.transition(job.taskId, 'queued', `${agvId} went offline before pick-up`));
      } else {
        const task = await this.o.tasks.get(job.taskId);
        if (task) this.resume.set(agvId, task);
        this.setJob(agvId, { kind: 'idle' });
      }
    } else {
      this.setJob(agvId, { kind: 'idle' });
    }
  }

  /** Picks an unfinished task back up once its AGV reports again (after a restart or reconnect). */
  private resumeTask(agvId: string, task: Task, status: AgvStatus): void {
    const pickNode = this.stationNode.get(task.pick)!;
    const dropNode = this.stationNode.get(task.drop)!;
    const base = { kind: 'task' as const, taskId: task.id, pickStation: task.pick, dropStation: task.drop, pickNode, dropNode, actionSent: false };
    if (task.state === 'picking' && !status.loaded) this.setJob(agvId, { ...base, phase: 'picking', actionSent: status.actionRunning });
    else if (task.state === 'dropping' && status.loaded) this.setJob(agvId, { ...base, phase: 'dropping', actionSent: status.actionRunning });
    else if (task.state === 'dropping') {
      this.setJob(agvId, { kind: 'idle' });
      void this.safely(() => this.o.tasks.transition(task.id, 'completed', 'drop confirmed after reconnect'));
    } else {
      if (task.state === 'picking') void this.safely(() => this.o.tasks.transition(task.id, 'to_drop'));
      this.setJob(agvId, { ...base, phase: 'to_drop' });
    }
    void this.log('info', 'task.resumed', `${agvId} resumes task ${task.id} (${task.state})`, agvId, task.id);
  }

  /** Sends the AGV the nodes it holds toward its goal, and handles arrival. */
  private drive(agvId: string): void {
    const agv = this.o.registry.live(agvId);
    if (!agv?.link || !this.placed.has(agvId) || this.recovering()) return;
    const job = this.job(agvId);
    const goal = goalOf(job);
    if (goal === undefined) return;
    const grant = this.o.traffic.request(agvId, goal, this.o.clock.now());
    if (grant.kind === 'arrived') {
      const status = agv.status;
      if (status && status.speed < 0.01) this.arrive(agvId, job, status);
      return;
    }
    if (grant.kind !== 'go') return;
    const d = this.driving.get(agvId);
    if (d && (d.inFlight || isSuffix(grant.path, d.sent))) return;
    this.sendPath(agv, grant.path, grant.announced);
  }

  /**
   * Sends the held path. A path that continues the last one goes out as an order update whose first node is the
   * last node released so far (protocol rule); anything else starts a new order from where the AGV stands.
   */
  private sendPath(agv: LiveAgv, path: string[], announced: string[]): void {
    const agvId = agv.identity.id;
    let d = this.driving.get(agvId);
    let released = path;
    const continueAt = d ? path.indexOf(d.sent[d.sent.length - 1]!) : -1;
    if (d && continueAt >= 0) {
      d.updateId++;
      released = path.slice(continueAt);
    } else {
      d = { orderId: this.nextOrderId++, updateId: 0, sent: [], inFlight: false };
      this.driving.set(agvId, d);
    }
    d.sent = path;
    d.inFlight = true;
    const current = d;
    void agv.link!
      .sendMotion({ orderId: d.orderId, updateId: d.updateId, released: released.map((n) => this.step(n)), announced: announced.map((n) => this.step(n)) })
      .then((outcome) => {
        current.inFlight = false;
        if (!outcome.ok) {
          // Start a fresh order next time rather than build on one the AGV refused.
          if (this.driving.get(agvId) === current) this.driving.delete(agvId);
          void this.log('warning', 'motion.refused', `${agvId} refused motion: ${outcome.code} ${outcome.message}`, agvId);
        } else {
          this.drive(agvId);
        }
      });
  }

  private step(nodeId: string): PathStep {
    const n = this.o.graph.node(nodeId)!;
    return { nodeId, x: n.x, y: n.y };
  }

  private arrive(agvId: string, job: Job, status: AgvStatus): void {
    this.driving.delete(agvId);
    switch (job.kind) {
      case 'park':
      case 'yield':
        this.setJob(agvId, { kind: 'idle' });
        return;
      case 'charge':
        this.setJob(agvId, { ...job, phase: 'charging' });
        void this.o.registry.live(agvId)?.link?.sendCharging(true);
        return;
      case 'task': {
        const next = job.phase === 'to_pick' ? 'picking' : 'dropping';
        this.setJob(agvId, { ...job, phase: next, actionSent: false });
        void this.safely(() => this.o.tasks.transition(job.taskId, next)).then(() => this.advanceActions(agvId, status));
        return;
      }
      default:
        return;
    }
  }

  /** Runs pick/drop at the station and moves on when the AGV's status shows the load changed hands. */
  private advanceActions(agvId: string, status: AgvStatus): void {
    const job = this.job(agvId);
    if (job.kind !== 'task' || (job.phase !== 'picking' && job.phase !== 'dropping')) return;
    const picking = job.phase === 'picking';
    const done = picking ? status.loaded && !status.actionRunning : !status.loaded && !status.actionRunning;
    if (done && job.actionSent) {
      if (picking) {
        this.setJob(agvId, { ...job, phase: 'to_drop', actionSent: false });
        void this.safely(() => this.o.tasks.transition(job.taskId, 'to_drop'));
        this.drive(agvId);
      } else {
        this.setJob(agvId, { kind: 'idle' });
        void this.safely(() => this.o.tasks.transition(job.taskId, 'completed'));
      }
      return;
    }
    if (job.actionSent || status.actionRunning) return;
    const link = this.o.registry.live(agvId)?.link;
    if (!link) return;
    job.actionSent = true;
    void link.sendLoadAction(picking ? 'pick' : 'drop', picking ? job.pickStation : job.dropStation).then((outcome) => {
      if (!outcome.ok && this.jobs.get(agvId) === job) {
        job.actionSent = false;
        void this.log('warning', 'action.refused', `${agvId} refused ${picking ? 'pick' : 'drop'}: ${outcome.code}`, agvId, job.taskId);
      }
    });
  }

  private dropTask(taskId: string): void {
    for (const [agvId, job] of this.jobs) {
      if (job.kind === 'task' && job.taskId === taskId) {
        this.setJob(agvId, { kind: 'idle' });
        this.o.traffic.stop(agvId);
      }
    }
    for (const [agvId, task] of this.resume) if (task.id === taskId) this.resume.delete(agvId);
  }

  private setJob(agvId: string, job: Job): void {
    const before = this.jobs.get(agvId);
    this.jobs.set(agvId, job);
    this.o.registry.setTask(agvId, job.kind === 'task' ? job.taskId : undefined);
    if (goalOf(job) !== (before ? goalOf(before) : undefined)) this.driving.delete(agvId);
  }

  private async dispatch(): Promise<void> {
    if (this.recovering()) return;
    const idle: DispatchAgv[] = [];
    const takenParking = new Map<string, string>();
    const takenChargers = new Map<string, string>();
    for (const agv of this.o.registry.all()) {
      const id = agv.identity.id;
      const job = this.job(id);
      const node = this.o.traffic.held(id)[0];
      if (job.kind === 'park') takenParking.set(job.node, id);
      if (job.kind === 'charge') takenChargers.set(job.node, id);
      if (job.kind === 'idle' && node !== undefined && this.chargerNodes.has(node)) takenChargers.set(node, id);
      if (job.kind === 'idle' && node !== undefined && this.parkingNodes.includes(node)) takenParking.set(node, id);
      if (!agv.link || !agv.status || node === undefined || !isInterruptible(job) || this.resume.has(id)) continue;
      if (agv.status.emergencyStop || agv.status.alarms.some((a) => a.severity === 'fatal')) continue;
      const restingAt = job.kind === 'park' ? job.node : this.parkingNodes.includes(node) || this.chargerNodes.has(node) ? node : undefined;
      idle.push({
        id,
        node,
        battery: agv.status.battery,
        vendor: agv.identity.vendor,
        type: agv.identity.type,
        charging: job.kind === 'charge' || agv.status.charging,
        restingAt,
      });
    }
    const queued = idle.length > 0 ? await this.o.tasks.queued(200) : [];
    const decision = this.o.strategy.decide({
      nowMs: this.o.clock.now(),
      tasks: queued.flatMap((t) => {
        const pickNode = this.stationNode.get(t.pick);
        const dropNode = this.stationNode.get(t.drop);
        if (pickNode === undefined || dropNode === undefined) return [];
        return [{ id: t.id, pickNode, dropNode, priority: t.priority, deadline: t.deadline ?? undefined, createdAt: t.createdAt, preferredVendor: t.preferredVendor ?? undefined, requiredType: t.agvType ?? undefined }];
      }),
      idleAgvs: idle,
      chargers: this.o.site.chargers.map((c) => ({ id: c.id, node: c.node, takenBy: takenChargers.get(c.node) ?? this.o.traffic.heldBy(c.node) })),
      parking: this.parkingNodes.map((node) => ({ node, takenBy: takenParking.get(node) ?? this.o.traffic.heldBy(node) })),
      distance: (a, b) => this.o.graph.distance(a, b),
    });
    const byId = new Map(queued.map((t) => [t.id, t]));
    for (const { taskId, agvId } of decision.assignments) {
      const task = byId.get(taskId)!;
      const agv = this.o.registry.live(agvId);
      if (!agv?.link || !isInterruptible(this.job(agvId))) continue;
      const wasCharging = this.job(agvId).kind === 'charge';
      const assigned = await this.safely(() => this.o.tasks.assign(taskId, agvId));
      if (!assigned) continue;
      const started = await this.safely(() => this.o.tasks.transition(taskId, 'to_pick'));
      if (!started) continue;
      if (wasCharging) void agv.link.sendCharging(false);
      this.setJob(agvId, {
        kind: 'task',
        taskId,
        pickStation: task.pick,
        dropStation: task.drop,
        pickNode: this.stationNode.get(task.pick)!,
        dropNode: this.stationNode.get(task.drop)!,
        phase: 'to_pick',
        actionSent: false,
      });
      this.drive(agvId);
    }
    for (const c of decision.charge) {
      if (!isInterruptible(this.job(c.agvId))) continue;
      this.setJob(c.agvId, { kind: 'charge', chargerId: c.chargerId, node: c.node, phase: 'to_charger' });
      void this.log('info', 'agv.charging', `${c.agvId} sent to charger ${c.chargerId}`, c.agvId);
    }
    for (const p of decision.park) {
      if (this.job(p.agvId).kind !== 'idle') continue;
      this.setJob(p.agvId, { kind: 'park', node: p.node });
    }
  }

  /** An idle AGV standing in someone's way is sent to a free parking spot (or any free node) out of the way. */
  private nudgeBlockers(now: number): void {
    for (const wait of this.o.traffic.waiting()) {
      if (now - wait.sinceMs < this.nudgeAfterMs) continue;
      const blocker = wait.blockedBy;
      const job = this.job(blocker);
      const live = this.o.registry.live(blocker);
      if (!live?.link || !live.status) continue;
      const movable = job.kind === 'idle' || (job.kind === 'charge' && job.phase === 'charging' && live.status.battery >= this.resumeBattery);
      if (!movable) continue;
      const from = this.o.traffic.held(blocker)[0];
      if (from === undefined) continue;
      const refuge = this.refugeFor(blocker, from, wait.agvId);
      if (refuge === undefined) continue;
      if (job.kind === 'charge') void live.link.sendCharging(false);
      this.setJob(blocker, { kind: 'yield', node: refuge });
      this.drive(blocker);
    }
  }

  private refugeFor(agvId: string, from: string, waiter: string): string | undefined {
    const taken = new Set<string>();
    for (const [id, job] of this.jobs) if (id !== agvId && (job.kind === 'park' || job.kind === 'yield')) taken.add(job.node);
    return findRefuge(this.o.graph, this.o.traffic, this.parkingNodes, from, new Set(this.o.traffic.held(waiter)), taken);
  }

  private readonly lastAnomaly = new Map<string, string>();

  /** Reports an anomaly once per AGV and node, not on every status report. */
  private logOnce(agvId: string, node: string, severity: EventSeverity, type: string, message: string): void {
    if (this.lastAnomaly.get(agvId) === `${type}@${node}`) return;
    this.lastAnomaly.set(agvId, `${type}@${node}`);
    void this.log(severity, type, message, agvId);
  }

  private async safely<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.logger.warn({ err }, 'task update failed');
      await this.log('warning', 'task.update_failed', err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  private async log(severity: EventSeverity, type: string, message: string, agvId?: string, taskId?: string): Promise<void> {
    try {
      await this.o.events?.append({ at: this.o.clock.now(), severity, type, message, agvId: agvId ?? null, taskId: taskId ?? null });
    } catch (err) {
      // The event log is best effort; the fleet keeps running if it cannot be written.
      this.logger.error({ err, agvId, taskId, type }, 'event not stored');
    }
  }
}

/** True when `path` is what is left of `sent` after the AGV advanced (nothing new to release). */
function isSuffix(path: readonly string[], sent: readonly string[]): boolean {
  if (path.length > sent.length) return false;
  const offset = sent.length - path.length;
  for (let i = 0; i < path.length; i++) if (path[i] !== sent[offset + i]) return false;
  return true;
}
