// The traffic controller decides which nodes each AGV may drive through. Everything that moves AGVs goes through
// this interface so that the central multi-agent planner (issue 4) can replace v1 without touching sessions or
// dispatch. Invariant every implementation keeps: a node is held by at most one AGV, an AGV always holds the node it
// stands on, and an AGV is only ever sent a path made of nodes it holds.

export type TrafficGrant =
  /** Drive along `path` (path[0] is the node the AGV stands on; every node is held by it). */
  | { kind: 'go'; path: string[]; reachesGoal: boolean; announced: string[] }
  /** Stay put: the next node is held by another AGV (or no route exists yet). */
  | { kind: 'wait'; blockedBy?: string; reason: 'blocked' | 'no-route' }
  | { kind: 'arrived' };

export interface WaitInfo {
  agvId: string;
  blockedBy: string;
  node: string;
  sinceMs: number;
}

export type TrafficEventKind =
  | 'deadlock.detected'
  | 'deadlock.resolved'
  | 'deadlock.unresolved'
  | 'agv.stalled'
  | 'agv.recovered'
  | 'agv.offline'
  | 'agv.online'
  | 'agv.deviated'
  | 'agv.conflict'
  | 'resources.blocked'
  | 'resources.unblocked';

export interface TrafficEvent {
  kind: TrafficEventKind;
  atMs: number;
  agvIds: string[];
  message: string;
}

/** What the platform watches traffic control through (event log, metrics); each part is optional. */
export interface TrafficObserver {
  /** Something an operator may want to know: deadlocks and their resolution, stalls, AGVs going offline. */
  event?(event: TrafficEvent): void;
  /** Wall time (ms) of one planning step (with time-sliced planning: the sum of its slices). */
  planStep?(ms: number): void;
  /** Wall time (ms) of one uninterrupted stretch of planning: how long it held the event loop. */
  planSlice?(ms: number): void;
  /**
   * AGVs that a planning round granted more of their way after the call that started it had returned (time-sliced
   * planning): whoever drives them asks for their path again now rather than at its next tick.
   */
  granted?(agvIds: readonly string[]): void;
}

export type { ResourceBlock } from './blocked-resources.ts';

export interface TrafficController {
  /**
   * Puts an AGV on the map at the node it reports standing on. Returns false when another AGV holds that node;
   * the AGV then gets no motion until the conflict is cleared.
   */
  place(agvId: string, node: string): boolean;
  /**
   * Before any grant, after a takeover or restart: the AGV was released `nodes` by the previous leader of the site
   * (the store's traffic holds) and may stand anywhere on them. It holds them, offline, until it reports where it
   * stands (`agvOnline`, then `place` on one of them frees the ones behind it). Nodes another AGV already holds are
   * skipped: the caller restores the newest releases first, and a node released to someone later had been left by
   * this AGV. Returns the nodes restored (none when the AGV is already on the map or a node is unknown).
   * Both site controllers implement it.
   */
  restore?(agvId: string, nodes: readonly string[]): string[];
  /** Asks to move toward goal; call again whenever progress is reported or periodically while waiting. */
  request(agvId: string, goal: string, nowMs: number): TrafficGrant;
  /** The AGV reached node (one of its held nodes); nodes behind it are released. Returns false if it was not held. */
  reportProgress(agvId: string, node: string): boolean;
  /** Forgets the AGV's goal and keeps only the node it stands on (e.g. a cancelled or paused order). */
  stop(agvId: string): void;
  /** Releases every node the AGV holds (operator clears an offline AGV, or it leaves the site). */
  release(agvId: string): void;
  heldBy(node: string): string | undefined;
  held(agvId: string): readonly string[];
  /** Every AGV's held nodes, for dashboards and checkers. */
  holdings(): ReadonlyMap<string, readonly string[]>;
  /** AGVs currently waiting for a node held by someone else. */
  waiting(): WaitInfo[];
  /** Periodic housekeeping: deadlock detection and resolution. Returns AGVs whose route changed. */
  tick(nowMs: number): string[];
  /**
   * The AGV's connection is gone. It keeps every node it holds (it may stand anywhere on them), is neither planned
   * nor sent anywhere, and others plan around it.
   */
  agvOffline(agvId: string): void;
  /**
   * The AGV is connected again. Planning resumes once it reports where it stands (place or reportProgress): until
   * then it stays an obstacle on its held nodes.
   */
  agvOnline(agvId: string): void;
  /** Starts telling the observer about events and planning steps; returns a function that stops it. */
  observe(observer: TrafficObserver): () => void;
  /**
   * Resources others must not be granted: planning routes around them. `holder` (an AGV id) may still use them.
   * Takes effect for every grant from now on and re-plans at once; a block with the id of one in force replaces it.
   * Nodes another AGV already holds when the block appears stay its own: it finishes leaving over them (it was sent
   * that path). A caller that wants it to stop instead stops it (pause/cancel); once it reports where it stopped,
   * nothing beyond that is held. Waits behind a block report `blockedBy` = `block:<id>`. Throws on unknown nodes or
   * edges (edge ids of the map, or `from->to`; a blocked edge is closed both ways), changing nothing.
   */
  blockResources(block: { id: string; nodes: readonly string[]; edges: readonly string[]; holder?: string }): void;
  unblockResources(id: string): void;
  blockedResources(): readonly { id: string; nodes: readonly string[]; edges: readonly string[]; holder?: string }[];
  /**
   * The AGV confirmed it stands still on `node`, one it holds: everything else it holds is released (e.g. it reports
   * its way ahead blocked). Returns false, changing nothing, when it does not hold that node.
   */
  standsAt?(agvId: string, node: string): boolean;
  /** Re-sizes an AGV's body (metres), for controllers that plan with footprints; others need not implement it. */
  setFootprint?(agvId: string, dimensions: { lengthM: number; widthM: number }): void;
}
