// Dispatch decides who does what; it is pure (no I/O, no clock reads) so strategies can be swapped and tested alone.

export interface DispatchTask {
  id: string;
  pickNode: string;
  dropNode: string;
  /** Higher runs first. */
  priority: number;
  /** Epoch ms; earlier deadlines run first among equal priorities. */
  deadline?: number;
  createdAt: number;
  preferredVendor?: string;
  requiredType?: string;
}

export interface DispatchAgv {
  id: string;
  /** Node the AGV stands on (or will stand on once its current short move ends). */
  node: string;
  /** Percent 0..100. */
  battery: number;
  vendor: string;
  type: string;
  /** True while the AGV sits on a charger charging. */
  charging: boolean;
  /** Parking or charger node the AGV is already heading to / resting on, if any. */
  restingAt?: string;
}

export interface DispatchCharger {
  id: string;
  node: string;
  /** AGV occupying or heading to it. */
  takenBy?: string;
}

export interface DispatchInput {
  nowMs: number;
  /** Queued tasks (any order; the strategy orders them). */
  tasks: readonly DispatchTask[];
  /** Online AGVs with no task and no fault. */
  idleAgvs: readonly DispatchAgv[];
  chargers: readonly DispatchCharger[];
  /** Parking nodes and the AGV that holds or heads to each, if any. */
  parking: readonly { node: string; takenBy?: string }[];
  /** Travel distance in metres; Infinity when unreachable. */
  distance(from: string, to: string): number;
}

export interface DispatchDecision {
  assignments: { taskId: string; agvId: string }[];
  charge: { agvId: string; chargerId: string; node: string }[];
  park: { agvId: string; node: string }[];
}

export interface DispatchStrategy {
  readonly name: string;
  decide(input: DispatchInput): DispatchDecision;
}
