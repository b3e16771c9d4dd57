import { isMoving, step, type MotionState, type PathPoint } from './motion.ts';
import type { VendorProfile } from './profiles.ts';

// One simulated AGV's body: motion, battery, load handling and injected faults. Pure: time only advances through
// update(nowMs), so it runs as fast as the caller's clock. What to drive and when comes from the SDK's
// AgvController through the simulated-motion adapter (sim-adapter.ts); this is only the vehicle.

export interface SimAction {
  kind: 'pick' | 'drop';
  endsAt: number;
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
  action: SimAction | undefined;
  readonly faults: Faults = { stalled: false, emergencyStop: false };
  odometerM = 0;
  /** Counters a vendor's firmware keeps (running data): seconds driven, actions started, charges started. */
  drivingS = 0;
  actionCycles = 0;
  chargeCycles = 0;
  /** An operator's lower speed cap (parameter maxLinearSpeed), m/s; undefined: the profile's maximum. */
  speedCapMps: number | undefined;
  private lastUpdate: number;

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

  /** Appends a point to drive to after those already ahead. */
  driveTo(point: PathPoint): void {
    this.motion.ahead.push({ ...point });
  }

  /**
   * Brakes to the next node rather than stopping mid-edge: nodes are where AGVs may stand safely. Returns how many
   * points ahead were dropped.
   */
  stopAtNextNode(): number {
    const dropped = Math.max(0, this.motion.ahead.length - 1);
    this.motion.ahead = this.motion.ahead.slice(0, 1);
    return dropped;
  }

  get moving(): boolean {
    return isMoving(this.motion);
  }

  startAction(kind: 'pick' | 'drop', nowMs: number): boolean {
    if (this.action || this.moving) return false;
    this.action = { kind, endsAt: nowMs + this.profile.actionMs };
    this.actionCycles++;
    return true;
  }

  setCharging(on: boolean): void {
    if (on && !this.charging) this.chargeCycles++;
    this.charging = on;
  }

  /** Advances the body to nowMs; returns nodes reached on the way. A finished action clears `action`. */
  update(nowMs: number): string[] {
    const dtS = Math.max(0, nowMs - this.lastUpdate) / 1000;
    this.lastUpdate = nowMs;
    const reached: string[] = [];
    const canDrive = !this.faults.stalled && !this.faults.emergencyStop && !this.paused && this.battery > 0 && !this.charging;
    if (dtS > 0) {
      const maxSpeedMps = Math.min(this.profile.maxSpeedMps, this.speedCapMps ?? Infinity);
      const result = step(this.motion, { maxSpeedMps, accelMps2: this.profile.accelMps2 }, dtS, !canDrive);
      if (this.faults.emergencyStop || this.faults.stalled) this.motion.speed = 0;
      reached.push(...result.reached);
      this.odometerM += result.distance;
      if (result.distance > 0) this.drivingS += dtS;
      this.battery -= result.distance * this.profile.drainPerMetrePct + dtS * this.profile.drainPerSecondPct;
      if (this.charging) this.battery += dtS * this.profile.chargePerSecondPct;
      this.battery = Math.min(100, Math.max(0, this.battery));
    }
    if (this.action && nowMs >= this.action.endsAt && !this.faults.emergencyStop) {
      this.loaded = this.action.kind === 'pick';
      this.action = undefined;
    }
    return reached;
  }
}
