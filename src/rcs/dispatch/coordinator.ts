import type { Clock } from '../../core/index.ts';
import type { Logger } from '../logger.ts';
import type { SiteMap } from '../site/types.ts';
import type { EventRepository } from '../store/types.ts';
import type { TaskServiceApi } from '../tasks/types.ts';
import type { FleetEvent, FleetRegistry } from '../fleet/registry.ts';
import type { RoadGraph } from '../traffic/road-graph.ts';
import type { TrafficController } from '../traffic/types.ts';
import type { DispatchAgv, DispatchStrategy } from './types.ts';
import { AgvOrderController, type OrderControllerContext } from './agv-order-controller.ts';
import type { LiftRides } from '../traffic/lifts/rides.ts';
import { FleetJournal } from './fleet-journal.ts';
import { isInterruptible, type Job } from './jobs.ts';
import { findRefuge } from './refuge.ts';
import { runInSlices } from '../../core/slices.ts';

/** Longest stretch (ms) of a tick before frames that arrived meanwhile are handled. */
const TICK_SLICE_MS = 5;
/** AGVs driven per step of a tick. */
const TICK_STEP_AGVS = 64;
/** Steps a tick takes before it may pause: a fleet of up to 256 AGVs is ticked in one piece, as before. */
const SMALL_FLEET_STEPS = 4;
import { RestartRecovery, recoveryGate, type RecoveryGate } from './restart-recovery.ts';

// The coordinator runs the fleet loop: it feeds dispatch with queued tasks and idle AGVs, ticks traffic control,
// sends idle AGVs out of the way, and hands each AGV's work to that AGV's order controller, which drives it and
// moves its task through the lifecycle in the store. It is the one writer of the site's traffic state (one
// coordinator per site).

export interface CoordinatorOptions {
  clock: Clock;
  site: SiteMap;
  graph: RoadGraph;
  traffic: TrafficController;
  registry: FleetRegistry;
  tasks: TaskServiceApi;
  strategy: DispatchStrategy;
  events?: EventRepository;
  /** Failures the fleet keeps running through (dispatch, task updates, offline handling, the event log). */
  logger?: Logger;
  /** AGV ids last seen at or after a time (from the registry store), to know whom to wait for after a restart. */
  agvsSeenSince: (sinceMs: number) => Promise<string[]>;
  /** Housekeeping period: dispatch, deadlock checks, nudging idle AGVs out of the way. */
  tickMs?: number;
  /** An idle AGV that blocks another for this long is sent out of the way. */
  nudgeAfterMs?: number;
  /** Max distance (m) between a reported pose and a node for the AGV to count as standing on it. */
  nodeSnapM?: number;
  /** The heartbeat timeout: a loaded task whose AGV stays away this long becomes an exception (default 5 s). */
  lostAfterMs?: number;
  lowBatteryPct?: number;
  resumeBatteryPct?: number;
  /**
   * After a restart the platform no longer knows what AGVs were released to drive. Until every AGV that was active
   * before has reported standing still on a node (or this long has passed), nobody is sent anywhere; AGVs still
   * driving an old order are told to stop at their next node.
   */
  recoveryMs?: number;
  /** Operator speed limits per edge (m/s), sent in orders; see OrderControllerContext.speedLimit. */
  speedLimit?: (from: string, to: string) => number | undefined;
  /** Write-ahead record of each release (the store's traffic holds), so the next leader of the site can restore them. */
  recordRelease?: (agvId: string, nodes: readonly string[]) => Promise<void>;
  /** Lifts, doors and navigation areas on a site of several maps (LiftRides); absent on a plain site. */
  rides?: LiftRides;
}

export class FleetCoordinator {
  private readonly controllers = new Map<string, AgvOrderController>();
  private readonly context: OrderControllerContext;
  private readonly journal: FleetJournal;
  private readonly stationNode = new Map<string, string>();
  private readonly parkingNodes: string[];
  private readonly chargerNodes = new Set<string>();
  private readonly tickMs: number;
  private readonly nudgeAfterMs: number;
  private readonly resumeBattery: number;
  // Seeded from the clock so a restarted platform does not reuse the order ids AGVs still remember.
  private nextOrderId = 1;
  private cancelTick: (() => void) | undefined;
  private dispatching = false;
  /** Whether cross-floor work is held back for the lifts (noteHeldBack). */
  private heldBack = false;
  /** Queued tasks the last dispatch round held back for the lifts, with the reason (shown on the task in the API). */
  private held = new Map<string, string>();
  private stopped = true;
  private unsubscribe: (() => void)[] = [];
  private readonly recovery = new RestartRecovery();
  private readonly gate: RecoveryGate;

  constructor(private readonly o: CoordinatorOptions) {
    for (const s of o.site.stations) this.stationNode.set(s.id, s.node);
    this.parkingNodes = o.site.parking.map((p) => p.node);
    for (const c of o.site.chargers) this.chargerNodes.add(c.node);
    this.tickMs = o.tickMs ?? 250;
    this.nudgeAfterMs = o.nudgeAfterMs ?? 3_000;
    this.resumeBattery = o.resumeBatteryPct ?? 60;
    this.nextOrderId = (o.clock.now() % 2_000_000_000) + 1;
    this.journal = new FleetJournal(o.clock, o.events, o.logger);
    this.gate = recoveryGate(this.recovery, () => o.clock.now(), (missing) => {
      void this.journal.record('warning', 'recovery.timeout', `recovery ended without hearing from ${missing.join(', ')}`);
    });
    this.context = {
      clock: o.clock,
      graph: o.graph,
      traffic: o.traffic,
      tasks: o.tasks,
      fleet: o.registry,
      stationNode: this.stationNode,
      journal: this.journal,
      nextOrderId: () => this.nextOrderId++,
      recovery: this.gate,
      nodeSnapM: o.nodeSnapM ?? 0.25,
      lostAfterMs: o.lostAfterMs ?? 5_000,
      speedLimit: o.speedLimit,
      recordRelease: o.recordRelease,
      rides: o.rides,
    };
  }

  /** Reloads unfinished tasks (after a restart) and starts the housekeeping loop. */
  async start(): Promise<void> {
    const waitFor = new Set<string>();
    for (const task of await this.o.tasks.active()) {
      if (task.agvId === null) continue;
      if (task.state === 'assigned' || task.state === 'to_pick') {
        // Nothing is loaded yet: let dispatch choose again rather than wait for this AGV.
        await this.journal.attempt({ agvId: task.agvId, taskId: task.id }, () => this.o.tasks.transition(task.id, 'queued', 'platform restarted before pick-up'));
      } else {
        // An exception's history says where to resume from if its AGV comes back.
        const withHistory = task.state === 'exception' ? await this.o.tasks.get(task.id) : task;
        this.controllerFor(task.agvId).resumeWhenBack(withHistory ?? task, this.o.recoveryMs ?? 15_000);
      }
      waitFor.add(task.agvId);
    }
    const now = this.o.clock.now();
    for (const agv of await this.o.agvsSeenSince(now - 10 * 60_000)) waitFor.add(agv);
    this.recovery.begin(waitFor, now, this.o.recoveryMs ?? 15_000);
    this.unsubscribe.push(this.o.registry.onEvent((e) => this.onFleetEvent(e)));
    // A time-sliced planning round ends after the tick that started it: its grants are driven at once, not a tick later.
    this.unsubscribe.push(this.o.traffic.observe({ granted: (ids) => ids.forEach((id) => this.controllerFor(id).drive()) }));
    this.unsubscribe.push(
      this.o.tasks.onChange(({ task, entry }) => {
        // Cancelled or failed elsewhere, or an exception an operator resolved: no AGV works on it any more.
        const settled = task.state === 'cancelled' || task.state === 'failed' || entry.from === 'exception' && (task.state === 'queued' || task.state === 'completed');
        if (settled) for (const c of this.controllers.values()) c.dropTask(task.id);
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
    return this.controllers.get(agvId)?.job ?? { kind: 'idle' };
  }

  /**
   * Operator action: frees an offline AGV's reservations so others may pass. Refused while the AGV is connected (its
   * reservations are in use); an AGV that is neither live nor holding anything has nothing to free.
   */
  clearReservations(agvId: string): 'cleared' | 'online' | 'holds_nothing' {
    const agv = this.o.registry.live(agvId);
    if (!agv && this.o.traffic.held(agvId).length === 0) return 'holds_nothing';
    if (agv?.link) return 'online';
    this.o.traffic.release(agvId);
    this.controllers.get(agvId)?.forgetPlacement();
    void this.o.recordRelease?.(agvId, []).catch((err: unknown) => this.o.logger?.error({ err, agvId }, 'cleared reservations not stored'));
    void this.journal.record('warning', 'reservations.cleared', `reservations of ${agvId} cleared by operator`, { agvId });
    return 'cleared';
  }

  /** The order controller of one AGV (operator controls act through it). */
  controllerOf(agvId: string): AgvOrderController {
    return this.controllerFor(agvId);
  }

  /**
   * The nearest charger or parking node that no other AGV holds or heads to, for an operator sending `agvId` there;
   * undefined when every one is taken or unreachable.
   */
  freeTarget(agvId: string, kind: 'charge' | 'park'): { node: string; chargerId?: string } | undefined {
    const from = this.o.traffic.held(agvId)[0];
    if (from === undefined) return undefined;
    const claims = this.claims();
    const taken = kind === 'charge' ? claims.chargers : claims.parking;
    const candidates = kind === 'charge' ? this.o.site.chargers.map((c) => ({ node: c.node, chargerId: c.id })) : this.parkingNodes.map((node) => ({ node }));
    let best: { node: string; chargerId?: string } | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
      const holder = taken.get(c.node) ?? this.o.traffic.heldBy(c.node);
      if (holder !== undefined && holder !== agvId) continue;
      const distance = this.o.graph.distance(from, c.node);
      if (distance < bestDistance) [best, bestDistance] = [c, distance];
    }
    return best;
  }

  /** Parking and charger nodes each AGV heads to or rests on. */
  private claims(): { parking: Map<string, string>; chargers: Map<string, string> } {
    const parking = new Map<string, string>();
    const chargers = new Map<string, string>();
    for (const agv of this.o.registry.all()) {
      const id = agv.identity.id;
      const job = this.job(id);
      const node = this.o.traffic.held(id)[0];
      if (job.kind === 'park') parking.set(job.node, id);
      if (job.kind === 'charge') chargers.set(job.node, id);
      if (job.kind === 'idle' && node !== undefined && this.chargerNodes.has(node)) chargers.set(node, id);
      if (job.kind === 'idle' && node !== undefined && this.parkingNodes.includes(node)) parking.set(node, id);
    }
    return { parking, chargers };
  }

  private controllerFor(agvId: string): AgvOrderController {
    let controller = this.controllers.get(agvId);
    if (!controller) {
      controller = new AgvOrderController(agvId, this.context);
      this.controllers.set(agvId, controller);
    }
    return controller;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cancelTick = this.o.clock.setTimeout(() => {
      // The next tick is scheduled when this one has ended (in the turn of its last step).
      void runInSlices(this.tick(), TICK_SLICE_MS, SMALL_FLEET_STEPS, () => this.schedule()).catch((err: unknown) => this.journal.failed({}, err, 'fleet tick failed'));
    }, this.tickMs);
  }

  /**
   * One tick: drive every AGV's controller, nudge blockers, start a dispatch round. In steps (one per 64 AGVs), so a
   * large fleet's tick is spread over event-loop turns: at 5,000 AGVs it held the loop for 35-50 ms in one piece.
   */
  private *tick(): Generator<void, void> {
    const now = this.o.clock.now();
    for (const id of this.o.traffic.tick(now)) this.controllerFor(id).drive();
    let n = 0;
    for (const agv of this.o.registry.all()) {
      if (agv.link) this.controllerFor(agv.identity.id).drive();
      if (++n % TICK_STEP_AGVS === 0) {
        yield;
        if (this.stopped) return;
      }
    }
    this.nudgeBlockers(now);
    if (!this.dispatching) {
      this.dispatching = true;
      this.dispatch()
        .catch((err: unknown) => {
          this.journal.failed({}, err, 'dispatch round failed');
          return this.journal.record('error', 'dispatch.failed', String(err));
        })
        .finally(() => {
          this.dispatching = false;
        });
    }
  }

  private onFleetEvent(event: FleetEvent): void {
    const controller = this.controllerFor(event.agvId);
    if (event.type === 'status') controller.onStatus(event.status);
    else if (event.type === 'offline') {
      controller.onOffline(event.reason).catch((err: unknown) => this.journal.failed({ agvId: event.agvId }, err, 'offline handling failed'));
    } else controller.onOnline();
  }

  private async dispatch(): Promise<void> {
    if (this.gate.holding()) return;
    const idle: DispatchAgv[] = [];
    const { parking: takenParking, chargers: takenChargers } = this.claims();
    for (const agv of this.o.registry.all()) {
      const id = agv.identity.id;
      const job = this.job(id);
      const node = this.o.traffic.held(id)[0];
      // Paused, stopped or out of service (operator), or waiting to resume a task: no new work.
      if (!agv.link || !agv.status || node === undefined || !isInterruptible(job) || this.controllers.get(id)?.dispatchable === false) continue;
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
    // Cross-floor work is metered to what the lifts serve (LiftRides.rideSlots); beyond it, tasks that need a ride
    // stay queued and idle AGVs take work on their own floor.
    const rideWork = this.awaitingRides();
    let rideSlots = this.o.rides ? this.o.rides.rideSlots(rideWork) : Infinity;
    const needsRide = (from: string, pickNode: string, dropNode: string) => this.o.rides !== undefined && (this.o.rides.needsRide(from, pickNode) || this.o.rides.needsRide(pickNode, dropNode));
    const decision = this.o.strategy.decide({
      nowMs: this.o.clock.now(),
      tasks: queued.flatMap((t) => {
        const pickNode = this.stationNode.get(t.pick);
        const dropNode = this.stationNode.get(t.drop);
        if (pickNode === undefined || dropNode === undefined) return [];
        if (rideSlots <= 0 && needsRide(pickNode, pickNode, dropNode)) return [];
        return [{ id: t.id, pickNode, dropNode, priority: t.priority, deadline: t.deadline ?? undefined, createdAt: t.createdAt, preferredVendor: t.preferredVendor ?? undefined, requiredType: t.agvType ?? undefined }];
      }),
      idleAgvs: idle,
      chargers: this.o.site.chargers.map((c) => ({ id: c.id, node: c.node, takenBy: takenChargers.get(c.node) ?? this.o.traffic.heldBy(c.node) })),
      parking: this.parkingNodes.map((node) => ({ node, takenBy: takenParking.get(node) ?? this.o.traffic.heldBy(node) })),
      distance: this.distanceFor(idle, queued, rideSlots <= 0),
    });
    const byId = new Map(queued.map((t) => [t.id, t]));
    const heldTasks = rideSlots <= 0 ? queued.filter((t) => needsRide(this.stationNode.get(t.pick) ?? '', this.stationNode.get(t.pick) ?? '', this.stationNode.get(t.drop) ?? '')) : [];
    this.noteHeldBack(heldTasks.length > 0, rideWork);
    // Only a round that looked at the queue (some AGV idle) knows which tasks it held back; otherwise keep the last.
    if (idle.length > 0) {
      const reason = heldTasks.length > 0 ? this.o.rides?.heldBackReason(rideWork) : undefined;
      this.held = new Map(reason === undefined ? [] : heldTasks.map((t) => [t.id, reason]));
    }
    const nodeOf = new Map(idle.map((a) => [a.id, a.node]));
    for (const { taskId, agvId } of decision.assignments) {
      const task = byId.get(taskId)!;
      if (needsRide(nodeOf.get(agvId)!, this.stationNode.get(task.pick)!, this.stationNode.get(task.drop)!)) {
        if (rideSlots <= 0) continue;
        rideSlots--;
      }
      await this.controllerFor(agvId).takeTask(task);
    }
    for (const c of decision.charge) this.controllerFor(c.agvId).goCharge(c.chargerId, c.node);
    for (const p of decision.park) this.controllerFor(p.agvId).park(p.node);
  }

  /**
   * Travel distance for dispatch. On a site with navigation areas, doors and lifts an AGV reaches only part of it:
   * from an idle AGV's node, a pick it cannot reach (or whose tasks' drops it cannot reach from there) is Infinity.
   */
  /**
   * Why dispatch held this queued task back in its last round that looked at the queue (cross-floor work metered to
   * the lifts), or undefined. The task's state says whether it is still queued.
   */
  waitingFor(taskId: string): string | undefined {
    return this.held.get(taskId);
  }

  /** Cross-floor work held back starts or stops: the operator sees it in the event log, with the reason. */
  private noteHeldBack(held: boolean, awaiting: number): void {
    if (held === this.heldBack) return;
    this.heldBack = held;
    const reason = held ? this.o.rides?.heldBackReason(awaiting) : undefined;
    if (reason !== undefined) void this.journal.record('info', 'dispatch.cross_floor_held', `${reason}; tasks that need a lift stay queued`);
    else if (!held) void this.journal.record('info', 'dispatch.cross_floor_resumed', 'the lifts take cross-floor work again');
  }

  /** AGVs whose task still needs a lift ride they have not boarded. */
  private awaitingRides(): number {
    const rides = this.o.rides;
    if (!rides) return 0;
    let awaiting = 0;
    for (const [id, { job }] of this.controllers) {
      if (job.kind !== 'task' || rides.onBoard(id)) continue;
      const here = this.o.traffic.held(id)[0];
      if (here === undefined) continue;
      const ahead = job.phase === 'to_pick' || job.phase === 'picking' ? rides.needsRide(here, job.pickNode) || rides.needsRide(job.pickNode, job.dropNode) : rides.needsRide(here, job.dropNode);
      if (ahead) awaiting++;
    }
    return awaiting;
  }

  private distanceFor(idle: readonly DispatchAgv[], queued: readonly { pick: string; drop: string }[], liftsFull = false): (a: string, b: string) => number {
    const rides = this.o.rides;
    if (!rides) return (a, b) => this.o.graph.distance(a, b);
    const agvAt = new Map(idle.map((agv) => [agv.node, agv.id]));
    const dropsFrom = new Map<string, Set<string>>();
    for (const t of queued) {
      const pick = this.stationNode.get(t.pick);
      const drop = this.stationNode.get(t.drop);
      if (pick !== undefined && drop !== undefined) dropsFrom.set(pick, (dropsFrom.get(pick) ?? new Set()).add(drop));
    }
    return (a, b) => {
      const agvId = agvAt.get(a);
      if (agvId !== undefined) {
        if (!rides.agvReaches(agvId, a, b)) return Infinity;
        if (liftsFull && rides.needsRide(a, b)) return Infinity;
        for (const drop of dropsFrom.get(b) ?? []) if (!rides.agvReaches(agvId, b, drop)) return Infinity;
      }
      return this.o.graph.distance(a, b);
    };
  }

  /** An idle AGV standing in someone's way is sent to a free parking spot (or any free node) out of the way. */
  private nudgeBlockers(now: number): void {
    for (const wait of this.o.traffic.waiting()) {
      if (now - wait.sinceMs < this.nudgeAfterMs) continue;
      const blocker = this.controllerFor(wait.blockedBy);
      if (!blocker.canStepAside(this.resumeBattery)) continue;
      const from = this.o.traffic.held(blocker.agvId)[0];
      if (from === undefined) continue;
      const refuge = this.refugeFor(blocker.agvId, from, wait.agvId);
      if (refuge !== undefined) blocker.stepAside(refuge);
    }
  }

  private refugeFor(agvId: string, from: string, waiter: string): string | undefined {
    const taken = new Set<string>();
    for (const [id, { job }] of this.controllers) if (id !== agvId && (job.kind === 'park' || job.kind === 'yield')) taken.add(job.node);
    return findRefuge(this.o.graph, this.o.traffic, this.parkingNodes, from, new Set(this.o.traffic.held(waiter)), taken);
  }
}
