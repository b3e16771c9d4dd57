import type { Dimensions } from './footprint.ts';
import type { TrafficGate } from '../lifts/gate.ts';

export type { TrafficEvent, TrafficEventKind } from '../types.ts';

export interface CentralTrafficOptions {
  /** Nodes an AGV may hold beyond the one it stands on. More is smoother at speed, fewer leaves room to others. */
  lookaheadNodes?: number;
  /** Minimum time between planning rounds; requests in between reuse the last round (default 100 ms). */
  planIntervalMs?: number;
  /** An AGV holding nodes ahead that reports no progress for this long is treated as an obstacle (default 8 s). */
  stallAfterMs?: number;
  /** A wait-for cycle that persists this long is broken by sending one member aside or backing one off (default 0.5 s: cycles are looked for every round, and waiting longer only lets the queues behind them grow). */
  deadlockAfterMs?: number;
  /** Body size of an AGV when it is first placed (e.g. from its registration); unknown sizes get a default. */
  footprintOf?: (agvId: string) => Dimensions | undefined;
  /**
   * Don't block the box (default off): no AGV comes to rest on a junction of one-way lanes; it is granted the way
   * through to the first node beyond where it may stop, or waits before it. Measured on the large demo warehouse:
   * helps fleets of one small body size, hurts mixed fleets (a big body waiting next to a junction still covers
   * it, and the longer runs it has to be granted at once starve it): see docs/traffic.md.
   */
  keepJunctionsClear?: boolean;
  /** Seed for the planner's tie-breaking. */
  seed?: number;
  /**
   * Longest stretch (ms) a planning round may keep the event loop before it lets other work run (setImmediate) and
   * goes on; grants are still checked against the live reservation table one by one. Unset (the default, and what
   * the virtual-time simulations use): a round runs at once, so decisions depend on nothing but the inputs. The
   * platform sets it so that planning a large fleet does not hold up frames and commands (docs/architecture.md).
   */
  sliceMs?: number;
  /** Equipment and navigation rules every move must pass (lift cabins, doors, navigation areas): LiftRides. */
  gate?: TrafficGate;
}

export interface CentralTrafficStats {
  rounds: number;
  deadlocksDetected: number;
  deadlocksResolved: number;
  stalls: number;
  /** Total and worst wall time spent in planning rounds (ms, measured with performance.now; the sum of a round's slices). */
  planMsTotal: number;
  planMsMax: number;
  /** Longest single stretch of planning without a break for the event loop (ms). */
  sliceMsMax: number;
}
