// The live feed's WebSocket messages (JSON text frames), shared by the server and the dashboard.
// Documented in docs/operations.md; bump LIVE_PROTOCOL on any incompatible change.
import type { Alarm } from '../alarms/types.ts';
import type { DoorStatusView, LiftStatusView, Severity, SiteMapView, TaskView } from '../ports.ts';

export type { DoorStatusView, LiftStatusView };

export const LIVE_PROTOCOL = 1;

/** One AGV as the dashboard draws it. Positions are rounded to cm and headings to 0.01 rad, so jitter is no change. */
export interface AgvLive {
  id: string;
  vendor: string;
  model: string;
  x: number;
  y: number;
  th: number;
  /** Map (floor) the pose is on: the map the AGV reports, or its node's map when it reports an unknown one. */
  map: string;
  /** Navigation mode it reports using ('' before its first report). */
  nav: string;
  /** Body length and width (m), as registered: drawn to scale. */
  len: number;
  wid: number;
  state: string;
  battery: number;
  task: string | null;
  mode: 'normal' | 'secure';
  conn: boolean;
  estop: boolean;
  /** An operator's pause or stop holds it. */
  paused: boolean;
  /** False while an operator has taken it out of service. */
  inService: boolean;
  charging: boolean;
  /** Open alarms of this AGV and the worst severity among them. */
  alarms: number;
  sev: Severity | null;
}

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  user: { name: string; role: string };
  map: SiteMapView;
  /** Minimum time between two deltas. */
  throttleMs: number;
}

/** Full state: sent after hello and whenever a client fell behind and its deltas were dropped. */
export interface SnapshotMessage {
  type: 'snapshot';
  seq: number;
  at: number;
  agvs: AgvLive[];
  tasks: TaskView[];
  alarms: Alarm[];
  /** Every lift and door of the site with its state (empty when the site has none). */
  lifts: LiftStatusView[];
  doors: DoorStatusView[];
}

/** What changed since the previous message (seq increases by one; a gap means: wait for the next snapshot). */
export interface DeltaMessage {
  type: 'delta';
  seq: number;
  at: number;
  /** AGVs new to the client or with changes beyond their pose: full records. */
  agvs: AgvLive[];
  /**
   * AGVs whose only change is their pose, flattened as [id, x, y, th, id, x, y, th, ...]: a moving fleet is most of
   * the traffic, and this is about a sixth of the size of full records.
   */
  moves: (string | number)[];
  removedAgvs: string[];
  tasks: TaskView[];
  /** Changed alarms, including ones that were cleared (state 'cleared': drop from the open list). */
  alarms: Alarm[];
  /** Lifts and doors whose state, riders or queue changed (full records); absent when none did. */
  lifts?: LiftStatusView[];
  doors?: DoorStatusView[];
}

/** Held and planned path of the AGV the client selected; sent on selection and whenever they change. */
export interface DetailMessage {
  type: 'detail';
  agvId: string;
  heldPath: string[];
  plannedPath: string[];
}

export type ServerMessage = HelloMessage | SnapshotMessage | DeltaMessage | DetailMessage;

/** Client → server: select an AGV to receive its paths (null to stop). */
export interface SelectMessage {
  type: 'select';
  agvId: string | null;
}
export type ClientMessage = SelectMessage;
