// What operations needs from the rest of the platform, stated as narrow read models and commands.
// The platform (fleet runtime, dispatch, store) adapts itself to these; ops never reaches into their internals,
// so the dashboard, alarms and health checks survive refactors of the fleet runtime.

import type { AgvView } from '../api/fleet-view.ts';

export type Severity = 'info' | 'warning' | 'error' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error', 'critical'];

export interface Pose {
  x: number;
  y: number;
  /** Heading in radians, counter-clockwise from +x. */
  theta: number;
}

export interface MapNode {
  id: string;
  x: number;
  y: number;
  /** Map (floor) the node is on; absent on a site of one map. */
  map?: string;
}
export interface MapEdge {
  id: string;
  from: string;
  to: string;
  /** 'lift' for a lift ride between two floors (not drawn as a lane). */
  kind?: 'drive' | 'lift';
}
/** A floor (map) of the site, for the dashboard's floor selector. */
export interface MapFloor {
  id: string;
  name: string;
  building?: string;
  floor?: number;
}
/** A lift as the dashboard draws it: its cabin node on every floor it serves. */
export interface MapLift {
  id: string;
  name: string;
  stops: { map: string; node: string }[];
  cabin: { lengthM: number; widthM: number };
}
export interface MapDoor {
  id: string;
  /** The edge (MapEdge.id of its first direction) the door stands on. */
  edge: string;
  kind: 'fire' | 'roller';
}
export interface MapNavigationArea {
  id: string;
  modes: string[];
  nodes: string[];
}
export interface MapPoint {
  id: string;
  node: string;
}
export interface SiteMapView {
  id: string;
  nodes: MapNode[];
  edges: MapEdge[];
  stations: MapPoint[];
  chargers: MapPoint[];
  parking: MapPoint[];
  /** The site's floors; absent or one entry for a single-map site. */
  maps?: MapFloor[];
  lifts?: MapLift[];
  doors?: MapDoor[];
  navigationAreas?: MapNavigationArea[];
}

/** An alarm the AGV itself reports in its status or alarm frames. */
export interface AgvReportedAlarm {
  code: string;
  severity: Severity;
  message: string;
}

/**
 * An AGV as operations reads it: the API's AgvView (one builder in the fleet registry) plus what alarms, health
 * checks and the dashboard need beyond it. `pose` is null until the AGV's first status report.
 */
export interface AgvDetail extends Omit<AgvView, 'pose' | 'navMode'> {
  pose: Pose | null;
  /** Node the AGV is at or last passed. */
  nodeId: string | null;
  mapId: string;
  /** 0..1, null when the navigation type does not report one. */
  localisationScore: number | null;
  /** Navigation mode it reports using now (e.g. 'laserSlam', 'qrCode'); null before its first report. */
  navMode?: string | null;
  /** Body as registered (m): drawn to scale. */
  body?: { lengthM: number; widthM: number };
  charging: boolean;
  emergencyStop: boolean;
  /** Nodes planned beyond what is held (heldNodes), in driving order. */
  plannedPath: string[];
  alarms: AgvReportedAlarm[];
  /** False while the AGV is registered but has not sent a status report yet (readings are placeholders). */
  statusKnown?: boolean;
}

export interface TaskView {
  id: string;
  state: string;
  from: string;
  to: string;
  priority: number;
  agvId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface CreateTaskInput {
  /** Station where the load is picked up. */
  from: string;
  /** Station where it is dropped. */
  to: string;
  /** 0 (lowest) … 9 (most urgent), as in the task API. */
  priority?: number;
}

/** A task command the platform refused; status and code are the HTTP answer (docs/api.md, "Errors"). */
export class FleetCommandError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: 'invalid_request' | 'not_found' | 'invalid_state',
    message: string,
  ) {
    super(message);
  }
}

/** The protocol gateways' state (src/rcs/gateway, GatewayPool.status). */
export interface ConnectionTierStatus {
  readonly configured: number;
  readonly up: number;
  readonly restarts: number;
  readonly capped: boolean;
}

export interface PlatformStatus {
  /** False while starting up or shutting down: /readyz answers 503. */
  ready: boolean;
  /** Named self-checks of the platform (store writable, listener up, planner keeping up...). */
  checks: Record<string, boolean>;
  /** 'standby' while another process leads the site (/readyz answers 503 with status 'standby'). */
  role?: PlatformRole;
}

/** A platform process's part in its site's leadership: leading, or standing by warm for the leader to fail. */
export type PlatformRole = 'leader' | 'standby';

/** An AGV waiting for a node another AGV holds. */
export interface TrafficWait {
  agvId: string;
  blockedBy: string;
  node: string;
  /** Clock time the wait started (or was last re-planned). */
  sinceMs: number;
}

/** A lift's state as operations shows it: where the cabin is, its doors, motion, mode, and who rides or waits. */
export interface LiftStatusView {
  id: string;
  /** Map (floor) the cabin stands at, or last passed while moving. */
  floor: string;
  door: 'open' | 'opening' | 'closed' | 'closing';
  motion: 'idle' | 'up' | 'down';
  /** Who the lift serves: 'agv', 'human', 'outOfService' or 'fire'. */
  mode: string;
  /** A fault the lift reports; null when healthy. */
  fault: string | null;
  /** AGVs holding the ride now. */
  riders: string[];
  /** AGVs waiting for a ride, first in line first. */
  queue: string[];
}

export interface DoorStatusView {
  id: string;
  position: 'open' | 'opening' | 'closed' | 'closing';
  fault: string | null;
}

/** The site's lifts and doors as they are now. */
export interface EquipmentView {
  lifts: LiftStatusView[];
  doors: DoorStatusView[];
}

/** Read models and commands that the platform provides to operations. */
export interface FleetSource {
  /** The state of the site's lifts and doors (optional: a site without them, or before their controllers run). */
  equipment?(): EquipmentView;
  /** Current waits in traffic, for deadlock and congestion checks (optional). */
  trafficWaits?(): TrafficWait[];
  siteMap(): SiteMapView;
  agvs(): Iterable<AgvDetail>;
  tasks(): Iterable<TaskView>;
  createTask(input: CreateTaskInput): Promise<TaskView>;
  cancelTask(id: string): Promise<TaskView>;
  status(): PlatformStatus;
}

/** Terminal task states: tasks in them no longer count as open. */
export const TERMINAL_TASK_STATES = new Set(['completed', 'failed', 'cancelled', 'canceled']);
