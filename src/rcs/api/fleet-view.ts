// The API's read-only window onto the live fleet; the fleet runtime implements it.

export type AgvConnection = 'online' | 'offline';
export type AgvSecurityMode = 'normal' | 'secure';

export interface AgvPose {
  /** Metres / radians in the site map's coordinates. */
  x: number;
  y: number;
  theta: number;
  mapId: string;
}

export interface AgvView {
  id: string;
  vendor: string;
  model: string;
  type: string;
  connection: AgvConnection;
  mode: AgvSecurityMode;
  /** The AGV's state as reported (protocol state enumeration name, e.g. 'idle', 'moving', 'charging'). */
  state: string;
  pose: AgvPose;
  /** Percent, 0–100. */
  battery: number;
  /** Why the AGV is not driving toward its goal, where the platform knows (queued for a lift, relocalising, a failed door in the way). */
  waitingFor?: string;
  /** The navigation mode the AGV last reported (protocol NavType name, e.g. 'laserSlam', 'qrCode'). */
  navMode?: string;
  currentTaskId?: string;
  /** Site-map node ids this AGV holds exclusively right now. */
  heldNodes: string[];
  /** Epoch milliseconds of the last frame received from it. */
  lastSeen: number;
  /** False while an operator has taken it out of service (default true). */
  inService?: boolean;
  /** True while an operator's pause or stop holds it (default false). */
  paused?: boolean;
  /** 'unifleet' (the guide protocol) or 'vda5050'; unknown for an AGV never connected since start. */
  protocol?: string;
  /** Protocol version in use, e.g. '1.1' or '2.0.0'. */
  protocolVersion?: string;
}

export interface FleetFilter {
  vendor?: string;
  connection?: AgvConnection;
  type?: string;
}

export interface FleetView {
  list(filter?: FleetFilter): AgvView[];
  get(id: string): AgvView | undefined;
}

/** A FleetView with no AGVs, for running the API without a fleet runtime (tests, tooling). */
export const emptyFleetView: FleetView = {
  list: () => [],
  get: () => undefined,
};

/**
 * Frees the nodes an AGV holds in traffic, for an operator after an offline AGV was moved off the track. The fleet
 * runtime refuses while the AGV is online ('online'); 'holds_nothing' when it is neither live nor holding nodes.
 */
export type ClearReservations = (agvId: string) => 'cleared' | 'online' | 'holds_nothing';
