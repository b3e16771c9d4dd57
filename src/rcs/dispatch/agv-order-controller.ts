import type { Clock } from '../../core/index.ts';
import type { FleetRegistry } from '../fleet/registry.ts';
import type { AgvLink, AgvStatus, CommandOutcome, PathStep } from '../fleet/types.ts';
import type { EventSeverity } from '../store/types.ts';
import type { Task, TaskServiceApi, TaskState, TaskWithHistory } from '../tasks/types.ts';
import type { RoadGraph } from '../traffic/road-graph.ts';
import type { LiftRides } from '../traffic/lifts/rides.ts';
import type { TrafficController } from '../traffic/types.ts';
import type { FleetJournal } from './fleet-journal.ts';
import { goalOf, isInterruptible, type Job, type TaskPhase } from './jobs.ts';
import type { RecoveryGate } from './restart-recovery.ts';

// One AGV's order execution: what it is doing (its job), the order it drives (order and update ids, the released
// path), where it stands on the map, pick/drop and charging at its goal, and picking a task back up after a restart
// or a reconnect. The fleet loop decides *what* each AGV does (dispatch, nudging); this carries it out.

/** What every AGV's controller shares. */
export interface OrderControllerContext {
  clock: Clock;
  graph: RoadGraph;
  traffic: TrafficController;
  tasks: Pick<TaskServiceApi, 'get' | 'assign' | 'transition'>;
  /** The live fleet: each AGV's current link and last status; the controller notes the AGV's task there. */
  fleet: Pick<FleetRegistry, 'live' | 'setTask'>;
  /** Station id → node. */
  stationNode: ReadonlyMap<string, string>;
  journal: FleetJournal;
  /** Order ids come from one counter for the whole fleet, seeded so a restarted platform does not reuse them. */
  nextOrderId(): number;
  recovery: RecoveryGate;
  /** Max distance (m) between a reported pose and a node for the AGV to count as standing on it. */
  nodeSnapM: number;
  /** Lifts, doors and navigation areas of a site of several maps: legs between floors (absent on a plain site). */
  rides?: LiftRides;
  /**
   * An AGV silent for this long (the heartbeat timeout) is lost: a loaded task it left becomes an `exception`
   * for an operator instead of waiting for it forever.
   */
  lostAfterMs: number;
  /** An operator's speed limit (m/s) on the edge from → to (speed-limit zones); undefined: the map's own. */
  speedLimit?(from: string, to: string): number | undefined;
  /**
   * Stores the nodes an AGV is about to be released (the store's traffic holds) before the motion goes out, so the
   * next leader of the site knows them after a failover. A motion is not sent when this fails.
   */
  recordRelease?: (agvId: string, nodes: readonly string[]) => Promise<void>;
}

interface Driving {
  orderId: number;
  updateId: number;
  /** The released path last acknowledged or in flight. */
  sent: string[];
  inFlight: boolean;
}

export class AgvOrderController {
  private current: Job = { kind: 'idle' };
  private driving: Driving | undefined;
  private onMap = false;
  /** A task past pick whose AGV is not (yet) back after a restart or a disconnect. */
  private pendingResume: Task | undefined;
  /** Cancels the timer that declares pendingResume's task an exception. */
  private cancelLostTimer: (() => void) | undefined;
  private lastAnomaly: string | undefined;
  /** An operator's pause or stop: nothing is released and no load action started while it lasts. */
  private hold: 'pause' | 'estop' | undefined;
  private outOfService = false;
  /** Moving on its own inside granted space (docs/traffic.md, "Autonomous space"): no orders meanwhile. */
  private autonomous = false;
  /** Holding for a lift (queued, riding, relocalising): traffic control has been told to forget the goal. */
  private heldForLift = false;
  /** The node it reported standing on but could not be placed at, kept blocked for everyone else meanwhile. */
  private standingBlock: string | undefined;

  constructor(
    readonly agvId: string,
    private readonly ctx: OrderControllerContext,
  ) {}

  get job(): Job {
    return this.current;
  }

  /** True once traffic control has placed the AGV at the node it reported standing on. */
  get placed(): boolean {
    return this.onMap;
  }

  /** True while a task past pick waits for this AGV to report again; dispatch leaves it alone meanwhile. */
  get awaitingResume(): boolean {
    return this.pendingResume !== undefined;
  }

  /** True while an operator's pause or stop holds the AGV where it is (with the nodes it holds). */
  get paused(): boolean {
    return this.hold !== undefined;
  }

  get stopped(): boolean {
    return this.hold === 'estop';
  }

  get inService(): boolean {
    return !this.outOfService;
  }

  /** Dispatch may give it a task, a charger or a parking spot. */
  get dispatchable(): boolean {
    return this.hold === undefined && !this.outOfService && this.pendingResume === undefined;
  }

  // ---- fleet events ----

  onStatus(status: AgvStatus): void {
    if (this.ctx.recovery.holding() && !this.onMap && !this.settledForRecovery(status)) return;
    const { traffic } = this.ctx;
    const node = this.nodeOf(status);
    if (node !== undefined) {
      const wasPlaced = this.onMap;
      if (!wasPlaced || !traffic.reportProgress(this.agvId, node)) {
        // Not on a node it holds: first sighting, or it deviated (driven by hand, or a vendor bug).
        const holder = traffic.heldBy(node);
        if (traffic.place(this.agvId, node)) {
          this.liftStandingBlock();
          this.onMap = true;
          this.ctx.recovery.settled(this.agvId);
          if (!wasPlaced && status.speed < 0.01 && traffic.held(this.agvId).length > 1) {
            // Back on a new session (which carries no order) and standing still: the nodes it held beyond this one
            // (kept while it was away, or restored from the store after a takeover) will not be driven; free them.
            traffic.release(this.agvId);
            traffic.place(this.agvId, node);
          }
          if (wasPlaced && !this.autonomous) this.recordOnce(node, 'error', 'traffic.deviation', `${this.agvId} is on ${node}, outside the nodes it held; re-placed there`);
        } else {
          this.recordOnce(node, 'critical', 'traffic.conflict', `${this.agvId} reports standing on ${node}, held by ${holder ?? "another AGV's body"}`);
          this.blockWhereStanding(node);
        }
      }
    }
    const resumed = this.pendingResume;
    if (resumed && this.onMap) {
      this.forgetPendingResume();
      void this.resumeTask(resumed, status);
    }
    this.advanceActions(status);
    this.drive();
  }

  /**
   * The AGV stands where traffic control could not place it (a node another AGV holds or overlaps with its body).
   * It is there all the same, so nobody else may be granted that node until it is placed: a block it holds itself.
   */
  private blockWhereStanding(node: string): void {
    if (this.standingBlock === node) return;
    this.ctx.traffic.blockResources({ id: this.standingBlockId(), nodes: [node], edges: [], holder: this.agvId });
    this.standingBlock = node;
  }

  private liftStandingBlock(): void {
    if (this.standingBlock === undefined) return;
    this.ctx.traffic.unblockResources(this.standingBlockId());
    this.standingBlock = undefined;
  }

  private standingBlockId(): string {
    return `unplaced:${this.agvId}`;
  }

  /** A new session: the AGV forgot its order, so the next path starts a new one. */
  onOnline(): void {
    this.driving = undefined;
  }

  /**
   * Reservations stay held; a task before pick goes back to the queue, one past pick waits for this AGV until it has
   * been silent for the heartbeat timeout and then becomes an exception. The session closes on that same timeout
   * when the AGV just goes quiet, so a task before pick never waits longer than it.
   */
  async onOffline(reason: string): Promise<void> {
    this.driving = undefined;
    void this.record('warning', 'agv.offline', `${this.agvId} offline: ${reason}; its reservations stay held`);
    const job = this.current;
    if (job.kind !== 'task') {
      this.setJob({ kind: 'idle' });
    } else if (job.phase === 'to_pick') {
      this.setJob({ kind: 'idle' });
      await this.attempt(job.taskId, () => this.ctx.tasks.transition(job.taskId, 'queued', `${this.agvId} went offline before pick-up`));
    } else {
      const task = await this.ctx.tasks.get(job.taskId);
      this.setJob({ kind: 'idle' });
      if (task) {
        const lastHeard = this.ctx.fleet.live(this.agvId)?.lastSeen ?? this.ctx.clock.now();
        this.awaitReturn(task, lastHeard + this.ctx.lostAfterMs - this.ctx.clock.now());
      }
    }
  }

  /**
   * Picks this task up again once the AGV reports standing on the map (after a restart). If it has not within
   * `lostAfterMs` (plus the grace the caller gives for a platform restart), the task becomes an exception.
   */
  resumeWhenBack(task: Task | TaskWithHistory, graceMs = 0): void {
    this.awaitReturn(task, graceMs + this.ctx.lostAfterMs);
  }

  private awaitReturn(task: Task, lostInMs: number): void {
    this.forgetPendingResume();
    this.pendingResume = task;
    if (task.state === 'exception') return;
    this.cancelLostTimer = this.ctx.clock.setTimeout(() => {
      this.cancelLostTimer = undefined;
      void this.declareLost(task);
    }, Math.max(0, lostInMs));
  }

  /** The AGV carrying a task's load stayed away: the task becomes a visible exception for an operator. */
  private async declareLost(task: Task): Promise<void> {
    if (this.pendingResume !== task || this.link()) return;
    const held = this.ctx.traffic.held(this.agvId);
    const detail = `load is on ${this.agvId}, lost since the heartbeat timeout${held.length > 0 ? `; it still holds ${held.join(', ')}` : ''}`;
    const updated = await this.attempt(task.id, () => this.ctx.tasks.transition(task.id, 'exception', detail));
    if (!updated) return;
    // Remember where it was, so an AGV that comes back resumes from there.
    if (this.pendingResume === task) this.pendingResume = { ...task, state: 'exception', previousState: task.state } as ExceptionTask;
  }

  private forgetPendingResume(): void {
    this.cancelLostTimer?.();
    this.cancelLostTimer = undefined;
    this.pendingResume = undefined;
  }

  /** The task was cancelled or failed elsewhere: stop working on it. */
  dropTask(taskId: string): void {
    if (this.current.kind === 'task' && this.current.taskId === taskId) {
      this.setJob({ kind: 'idle' });
      this.ctx.traffic.stop(this.agvId);
      this.ctx.rides?.cancel(this.agvId);
    }
    if (this.pendingResume?.id === taskId) this.forgetPendingResume();
  }

  /** The operator freed the offline AGV's reservations: it must be placed again when it reports. */
  forgetPlacement(): void {
    this.onMap = false;
  }

  // ---- operator controls ----

  /**
   * Pause: the AGV brakes at its next node (protocol `cancel`: nodes are where AGVs may stand, and it works on AGVs
   * without a pause mode) and drops the rest of its order; resume sends a new one. E-stop: the AGV stops at once and
   * keeps its order, continued after release. Either way traffic keeps the nodes it holds.
   */
  holdAt(kind: 'pause' | 'estop', link: AgvLink): Promise<CommandOutcome> {
    if (this.hold !== 'estop') this.hold = kind;
    if (kind === 'pause') this.driving = undefined;
    return link.sendControl(kind === 'pause' ? 'cancel' : 'estop');
  }

  /** A hold kept across a restart, or set while the AGV was offline: nothing is released until it is lifted. */
  restoreHold(kind: 'pause' | 'estop'): void {
    if (this.hold !== 'estop') this.hold = kind;
    this.driving = undefined;
  }

  /** Lifts a hold set while the AGV was offline (nothing to tell it). */
  liftHold(): void {
    this.hold = undefined;
  }

  resume(): void {
    if (this.hold !== 'pause') return;
    this.hold = undefined;
    this.drive();
  }

  async releaseStop(link: AgvLink): Promise<CommandOutcome> {
    const outcome = await link.sendControl('release-estop');
    if (outcome.ok && this.hold === 'estop') {
      this.hold = undefined;
      this.drive();
    }
    return outcome;
  }

  /**
   * Out of service: dispatch gives it no new work. With `handBack`, a task not yet picked up goes back to the queue
   * (its id is returned); a task past pick is always finished, since the load is on board.
   */
  async setOutOfService(handBack: boolean): Promise<string | undefined> {
    this.outOfService = true;
    const job = this.current;
    if (!handBack || job.kind !== 'task' || job.phase !== 'to_pick') return undefined;
    this.setJob({ kind: 'idle' });
    this.ctx.traffic.stop(this.agvId);
    const requeued = await this.attempt(job.taskId, () => this.ctx.tasks.transition(job.taskId, 'queued', `${this.agvId} taken out of service before pick-up`));
    return requeued ? job.taskId : undefined;
  }

  setInService(): void {
    this.outOfService = false;
  }

  // ---- autonomous space ----

  /**
   * The AGV was granted space and moves on its own: it is sent nothing, traffic forgets its goal (it keeps the nodes
   * it holds) and wherever inside it reports standing it is placed without counting as a deviation.
   */
  enterSpace(): void {
    this.autonomous = true;
    this.driving = undefined;
    this.ctx.traffic.stop(this.agvId);
  }

  /** The space is released or lost: the job continues from where the AGV stands, in a new order. */
  leaveSpace(): void {
    if (!this.autonomous) return;
    this.autonomous = false;
    this.driving = undefined;
    this.drive();
  }

  /** A blocked way ahead was reported: the AGV stands still, so the rest of its order goes and a new route follows. */
  reroute(): void {
    this.driving = undefined;
    this.drive();
  }

  // ---- what dispatch and nudging decide ----

  /** Takes a queued task: assigns it in the store, stops charging if it was, and drives to the pick station. */
  async takeTask(task: Task): Promise<void> {
    if (!this.link() || !isInterruptible(this.current)) return;
    const wasCharging = this.current.kind === 'charge';
    const assigned = await this.attempt(task.id, () => this.ctx.tasks.assign(task.id, this.agvId));
    if (!assigned) return;
    const started = await this.attempt(task.id, () => this.ctx.tasks.transition(task.id, 'to_pick'));
    if (!started) return;
    if (wasCharging) void this.link()?.sendCharging(false);
    this.setJob(this.taskJob(task, 'to_pick'));
    this.drive();
  }

  goCharge(chargerId: string, node: string): void {
    if (!isInterruptible(this.current)) return;
    this.setJob({ kind: 'charge', chargerId, node, phase: 'to_charger' });
    void this.record('info', 'agv.charging', `${this.agvId} sent to charger ${chargerId}`);
  }

  park(node: string): void {
    if (this.current.kind !== 'idle') return;
    this.setJob({ kind: 'park', node });
  }

  /** Idle, or charged enough to leave the charger: may be sent out of another AGV's way. */
  canStepAside(resumeBatteryPct: number): boolean {
    const live = this.ctx.fleet.live(this.agvId);
    if (!live?.link || !live.status || this.hold) return false;
    const job = this.current;
    return job.kind === 'idle' || (job.kind === 'charge' && job.phase === 'charging' && live.status.battery >= resumeBatteryPct);
  }

  stepAside(refuge: string): void {
    if (this.current.kind === 'charge') void this.link()?.sendCharging(false);
    this.setJob({ kind: 'yield', node: refuge });
    this.drive();
  }

  // ---- driving ----

  /** Sends the AGV the nodes it holds toward its goal, and handles arrival. */
  drive(): void {
    const agv = this.ctx.fleet.live(this.agvId);
    if (!agv?.link || !this.onMap || this.hold || this.autonomous || this.ctx.recovery.holding()) return;
    const job = this.current;
    const jobGoal = goalOf(job);
    if (jobGoal === undefined) return;
    const leg = this.legToward(jobGoal);
    if (leg === undefined) return;
    const grant = this.ctx.traffic.request(this.agvId, leg.goal, this.ctx.clock.now());
    if (grant.kind === 'arrived') {
      const status = agv.status;
      // A lobby or a cabin on the way is not the job's goal: the next leg starts from there.
      if (leg.final && status && status.speed < 0.01) this.arrive(job, status);
      return;
    }
    if (grant.kind !== 'go') return;
    const d = this.driving;
    if (d && (d.inFlight || isSuffix(grant.path, d.sent))) return;
    this.sendPath(agv.link, grant.path, grant.announced);
  }

  /**
   * Where to drive now on the way to the job's goal: the goal itself, or (on a site of several maps) the next leg
   * toward it: a lobby, a lift cabin. undefined while the AGV holds for a lift (queued, riding, relocalising).
   */
  private legToward(goal: string): { goal: string; final: boolean } | undefined {
    const rides = this.ctx.rides;
    if (!rides) return { goal, final: true };
    const here = this.ctx.traffic.held(this.agvId)[0];
    if (here === undefined) return undefined;
    const leg = rides.leg(this.agvId, here, goal, this.ctx.clock.now());
    if (leg.kind === 'drive') {
      this.heldForLift = false;
      return leg;
    }
    if (!this.heldForLift) {
      this.heldForLift = true;
      this.ctx.traffic.stop(this.agvId);
      this.driving = undefined;
    }
    return undefined;
  }

  /**
   * Sends the held path. A path that continues the last one goes out as an order update whose first node is the
   * last node released so far (protocol rule); anything else starts a new order from where the AGV stands.
   */
  private sendPath(link: AgvLink, path: string[], announced: string[]): void {
    let d = this.driving;
    let released = path;
    const continueAt = d ? path.indexOf(d.sent[d.sent.length - 1]!) : -1;
    if (d && continueAt >= 0) {
      d.updateId++;
      released = path.slice(continueAt);
    } else {
      d = { orderId: this.ctx.nextOrderId(), updateId: 0, sent: [], inFlight: false };
      this.driving = d;
    }
    d.sent = path;
    d.inFlight = true;
    const current = d;
    const motion = { orderId: d.orderId, updateId: d.updateId, ...this.steps(released, announced) };
    const stored = this.ctx.recordRelease ? this.ctx.recordRelease(this.agvId, path) : Promise.resolve();
    void stored
      .then(
        () => link.sendMotion(motion),
        (err: unknown) => ({ ok: false as const, code: 'NOT_STORED', message: `release not stored: ${(err as Error).message}` }),
      )
      .then((outcome) => {
        current.inFlight = false;
        if (!outcome.ok) {
          // Start a fresh order next time rather than build on one the AGV refused.
          if (this.driving === current) this.driving = undefined;
          void this.record('warning', 'motion.refused', `${this.agvId} refused motion: ${outcome.code} ${outcome.message}`);
        } else {
          this.drive();
        }
      });
  }

  /** Released and announced nodes as order steps; each edge gets the operator's speed limit where a zone sets one. */
  private steps(released: readonly string[], announced: readonly string[]): { released: PathStep[]; announced: PathStep[] } {
    const all = [...released, ...announced];
    const steps = all.map((nodeId, i): PathStep => {
      const n = this.ctx.graph.node(nodeId)!;
      const maxSpeed = i > 0 ? this.ctx.speedLimit?.(all[i - 1]!, nodeId) : undefined;
      return maxSpeed === undefined ? { nodeId, x: n.x, y: n.y } : { nodeId, x: n.x, y: n.y, maxSpeed };
    });
    return { released: steps.slice(0, released.length), announced: steps.slice(released.length) };
  }

  private arrive(job: Job, status: AgvStatus): void {
    this.driving = undefined;
    switch (job.kind) {
      case 'park':
      case 'yield':
        this.setJob({ kind: 'idle' });
        return;
      case 'charge':
        this.setJob({ ...job, phase: 'charging' });
        void this.link()?.sendCharging(true);
        return;
      case 'task': {
        const next = job.phase === 'to_pick' ? 'picking' : 'dropping';
        this.setJob({ ...job, phase: next, actionSent: false });
        void this.attempt(job.taskId, () => this.ctx.tasks.transition(job.taskId, next)).then(() => this.advanceActions(status));
        return;
      }
      default:
        return;
    }
  }

  /** Runs pick/drop at the station and moves on when the AGV's status shows the load changed hands. */
  private advanceActions(status: AgvStatus): void {
    const job = this.current;
    if (job.kind !== 'task' || (job.phase !== 'picking' && job.phase !== 'dropping')) return;
    const picking = job.phase === 'picking';
    const done = picking ? status.loaded && !status.actionRunning : !status.loaded && !status.actionRunning;
    if (done && job.actionSent) {
      if (picking) {
        this.setJob({ ...job, phase: 'to_drop', actionSent: false });
        void this.attempt(job.taskId, () => this.ctx.tasks.transition(job.taskId, 'to_drop'));
        this.drive();
      } else {
        this.setJob({ kind: 'idle' });
        void this.attempt(job.taskId, () => this.ctx.tasks.transition(job.taskId, 'completed'));
      }
      return;
    }
    if (job.actionSent || status.actionRunning || this.hold) return;
    const link = this.link();
    if (!link) return;
    job.actionSent = true;
    void link.sendLoadAction(picking ? 'pick' : 'drop', picking ? job.pickStation : job.dropStation).then((outcome) => {
      if (!outcome.ok && this.current === job) {
        job.actionSent = false;
        void this.record('warning', 'action.refused', `${this.agvId} refused ${picking ? 'pick' : 'drop'}: ${outcome.code}`, job.taskId);
      }
    });
  }

  /**
   * Picks an unfinished task back up once its AGV reports again, from what the AGV says about its load. A task that
   * became an exception meanwhile resumes from the state it was in before (its alarm clears with the state).
   */
  private async resumeTask(task: Task, status: AgvStatus): Promise<void> {
    const was = stateBeforeException(task);
    let next: TaskState;
    if (was === 'picking' && !status.loaded) {
      next = 'picking';
      this.setJob(this.taskJob(task, 'picking', status.actionRunning));
    } else if (was === 'dropping' && status.loaded) {
      next = 'dropping';
      this.setJob(this.taskJob(task, 'dropping', status.actionRunning));
    } else if (was === 'dropping') {
      next = 'completed';
      this.setJob({ kind: 'idle' });
    } else {
      next = 'to_drop';
      this.setJob(this.taskJob(task, 'to_drop'));
    }
    void this.record('info', 'task.resumed', `${this.agvId} resumes task ${task.id} (${task.state})`, task.id);
    if (next === task.state) return;
    const updated = await this.attempt(task.id, () => this.ctx.tasks.transition(task.id, next, next === 'completed' ? 'drop confirmed after reconnect' : `${this.agvId} is back`));
    // Resolved by an operator in the meantime: the task is no longer this AGV's.
    if (!updated && this.current.kind === 'task' && this.current.taskId === task.id) {
      this.setJob({ kind: 'idle' });
      this.ctx.traffic.stop(this.agvId);
    }
  }

  private taskJob(task: Task, phase: TaskPhase, actionSent = false): Job {
    const { stationNode } = this.ctx;
    return { kind: 'task', taskId: task.id, pickStation: task.pick, dropStation: task.drop, pickNode: stationNode.get(task.pick)!, dropNode: stationNode.get(task.drop)!, phase, actionSent };
  }

  private setJob(job: Job): void {
    const before = this.current;
    this.current = job;
    this.ctx.fleet.setTask(this.agvId, job.kind === 'task' ? job.taskId : undefined);
    // A new goal needs a new order; the old one's released path leads elsewhere.
    if (goalOf(job) !== goalOf(before)) this.driving = undefined;
  }

  // ---- recovery and position ----

  /** During recovery an AGV counts only once it stands still on a node; one still driving is told to stop. */
  private settledForRecovery(status: AgvStatus): boolean {
    if (status.speed < 0.01 && this.nodeOf(status) !== undefined) return true;
    if (this.ctx.recovery.shouldTellToStop(this.agvId)) void this.link()?.sendControl('cancel');
    return false;
  }

  private nodeOf(status: AgvStatus): string | undefined {
    const { graph, nodeSnapM } = this.ctx;
    if (status.lastNodeId !== undefined && graph.has(status.lastNodeId)) {
      const n = graph.node(status.lastNodeId)!;
      if (Math.hypot(n.x - status.x, n.y - status.y) <= nodeSnapM) return n.id;
      // Between nodes: the AGV is still on its held edge; progress counts only on arrival.
      return undefined;
    }
    const nearest = graph.nearestNode(status.x, status.y, status.mapId);
    return nearest && nearest.distance <= nodeSnapM ? nearest.id : undefined;
  }

  private link(): AgvLink | undefined {
    return this.ctx.fleet.live(this.agvId)?.link;
  }

  // ---- reporting ----

  /** Reports an anomaly once per node, not on every status report. */
  private recordOnce(node: string, severity: EventSeverity, type: string, message: string): void {
    if (this.lastAnomaly === `${type}@${node}`) return;
    this.lastAnomaly = `${type}@${node}`;
    void this.record(severity, type, message);
  }

  private record(severity: EventSeverity, type: string, message: string, taskId?: string): Promise<void> {
    return this.ctx.journal.record(severity, type, message, { agvId: this.agvId, taskId });
  }

  private attempt<T>(taskId: string, update: () => Promise<T>): Promise<T | undefined> {
    return this.ctx.journal.attempt({ agvId: this.agvId, taskId }, update);
  }
}

/** A task declared an exception by this controller, with the state it was in before. */
interface ExceptionTask extends Task {
  previousState: TaskState;
}

/** The state a task past pick was in before it became an exception (read from its history after a restart). */
function stateBeforeException(task: Task | TaskWithHistory | ExceptionTask): TaskState {
  if (task.state !== 'exception') return task.state;
  if ('previousState' in task) return task.previousState;
  const entry = 'history' in task ? task.history.findLast((h) => h.to === 'exception') : undefined;
  // Without history, to_drop is the safe guess: the AGV drives to the drop and the load state decides there.
  return entry?.from ?? 'to_drop';
}

/** True when `path` is what is left of `sent` after the AGV advanced (nothing new to release). */
function isSuffix(path: readonly string[], sent: readonly string[]): boolean {
  if (path.length > sent.length) return false;
  const offset = sent.length - path.length;
  for (let i = 0; i < path.length; i++) if (path[i] !== sent[offset + i]) return false;
  return true;
}
