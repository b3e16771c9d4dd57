import type { ActuatorCommand, MotionCommand, ParamResult, ParamValue, RunningDataFields, StatusFields } from './types.ts';

// What a vendor writes to put a vehicle under AgvController: a handful of calls into its own motion and actuator
// control, and readers for what the vehicle knows. Everything the protocol demands (order stitching, released vs
// announced nodes, action states, status reports) is the controller's job, not the adapter's. All values are in
// protocol units (mm, mrad, mm/s, 0.1 %).

export type OrderNode = MotionCommand['nodes'][number];
export type OrderEdge = MotionCommand['edges'][number];
export type Action = ActuatorCommand['action'];
export type Pose = StatusFields['pose'];
export type LoadState = StatusFields['loadState'];
export type EStopSource = StatusFields['eStop'];
export type VehicleError = StatusFields['errors'][number];
export type ActuatorStatus = StatusFields['actuators'][number];

export interface BatteryReading {
  /** Charge in 0.1 % (0 … 1000). */
  level: number;
  /** mV; omit when unknown. */
  voltage?: number;
  charging: boolean;
}

export interface VendorAdapter {
  /**
   * Drive to `node` over `edge` (the edge that ends at it; absent for a first node the vehicle already stands at
   * or next to). Called once per released node, in driving order, as soon as it is released — before the previous
   * node is reached, so the vehicle can drive through without stopping. Resolve when the vehicle reaches the node;
   * reject if it cannot get there. Never called for announced nodes.
   */
  driveToNode(node: OrderNode, edge: OrderEdge | undefined): Promise<void>;
  /**
   * Brake at the node being driven to now and forget the nodes handed over after it (reject or drop their
   * promises; the controller no longer waits for them). Standing still, do nothing.
   */
  stop(): void;
  /** Run an actuator action (pick, drop, lift, …); resolve when done, reject when it failed. */
  runAction(action: Action): Promise<void>;

  pose(): Pose;
  battery(): BatteryReading;
  load(): LoadState;
  /** Ground speed in mm/s (default 0). */
  speed?(): number;
  /** Active errors and warnings; one with severity error or fatal puts the vehicle in state `error`. */
  errors?(): VehicleError[];
  /** Where an active emergency stop comes from (default: none). */
  eStop?(): EStopSource;
  /** Actuator states; default: each registered actuator, running while an action runs. */
  actuators?(): ActuatorStatus[];

  /** Hold position (and resume); without them the controller refuses pause. */
  pause?(): void;
  resume?(): void;
  /** Engage (true) or release (false) the remote emergency stop; without it the controller refuses it. */
  emergencyStop?(active: boolean): void;
  /**
   * Drive the vehicle's own trajectory (poses in order, map frame) inside space the platform granted; resolve at the
   * last pose, reject if it cannot get there. stop() brakes it (then resolve or reject). Without it the vehicle
   * cannot move in autonomous space (AgvController.moveInSpace refuses).
   */
  followTrajectory?(poses: readonly Pose[]): Promise<void>;
  /** Start or stop charging at the charger the vehicle stands at; without it the controller refuses charging. */
  charge?(start: boolean): void | Promise<void>;

  /** The vehicle's basic parameters (ParamId, in each one's unit); without it parameter reads answer none. */
  parameters?(): ParamValue[];
  /**
   * Applies parameters all or nothing: return one result per parameter; when any is not ok, apply none. Without it
   * every parameter is answered readOnly.
   */
  setParameters?(values: ParamValue[]): ParamResult[] | Promise<ParamResult[]>;
  /** Odometry, counters and diagnostics now; without it running-data requests are refused (nack). */
  runningData?(): Omit<RunningDataFields, 'logs'>;
}
