import type { Graph } from '../../graph.ts';

// The lifelong engine plans on a graph's vertices (cells of a grid, nodes of a roadmap) one step at a time.
// What an agent can physically do in one step differs by robot: a LoRR robot must turn before it can drive
// into a side cell, a roadmap AGV in the RCS simply drives along an edge. A MotionModel captures that
// difference so the same engine serves both.

/** What the engine hands a motion model after the vertex-level step is planned. */
export interface StepProposal {
  readonly graph: Graph;
  /** Vertex of each agent now. */
  readonly current: Int32Array;
  /** Vertex each agent was allotted for the end of the step (its current one when it should stay). */
  readonly proposed: Int32Array;
  /** Agent standing on each vertex now, or -1. */
  readonly occupant: Int32Array;
  /** Moves from v to agent i's goal (a heuristic estimate when no exact table was affordable this step). */
  distance(agent: number, v: number): number;
}

export interface MotionModel<A> {
  /**
   * Called once per step before planning, with each agent's goal vertex and the planning order, so the model
   * can prepare per-goal data (e.g. exact tables) for the most urgent agents until `deadline` (clock ms).
   */
  prepare?(goals: Int32Array, order: Int32Array, deadline: number, now: () => number): void;
  /** True when the model ranks this agent's candidates with its own exact data (no graph distance needed). */
  hasExact?(agent: number): boolean;
  /**
   * Ranking key (lower is better), in steps to the goal, of agent i choosing `to` as its next vertex when it is
   * at `from` (`to === from` for staying). `distance(v)` is the plain graph distance from v to its goal.
   */
  rank(agent: number, from: number, to: number, distance: (v: number) => number): number;
  /**
   * Turns the proposal into each agent's action for this step, and writes into `reached` the vertex each agent
   * really occupies after it. The result must be collision-free whenever the proposal is (PIBT guarantees
   * distinct vertices and no swaps); agents whose proposal the robot cannot execute in one step stay put.
   */
  realise(proposal: StepProposal, reached: Int32Array): A[];
  /**
   * Optional: the model plans the whole step itself (e.g. multi-step operations for robots that turn), in place
   * of the engine's vertex-level PIBT and `realise`. Must return a legal joint action and fill `reached`, or
   * null to leave this step to the engine's PIBT.
   */
  planStep?(input: OwnStepInput, reached: Int32Array): A[] | null;
}

/** What the engine hands a model that plans the step itself. */
export interface OwnStepInput {
  readonly graph: Graph;
  readonly current: Int32Array;
  /** Goal vertex of each agent (its current vertex when it has none). */
  readonly goal: Int32Array;
  /** Agents in planning order, highest priority first. */
  readonly order: Int32Array;
  /** Graph distance (edge costs included) from v to agent i's goal, or an estimate as in StepProposal. */
  distance(agent: number, v: number): number;
  /** Stable pseudo-random tie-break in [0, 1e-3) for agent choosing vertex v. */
  tieBreak(agent: number, v: number): number;
  /** Clock time (ms) by which the model should wrap up its search, and the clock. */
  readonly deadline: number;
  /** Clock time (ms) after which no optional extra search should start. */
  readonly trialDeadline: number;
  now(): number;
}

/**
 * A robot that can drive any out-edge of its vertex in one step (or wait): the RCS roadmap model. The action is
 * the vertex to be at after the step.
 */
export class GraphMotionModel implements MotionModel<number> {
  rank(_agent: number, _from: number, to: number, distance: (v: number) => number): number {
    return distance(to);
  }

  realise(proposal: StepProposal, reached: Int32Array): number[] {
    reached.set(proposal.proposed);
    return Array.from(proposal.proposed);
  }
}
