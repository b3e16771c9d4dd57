import type { Clock } from '../../core/index.ts';
import { SPECIAL } from '../../protocol/index.ts';
import type { Action, ActuatorStatus, BatteryReading, EStopSource, LoadState, OrderEdge, OrderNode, Pose, VehicleError, VendorAdapter } from '../sdk/adapter.ts';
import type { ParamResult, ParamValue, RunningDataFields } from '../sdk/types.ts';
import { SimParameters } from './sim-parameters.ts';
import type { PathPoint } from './motion.ts';
import type { VirtualAgv } from './virtual-agv.ts';

// The simulator's vendor adapter: AgvController drives a VirtualAgv body through the same interface a vendor's
// firmware implements, converting protocol units (mm, mrad, node numbers) to the body's (metres, radians, ids).

interface Waiter {
  nodeId: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** The simulated world around the body: obstacles on its way (points are wire node numbers as strings). */
export interface SimSurroundings {
  /** Whether an obstacle lies on the way from point `from` (at a) to point `to` (at b). */
  obstructed(from: string, to: string, a: { x: number; y: number }, b: { x: number; y: number }): boolean;
  /** The node (wire number as a string) at a position, if any: where an own trajectory ends. */
  nodeAt(x: number, y: number): string | undefined;
}

export class SimulatedMotionAdapter implements VendorAdapter {
  /** One per point ahead of the body and then per point held back before an obstacle, in the same order. */
  private waiters: Waiter[] = [];
  /** Released points the body does not drive yet: an obstacle lies on the way to the first of them. */
  private heldBack: PathPoint[] = [];
  private actionDone: { resolve: () => void } | undefined;
  private readonly params: SimParameters;
  private readonly poweredOnAt: number;
  /** Following its own trajectory (followTrajectory) rather than released nodes. */
  private onTrajectory = false;
  /** The step the body stopped short of because of an obstacle, while it lasts. */
  blockedStep: { at: string; next: string } | undefined;

  constructor(
    private readonly body: VirtualAgv,
    private readonly clock: Clock,
    private readonly world?: SimSurroundings,
  ) {
    this.params = new SimParameters(body);
    this.poweredOnAt = clock.now();
  }

  /** Advances the body to now and settles what it reached or finished; returns the nodes reached. */
  update(now: number): string[] {
    if (this.world) this.stopShortOfObstacles(this.world);
    const reached = this.body.update(now);
    for (const id of reached) {
      const waiter = this.waiters.shift();
      if (waiter?.nodeId !== id) throw new Error(`simulated AGV ${this.body.id} reached ${id}, expected ${waiter?.nodeId}`);
      waiter.resolve();
    }
    if (this.actionDone && !this.body.action) {
      this.actionDone.resolve();
      this.actionDone = undefined;
    }
    return reached;
  }

  driveToNode(node: OrderNode, edge: OrderEdge | undefined): Promise<void> {
    const id = String(node.nodeId);
    const maxSpeed = edge && edge.maxSpeed !== SPECIAL.NO_SPEED_LIMIT ? edge.maxSpeed / 1000 : undefined;
    return new Promise((resolve, reject) => {
      const point = { id, x: node.pose.x / 1000, y: node.pose.y / 1000, maxSpeed };
      if (this.heldBack.length > 0) this.heldBack.push(point);
      else this.body.driveTo(point);
      this.waiters.push({ nodeId: id, resolve, reject });
    });
  }

  stop(): void {
    if (this.onTrajectory) {
      // Off the graph there is no next node to brake at: stop where it is (the simulated body stops at once).
      this.body.motion.ahead = [];
      this.body.motion.speed = 0;
      this.onTrajectory = false;
    }
    this.body.stopAtNextNode();
    this.heldBack = [];
    this.blockedStep = undefined;
    for (const w of this.waiters.splice(this.body.motion.ahead.length)) w.reject(new Error('stopped'));
  }

  followTrajectory(poses: readonly Pose[]): Promise<void> {
    if (poses.length === 0) return Promise.resolve();
    const reachedAll = poses.map((pose, i) => {
      const x = pose.x / 1000;
      const y = pose.y / 1000;
      const last = i === poses.length - 1;
      // The end is named after the node it lies on, so that the body knows where it stands afterwards.
      const id = (last ? this.world?.nodeAt(x, y) : undefined) ?? `trajectory:${i}`;
      return new Promise<void>((resolve, reject) => {
        this.body.driveTo({ id, x, y });
        this.waiters.push({ nodeId: id, resolve, reject });
      });
    });
    this.onTrajectory = true;
    return Promise.all(reachedAll).then(
      () => {
        this.onTrajectory = false;
      },
      (err: unknown) => {
        this.onTrajectory = false;
        throw err;
      },
    );
  }

  /**
   * A vehicle's sensors see an obstacle ahead: the body stops at the node before it and drives no further until
   * the obstacle is gone or the route is replaced. Only steps not yet begun are checked (obstacles appear in front
   * of AGVs, not under them).
   */
  private stopShortOfObstacles(world: SimSurroundings): void {
    const m = this.body.motion;
    const points = [...m.ahead, ...this.heldBack];
    const standing = m.speed === 0 && m.ahead.length === 0;
    let from = { id: m.lastNodeId, x: m.x, y: m.y };
    let cut = points.length;
    for (let k = 0; k < points.length; k++) {
      const p = points[k]!;
      const begun = k === 0 && !standing;
      if (!begun && world.obstructed(from.id, p.id, from, p)) {
        cut = k;
        break;
      }
      from = p;
    }
    m.ahead = points.slice(0, cut);
    this.heldBack = points.slice(cut);
    this.blockedStep = cut < points.length ? { at: cut === 0 ? m.lastNodeId : points[cut - 1]!.id, next: points[cut]!.id } : undefined;
  }

  runAction(action: Action): Promise<void> {
    const direction = action.params.find((p) => p.param === 'direction')?.value;
    const pick = action.liftAdjust === 'toTop' || (action.liftAdjust === 'none' && (direction ?? 1) > 0);
    if (!this.body.startAction(pick ? 'pick' : 'drop', this.clock.now())) return Promise.reject(new Error('moving or another action is running'));
    return new Promise((resolve) => {
      this.actionDone = { resolve };
    });
  }

  pause(): void {
    this.body.paused = true;
  }

  resume(): void {
    this.body.paused = false;
  }

  emergencyStop(active: boolean): void {
    this.body.faults.emergencyStop = active;
  }

  charge(start: boolean): void {
    this.body.setCharging(start);
  }

  parameters(): ParamValue[] {
    return this.params.all();
  }

  setParameters(values: ParamValue[]): ParamResult[] {
    return this.params.set(values);
  }

  runningData(): Omit<RunningDataFields, 'logs'> {
    const b = this.body;
    return {
      odometer: Math.floor(b.odometerM),
      operatingTime: Math.floor((this.clock.now() - this.poweredOnAt) / 1000),
      drivingTime: Math.floor(b.drivingS),
      liftCycles: b.actionCycles,
      chargeCycles: b.chargeCycles,
      batteryHealth: 970,
      // Warmer while driving or charging: something for the chart to show.
      batteryTemperature: 250 + (b.moving ? 40 : 0) + (b.charging ? 60 : 0),
      diagnostics: [{ key: 1, value: Math.round(b.battery * 10) }, { key: 2, value: Math.round(b.motion.speed * 1000) }],
    };
  }

  pose(): Pose {
    const m = this.body.motion;
    return { x: Math.round(m.x * 1000), y: Math.round(m.y * 1000), theta: Math.max(-3142, Math.min(3142, Math.round(m.theta * 1000))) };
  }

  speed(): number {
    return Math.round(this.body.motion.speed * 1000);
  }

  battery(): BatteryReading {
    return { level: Math.round(this.body.battery * 10), voltage: 4800, charging: this.body.charging };
  }

  load(): LoadState {
    return this.body.loaded ? 'loaded' : 'empty';
  }

  eStop(): EStopSource {
    return this.body.faults.emergencyStop ? 'remote' : 'none';
  }

  errors(): VehicleError[] {
    const b = this.body;
    const errors: VehicleError[] = [];
    if (b.faults.stalled) errors.push({ code: 2001, severity: 'error' });
    if (b.battery <= 0) errors.push({ code: 3001, severity: 'fatal' });
    else if (b.battery < 10) errors.push({ code: 3002, severity: 'warning' });
    return errors;
  }

  actuators(): ActuatorStatus[] {
    const b = this.body;
    return [{ type: b.profile.actuator, index: 0, state: b.action ? 'running' : 'idle', position: b.loaded ? 50 : 0 }];
  }
}
