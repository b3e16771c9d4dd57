import { isMoving, setPath, step, type MotionState, type PathPoint } from './motion.ts';
import type { VendorProfile } from './profiles.ts';

// One simulated AGV's body: motion, battery, load handling and injected faults. Pure: time only advances through
// update(nowMs), so it runs as fast as the caller's clock. The SDK wiring (frames, sockets) lives in sim-agv.ts.

export type SimState = 'idle' | 'moving' | 'paused' | 'executingAction' | 'waiting' | 'charging' | 'error' | 'emergencyStop';

export interface SimAction {
  actionId: number;
  kind: 'pick' | 'drop';
  endsAt: number;
}

export interface FinishedAction {
  actionId: number;
  ok: boolean;
}

export interface Faults {
  /** Drive motors stop responding (the AGV stands still while holding its order). */
  stalled: boolean;
  emergencyStop: boolean;
}

export class VirtualAgv {
  readonly motion: MotionState;
  battery: number;
  charging = false;
  loaded = false;
  paused = false;
  orderId = 0;
  orderUpdateId = 0;
  action: SimAction | undefined;
  readonly faults: Faults = { stalled: false, emergencyStop: false };
  odometerM = 0;
  private lastUpdate: number;
  private finished: FinishedAction[] = [];

  constructor(
    readonly id: string,
    readonly profile: VendorProfile,
    start: { nodeId: string; x: number; y: number; theta?: number },
    nowMs: number,
    batteryPct = 90,
  ) {
    this.motion = { x: start.x, y: start.y, theta: start.theta ?? 0, speed: 0, lastNodeId: start.nodeId, ahead: [] };
    this.battery = batteryPct;
    this.lastUpdate = nowMs;
  }

  /**
   * Accepts a new order or an update of the current one; only released nodes are ever driven. A new order may
   * start behind the AGV (the platform's view lags its reports): nodes up to the one last passed are skipped. An
   * update must start at the last released node. Returns false for an update that does not fit.
   */
  acceptOrder(orderId: number, updateId: number, released: readonly PathPoint[]): boolean {
    if (orderId !== this.orderId || updateId === 0) {
      const passed = released.findIndex((p) => p.id === this.motion.lastNodeId);
      setPath(this.motion, []);
      this.motion.ahead = released.slice(passed + 1).map((p) => ({ ...p }));
      this.orderUpdateId = updateId;
    } else if (updateId > this.orderUpdateId) {
      const ahead = this.motion.ahead;
      const lastReleased = ahead.length > 0 ? ahead[ahead.length - 1]!.id : this.motion.lastNodeId;
      if (released[0]?.id !== lastReleased) return false;
      ahead.push(...released.slice(1).map((p) => ({ ...p })));
      this.orderUpdateId = updateId;
    }
    this.orderId = orderId;
    return true;
  }

  startAction(actionId: number, kind: 'pick' | 'drop', nowMs: number): boolean {
    if (this.action || isMoving(this.motion)) return false;
    this.action = { actionId, kind, endsAt: nowMs + this.profile.actionMs };
    return true;
  }

  setCharging(on: boolean): void {
    this.charging = on;
  }

  cancelOrder(): void {
    // Brake to the next node rather than stop mid-edge: the platform still holds it, and nodes are where AGVs
    // may stand safely.
    this.motion.ahead = this.motion.ahead.slice(0, 1);
  }

  /** Advances the body to nowMs; returns nodes reached on the way. */
  update(nowMs: number): string[] {
    const dtS = Math.max(0, nowMs - this.lastUpdate) / 1000;
    this.lastUpdate = nowMs;
    const reached: string[] = [];
    const canDrive = !this.faults.stalled && !this.faults.emergencyStop && !this.paused && this.battery > 0 && !this.charging;
    if (dtS > 0) {
      const result = step(this.motion, { maxSpeedMps: this.profile.maxSpeedMps, accelMps2: this.profile.accelMps2 }, dtS, !canDrive);
      if (this.faults.emergencyStop || this.faults.stalled) this.motion.speed = 0;
      reached.push(...result.reached);
      this.odometerM += result.distance;
      this.battery -= result.distance * this.profile.drainPerMetrePct + dtS * this.profile.drainPerSecondPct;
      if (this.charging) this.battery += dtS * this.profile.chargePerSecondPct;
      this.battery = Math.min(100, Math.max(0, this.battery));
    }
    if (this.action && nowMs >= this.action.endsAt && !this.faults.emergencyStop) {
      this.loaded = this.action.kind === 'pick';
      this.finished.push({ actionId: this.action.actionId, ok: true });
      this.action = undefined;
    }
    return reached;
  }

  /** Actions finished since the last call (reported once each in status). */
  takeFinishedActions(): FinishedAction[] {
    const f = this.finished;
    this.finished = [];
    return f;
  }

  get state(): SimState {
    if (this.faults.emergencyStop) return 'emergencyStop';
    if (this.battery <= 0 || this.faults.stalled) return 'error';
    if (this.action) return 'executingAction';
    if (this.charging) return 'charging';
    if (this.paused) return 'paused';
    if (isMoving(this.motion)) return 'moving';
    return this.orderId !== 0 ? 'waiting' : 'idle';
  }
}
