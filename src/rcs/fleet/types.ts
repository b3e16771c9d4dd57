// The fleet runtime's own view of an AGV, in site units (metres, radians, percent). Sessions translate protocol
// frames (mm, mrad, 0.1 %) into these at the boundary, so dispatch and traffic never see wire units.

import type { AgvSecurityMode } from '../api/fleet-view.ts';
import type { RunningDataSample } from '../store/types.ts';

/** Body size in metres, as registered; traffic control plans the AGV as a disc over its longest side. */
export interface AgvFootprint {
  lengthM: number;
  widthM: number;
}

export interface AgvIdentity {
  id: string;
  vendor: string;
  model: string;
  serial: string;
  type: string;
  softwareVersion: string;
  /** The capability sheet as registered (kept as given for the registry and dashboards). */
  capabilities: Record<string, unknown>;
  /** capabilities.length/width converted to metres and checked at registration. */
  footprint: AgvFootprint;
}

export interface AgvAlarm {
  code: number;
  severity: 'info' | 'warning' | 'error' | 'fatal';
  message: string;
}

export interface AgvStatus {
  /** Epoch ms (platform clock) when the report arrived. */
  at: number;
  x: number;
  y: number;
  theta: number;
  mapId: string;
  /** Last node the AGV stood on or passed; undefined while it has never been on a node. */
  lastNodeId?: string;
  speed: number;
  /** Percent 0..100. */
  battery: number;
  charging: boolean;
  /** Localisation confidence 0..1; undefined when the AGV does not know it. */
  localisationScore?: number;
  loaded: boolean;
  /** Protocol AGV state name, e.g. 'idle', 'moving', 'charging', 'error'. */
  state: string;
  /** True while an actuator action (pick/drop) is running. */
  actionRunning: boolean;
  emergencyStop: boolean;
  alarms: AgvAlarm[];
}

export interface PathStep {
  nodeId: string;
  x: number;
  y: number;
  theta?: number;
  /** m/s for the edge that ends at this node. */
  maxSpeed?: number;
}

export interface MotionOrder {
  orderId: number;
  /** 0 for a new order, then +1 for every update that extends or replaces its path. */
  updateId: number;
  /** Nodes the AGV holds and may drive; released[0] is where it stands. */
  released: PathStep[];
  /** Nodes planned beyond the released part; for information only, never to be driven. */
  announced: PathStep[];
}

export type ControlCommand = 'pause' | 'resume' | 'cancel' | 'estop' | 'release-estop';
export type LoadAction = 'pick' | 'drop';

export type CommandOutcome =
  | { ok: true; latencyMs: number }
  | { ok: false; code: string; message: string; latencyMs?: number };

/** A request answered by its own message: the answer, or why there is none (nack code, TIMEOUT, CLOSED). */
export type AnswerOutcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** A basic parameter in the protocol's unit (docs/protocol.md, ParamId). */
export interface ParamValue {
  param: string;
  value: number;
}

/** The AGV's verdict on one parameter of a set request: ok, unknownParam, outOfRange, readOnly or rejected. */
export interface ParamResult {
  param: string;
  result: string;
}

/** Odometry, counters and diagnostics as the AGV reports them (protocol units: m, s, 0.1 %, 0.1 °C). */
export type RunningDataReading = Omit<RunningDataSample, 'agvId' | 'at'>;

/** How the runtime talks to one connected AGV; implemented by the session (order-controller unit tests record what goes over it). */
export interface AgvLink {
  readonly mode: AgvSecurityMode;
  /** The protocol the AGV speaks and the version in use: 'unifleet' (the guide protocol) or 'vda5050'. */
  readonly protocol?: { name: string; version: string };
  sendMotion(order: MotionOrder): Promise<CommandOutcome>;
  sendControl(command: ControlCommand): Promise<CommandOutcome>;
  sendLoadAction(action: LoadAction, stationId: string): Promise<CommandOutcome>;
  sendCharging(start: boolean): Promise<CommandOutcome>;
  /** Ends the session (operator action or shutdown). */
  close(reason: string): void;
  /** Reads basic parameters (empty: all the AGV has); absent on links that do not carry parameter messages. */
  queryParams?(params: readonly string[]): Promise<AnswerOutcome<ParamValue[]>>;
  /** Changes basic parameters, all or nothing; the answer gives the AGV's verdict per parameter. */
  setParams?(values: readonly ParamValue[]): Promise<AnswerOutcome<ParamResult[]>>;
  /** Asks for odometry, counters and diagnostics now. */
  requestRunningData?(): Promise<AnswerOutcome<RunningDataReading>>;
}
