import { systemClock, type Clock } from '../../core/index.ts';
import { SPECIAL } from '../../protocol/index.ts';
import type { Action, OrderEdge, OrderNode, Pose, VendorAdapter } from './adapter.ts';
import type { RequestOutcome } from '../transport/frame-peer.ts';
import { AgvClient } from './client.ts';
import { SpaceMover, type SpaceOutcome } from './space-mover.ts';
import type { AgvClientOptions, BlockageFields, ChargingCommand, CommandResult, MotionCommand, MotionControl, SpaceRequest, StatusFields } from './types.ts';

// The AGV side of the protocol's order semantics, once for every vendor: accepts orders and their updates (an update
// must start at the last node released so far), hands the adapter only released nodes, runs actuator and node
// actions and tracks their states, and reports status at once on every node reached and every state change. The
// vehicle itself stays behind the small VendorAdapter interface.

export interface AgvControllerOptions extends Omit<AgvClientOptions, 'status'> {
  adapter: VendorAdapter;
  /** Map and navigation mode reported in status. */
  mapId: number;
  navMode: StatusFields['navMode'];
  /** Wire number of the node the vehicle stands at when it starts (0 = not at a node). */
  startNodeId?: number;
  /** Reported localisation score in % (default unknown). */
  localisationScore?: () => number;
}

export type ControllerEvents = {
  /** The vehicle reached a released node. */
  nodeReached: (nodeId: number) => void;
  /** Driving or an action failed in the adapter; the controller dropped what depended on it. */
  error: (error: Error) => void;
};

type ActionState = StatusFields['actions'][number]['state'];

/** A released node handed to (or waiting for) the adapter, with the edge that leads to it. */
interface Step {
  node: OrderNode;
  edge: OrderEdge | undefined;
}

const FAULT_SEVERITIES = new Set(['error', 'fatal']);

export class AgvController {
  readonly client: AgvClient;
  private readonly adapter: VendorAdapter;
  private orderId = 0;
  private orderUpdateId = 0;
  private lastNode: { id: number; sequenceId: number };
  /** Handed to the adapter, not reached yet, in driving order. */
  private driving: Step[] = [];
  /** Released but held back until a blocking node action finished. */
  private held: Step[] = [];
  private blockedByActions = false;
  private paused = false;
  private readonly actions = new Map<number, ActionState>();
  private readonly actuatorOf = new Map<number, Action>();
  private lastState: StatusFields['state'] | undefined;
  private readonly space: SpaceMover;
  /** Driving its own trajectory in granted space. */
  private ownMotion = false;
  private readonly listeners: { [K in keyof ControllerEvents]: ControllerEvents[K][] } = { nodeReached: [], error: [] };

  constructor(private readonly options: AgvControllerOptions, clock: Clock = systemClock) {
    this.adapter = options.adapter;
    this.lastNode = { id: options.startNodeId ?? 0, sequenceId: 0 };
    this.client = new AgvClient({ ...options, status: () => this.status() }, clock);
    this.client
      .onMotion((cmd) => this.onOrder(cmd))
      .onControl((cmd) => this.onControl(cmd))
      .onActuator((cmd) => this.onAction(cmd.action))
      .onCharging((cmd) => this.onCharging(cmd))
      .onParamQuery((query) => {
        const all = this.adapter.parameters?.() ?? [];
        return query.params.length === 0 ? all : all.filter((p) => query.params.includes(p.param));
      });
    const { setParameters, runningData } = this.adapter;
    if (setParameters) this.client.onParamSet((set) => setParameters.call(this.adapter, set.params));
    if (runningData) this.client.onRunningDataRequest(() => ({ ...runningData.call(this.adapter), logs: [] }));
    // Without the platform nobody guards the nodes ahead: brake at the next (released) node until it is back.
    this.client.on('linkLost', () => this.stopAtNextNode());
    this.space = new SpaceMover(this.client, clock);
  }

  start(): void {
    this.client.start();
  }

  stop(): void {
    this.client.stop();
  }

  on<K extends keyof ControllerEvents>(event: K, listener: ControllerEvents[K]): this {
    (this.listeners[event] as ControllerEvents[K][]).push(listener);
    return this;
  }

  /** Current order and update id (0 when none was received). */
  get order(): { orderId: number; orderUpdateId: number } {
    return { orderId: this.orderId, orderUpdateId: this.orderUpdateId };
  }

  /**
   * Call when the vehicle changed on its own (battery, faults, an e-stop button, speed): reports at once when that
   * changed the state the platform sees.
   */
  vehicleChanged(): void {
    if (this.currentState() !== this.lastState) this.client.reportStatus();
  }

  // ---- autonomous space ----

  /**
   * Asks for space and drives the vehicle's own trajectory in it (adapter.followTrajectory), renewing the lease, then
   * releases it; `endNodeId` is the node the trajectory ends on, reported as the vehicle's last node. The platform
   * sends no orders meanwhile. Whatever the platform answers, the outcome says what happened; a lost lease was
   * handled as the grant said (stop at once, or finish leaving).
   */
  async moveInSpace(request: Omit<SpaceRequest, 'requestId' | 'trajectory'>, route: { poses: readonly Pose[]; endNodeId?: number }): Promise<SpaceOutcome> {
    const follow = this.adapter.followTrajectory?.bind(this.adapter);
    if (!follow) return { result: 'refused', refusal: 'unsupported', detail: 'this vehicle cannot follow its own trajectory' };
    const trajectory = { points: route.poses.map((pose, i) => ({ pose, offset: i })) };
    return this.space.move({ ...request, trajectory }, {
      drive: async () => {
        // The vehicle stands (it asked from where it stopped): what is left of its order goes, without a failure.
        this.held = [];
        this.dropWaitingActions();
        const wasDriving = this.driving.length > 0;
        this.driving = [];
        if (wasDriving) this.adapter.stop();
        this.ownMotion = true;
        this.client.reportStatus();
        try {
          await follow(route.poses);
        } finally {
          this.ownMotion = false;
        }
      },
      stop: () => this.adapter.stop(),
      arrived: () => {
        if (route.endNodeId !== undefined) this.lastNode = { id: route.endNodeId, sequenceId: 0 };
        this.client.reportStatus();
      },
    });
  }

  /** The way ahead is blocked: tells the platform, which re-routes this vehicle and plans everyone around it. */
  reportBlockage(report: Omit<BlockageFields, 'mapId'>): Promise<RequestOutcome> {
    return this.client.reportBlockage({ ...report, mapId: this.options.mapId });
  }

  // ---- orders ----

  private onOrder(cmd: MotionCommand): CommandResult {
    if ((this.adapter.eStop?.() ?? 'none') !== 'none') return { ok: false, code: 'INVALID_STATE', detail: 'emergency stop active' };
    const released: Step[] = cmd.nodes.slice(0, cmd.releasedNodeCount).map((node, i) => ({ node, edge: i > 0 ? cmd.edges[i - 1] : undefined }));
    if (cmd.orderId !== this.orderId || cmd.orderUpdateId === 0) {
      // A new order may start behind the vehicle (the platform's view lags its reports): skip what it passed.
      const passed = released.findIndex((s) => s.node.nodeId === this.lastNode.id);
      this.replaceRoute(released.slice(passed + 1));
      this.orderUpdateId = cmd.orderUpdateId;
    } else if (cmd.orderUpdateId > this.orderUpdateId) {
      if (released[0]?.node.nodeId !== this.lastReleasedNode()) {
        return { ok: false, code: 'ORDER_UPDATE_REJECTED', detail: 'update does not start at the last released node' };
      }
      this.held.push(...released.slice(1));
      this.orderUpdateId = cmd.orderUpdateId;
    }
    this.orderId = cmd.orderId;
    for (const step of [...this.driving, ...this.held]) {
      for (const a of step.node.actions) if (!this.actions.has(a.actionId)) this.actions.set(a.actionId, 'waiting');
    }
    this.feed();
  }

  private lastReleasedNode(): number {
    const last = this.held.at(-1) ?? this.driving.at(-1);
    return last ? last.node.nodeId : this.lastNode.id;
  }

  /** Drives `route` instead of what is left; keeps the node being driven to when the route goes through it. */
  private replaceRoute(route: Step[]): void {
    this.dropWaitingActions();
    this.held = [];
    const ids = (steps: Step[]) => steps.map((s) => s.node.nodeId).join(',');
    if (this.driving.length > 0 && ids(route.slice(0, this.driving.length)) !== ids(this.driving)) {
      this.stopAtNextNode();
      if (route[0]?.node.nodeId === this.driving[0]!.node.nodeId) route = route.slice(1);
    } else {
      route = route.slice(this.driving.length);
    }
    this.held = route;
  }

  private stopAtNextNode(): void {
    this.held = [];
    this.dropWaitingActions();
    if (this.driving.length === 0) return;
    this.adapter.stop();
    this.driving = this.driving.slice(0, 1);
  }

  /** Hands the adapter every released node it may drive now: up to and including a node with a blocking action. */
  private feed(): void {
    while (!this.blockedByActions && this.held.length > 0 && !this.driving.some((s) => s.node.actions.some((a) => a.blocking))) {
      const step = this.held.shift()!;
      this.driving.push(step);
      this.adapter.driveToNode(step.node, step.edge).then(
        () => this.reached(step),
        (err: unknown) => this.driveFailed(step, err),
      );
    }
  }

  private reached(step: Step): void {
    const at = this.driving.indexOf(step);
    if (at < 0) return; // dropped by a stop; the adapter reached it anyway
    this.driving.splice(0, at + 1);
    this.lastNode = { id: step.node.nodeId, sequenceId: step.node.sequenceId };
    for (const l of this.listeners.nodeReached) l(step.node.nodeId);
    if (step.node.actions.length > 0) void this.runNodeActions(step.node.actions);
    this.feed();
    this.client.reportStatus();
  }

  private driveFailed(step: Step, err: unknown): void {
    if (!this.driving.includes(step)) return; // dropped by a stop: expected
    this.adapter.stop();
    this.driving = [];
    this.held = [];
    this.dropWaitingActions();
    this.emitError(err, `driving to node ${step.node.nodeId} failed`);
    this.client.reportStatus();
  }

  // ---- actions ----

  private async runNodeActions(actions: readonly Action[]): Promise<void> {
    this.blockedByActions = actions.some((a) => a.blocking);
    for (const action of actions) {
      if (this.actions.get(action.actionId) !== 'waiting') continue;
      await this.run(action);
    }
    this.blockedByActions = false;
    this.feed();
  }

  private onAction(action: Action): CommandResult {
    if (this.runningActions().length > 0 || this.isMoving()) return { ok: false, code: 'BUSY', detail: 'moving or another action is running' };
    void this.run(action);
  }

  /** Runs one action, reporting it running at once and finished or failed when the adapter settles. */
  private async run(action: Action): Promise<void> {
    this.actions.set(action.actionId, 'running');
    this.actuatorOf.set(action.actionId, action);
    let done: Promise<void>;
    try {
      done = this.adapter.runAction(action);
    } catch (err) {
      done = Promise.reject(err);
    }
    this.client.reportStatus();
    let state: ActionState = 'finished';
    try {
      await done;
    } catch (err) {
      state = 'failed';
      this.emitError(err, `action ${action.actionId} failed`);
    }
    this.actions.set(action.actionId, state);
    this.client.reportStatus();
  }

  private runningActions(): Action[] {
    return [...this.actions].filter(([, s]) => s === 'running').map(([id]) => this.actuatorOf.get(id)!);
  }

  private dropWaitingActions(): void {
    for (const [id, s] of this.actions) if (s === 'waiting') this.actions.delete(id);
  }

  // ---- control ----

  private onControl(cmd: MotionControl): CommandResult {
    if (cmd.orderId !== 0 && cmd.orderId !== this.orderId) return { ok: false, code: 'UNKNOWN_ORDER', detail: `order ${cmd.orderId} is not the current one` };
    const a = this.adapter;
    switch (cmd.command) {
      case 'pause':
      case 'resume':
        if (!a.pause || !a.resume) return { ok: false, code: 'UNSUPPORTED_ACTION', detail: 'this vehicle cannot pause' };
        this.paused = cmd.command === 'pause';
        if (this.paused) a.pause();
        else a.resume();
        break;
      case 'cancel':
        // Brake at the next node rather than mid-edge: the platform still holds it, and nodes are where AGVs may stand.
        // Moving on its own in granted space there is no next node: it stops where it is (the space is still its own).
        if (this.ownMotion) this.adapter.stop();
        this.stopAtNextNode();
        break;
      case 'emergencyStop':
      case 'releaseEmergencyStop':
        if (!a.emergencyStop) return { ok: false, code: 'UNSUPPORTED_ACTION', detail: 'this vehicle has no remote emergency stop' };
        a.emergencyStop(cmd.command === 'emergencyStop');
        break;
    }
    this.client.reportStatus();
  }

  private async onCharging(cmd: ChargingCommand): Promise<CommandResult> {
    if (!this.adapter.charge) return { ok: false, code: 'UNSUPPORTED_ACTION', detail: 'this vehicle cannot charge on command' };
    await this.adapter.charge(cmd.action === 'start');
    this.client.reportStatus();
  }

  // ---- status ----

  private isMoving(): boolean {
    return this.driving.length > 0 || this.ownMotion || (this.adapter.speed?.() ?? 0) > 0;
  }

  private currentState(): StatusFields['state'] {
    const a = this.adapter;
    if ((a.eStop?.() ?? 'none') !== 'none') return 'emergencyStop';
    if ((a.errors?.() ?? []).some((e) => FAULT_SEVERITIES.has(e.severity))) return 'error';
    if (this.runningActions().length > 0) return 'executingAction';
    if (a.battery().charging) return 'charging';
    if (this.paused) return 'paused';
    if (this.isMoving()) return 'moving';
    return this.orderId !== 0 ? 'waiting' : 'idle';
  }

  private status(): StatusFields {
    const a = this.adapter;
    const battery = a.battery();
    const state = this.currentState();
    this.lastState = state;
    const running = this.runningActions();
    const actions = [...this.actions].map(([actionId, s]) => ({ actionId, state: s }));
    // Finished and failed actions are reported once, then forgotten.
    for (const { actionId, state: s } of actions) {
      if (s !== 'finished' && s !== 'failed') continue;
      this.actions.delete(actionId);
      this.actuatorOf.delete(actionId);
    }
    const registered = this.options.registration.capabilities.actuators;
    return {
      orderId: this.orderId,
      orderUpdateId: this.orderUpdateId,
      pose: a.pose(),
      localisationScore: this.options.localisationScore?.() ?? SPECIAL.UNKNOWN_U8,
      mapId: this.options.mapId,
      navMode: this.options.navMode,
      vx: a.speed?.() ?? 0,
      vy: 0,
      omega: 0,
      battery: battery.level,
      batteryVoltage: battery.voltage ?? SPECIAL.UNKNOWN_U16,
      charging: battery.charging,
      loadState: a.load(),
      state,
      operatingMode: 'automatic',
      lastNodeId: this.lastNode.id,
      lastNodeSequenceId: this.lastNode.sequenceId,
      currentEdgeId: this.driving[0]?.edge?.edgeId ?? 0,
      edgeProgress: 0,
      eStop: a.eStop?.() ?? 'none',
      protectiveField: false,
      actuators: a.actuators?.() ?? registered.map((r) => ({ type: r.type, index: r.index, state: running.some((x) => x.actuator === r.type && x.actuatorIndex === r.index) ? 'running' : 'idle', position: 0 })),
      actions,
      errors: a.errors?.() ?? [],
    };
  }

  private emitError(err: unknown, context: string): void {
    const error = new Error(`${context}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    for (const l of this.listeners.error) l(error);
  }
}
