import type { MotionModel, StepProposal } from '../../../planner/lifelong/index.ts';

// Adapter between the RCS and the lifelong planner: a roadmap AGV drives one edge per planning step (as in the
// planner's GraphMotionModel), plus what only the RCS knows each round: which AGVs may not be pushed (offline,
// stalled, busy at their goal, or already holding as far ahead as allowed), which nodes are walls because such an
// AGV holds them or its footprint covers them, and obstacle-aware distances so the others route around them.

export interface RoundContext {
  /** 1 = the agent stays this step whatever happens (others plan around it). */
  pinned: Uint8Array;
  /** Whether agent may plan to enter v at all this round (footprints and pinned AGVs' holdings). */
  mayEnter(agent: number, v: number): boolean;
  /** Obstacle-aware moves-to-target table of the agent, or undefined to use the planner's own. */
  detour(agent: number): Float64Array | undefined;
}

export class RoadmapPlanningModel implements MotionModel<number> {
  context: RoundContext | undefined;

  rank(agent: number, from: number, to: number, distance: (v: number) => number): number {
    const context = this.context!;
    if (context.pinned[agent]) return to === from ? 0 : Number.POSITIVE_INFINITY;
    if (to !== from && !context.mayEnter(agent, to)) return Number.POSITIVE_INFINITY;
    const detour = context.detour(agent);
    // A target cut off by obstacles: queue up on the ordinary route rather than freeze.
    if (detour && Number.isFinite(detour[from]!)) return detour[to]!;
    return distance(to);
  }

  realise(proposal: StepProposal, reached: Int32Array): number[] {
    reached.set(proposal.proposed);
    return Array.from(proposal.proposed);
  }
}
