import { GridGraph } from '../../grid.ts';
import { LifelongPlanner, type LifelongOptions, type LifelongStepStats, type PlannerSnapshot, type TimeSource } from '../lifelong/engine.ts';
import { laneGuidance } from '../lifelong/guidance.ts';
import { RotationMotionModel, type RotationModelOptions } from '../lifelong/rotation-model.ts';
import type { AgentState, LorrAction } from './action-model.ts';
import type { LorrMap } from './formats.ts';

// The lifelong planner wired to LoRR 2023 problems: locations are LoRR cell indices, actions F/R/C/W.
// Optionally it spends spare budget on look-ahead: it plans several variants of the step (different
// tie-breaking), plays each forward a few steps with the default policy, and keeps the variant whose future
// finishes most tasks and makes most progress.

export interface LorrPlannerOptions extends LifelongOptions, RotationModelOptions {
  /** Variants of each step to compare by look-ahead (default 1: no look-ahead). */
  lookaheadVariants?: number;
  /** Steps each variant is played forward, including the first (default 8). */
  lookaheadSteps?: number;
  /** Look-ahead stops starting new variants after this share of the step budget (default 0.6). */
  lookaheadBudgetShare?: number;
  /** Cost of driving against a lane (see laneGuidance); 0 or undefined = no lanes. */
  laneWrongWayCost?: number;
}

interface Candidate {
  actions: LorrAction[];
  after: PlannerSnapshot;
  score: number;
  stats: LifelongStepStats;
}

const TASK_VALUE = 1000;
const UNSTICK_AFTER = 40;

export class LorrPlanner {
  readonly grid: GridGraph;
  readonly model: RotationMotionModel;
  private readonly engine: LifelongPlanner<LorrAction>;
  private readonly clock: TimeSource;
  private readonly variants: number;
  private readonly lookaheadSteps: number;
  private readonly lookaheadShare: number;
  private readonly unstickAfter: number;
  lastStats: LifelongStepStats | null = null;
  /** Variants compared in the last call (1 when look-ahead is off or the budget allowed no more). */
  lastVariants = 1;

  constructor(map: LorrMap, options: LorrPlannerOptions = {}) {
    const passable = map.obstacle.map((blocked) => (blocked ? 0 : 1));
    this.grid = new GridGraph({ width: map.width, height: map.height, passable, terrain: new Uint8Array(passable.length) });
    // Lanes guide through the graph distance tables, so the exact heading tables (which ignore lanes) are off.
    this.model = new RotationMotionModel(this.grid, options.laneWrongWayCost ? { ...options, headingTableBytes: 0 } : options);
    const edgeCost = options.laneWrongWayCost ? laneGuidance(this.grid, options.laneWrongWayCost) : options.edgeCost;
    this.engine = new LifelongPlanner(this.grid.graph, this.model, { ...options, edgeCost });
    this.unstickAfter = options.unstickAfter ?? UNSTICK_AFTER;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.variants = Math.max(1, Math.floor(options.lookaheadVariants ?? 1));
    this.lookaheadSteps = Math.max(1, Math.floor(options.lookaheadSteps ?? 8));
    this.lookaheadShare = options.lookaheadBudgetShare ?? 0.6;
  }

  /** Next action of every agent. `goals[i]` is agent i's current task location (-1 for none). */
  plan(states: readonly AgentState[], goals: Int32Array, budgetMs = Number.POSITIVE_INFINITY): LorrAction[] {
    const started = this.clock.now();
    const n = states.length;
    const current = new Int32Array(n);
    const goalVertices = new Int32Array(n);
    const orientation = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      current[i] = this.vertexOf(states[i]!.location, `agent ${i} location`);
      goalVertices[i] = goals[i]! < 0 ? -1 : this.vertexOf(goals[i]!, `agent ${i} goal`);
      orientation[i] = states[i]!.orientation;
    }
    this.model.orientation = orientation.slice();
    // Operation PIBT keeps fixed-priority standoffs forever (a robot in a dead end behind a higher-priority one);
    // re-drawing the priority of robots that stand still breaks them (MR23-I-03: no more frozen jams). The
    // one-step scheme does better without it (MR23-I-08: -20%), so it is on only with operations.
    this.engine.unstickAfter = this.model.usesOperations(n) ? this.unstickAfter : 0;
    if (this.variants === 1) {
      const step = this.engine.step(current, goalVertices, budgetMs);
      this.lastStats = step.stats;
      this.lastVariants = 1;
      return step.actions;
    }
    const before = this.engine.snapshot();
    const deadline = started + budgetMs * this.lookaheadShare;
    let best: Candidate | null = null;
    let tried = 0;
    for (let k = 0; k < this.variants; k++) {
      if (k > 0 && this.clock.now() > deadline) break;
      this.engine.restore(before);
      this.model.orientation = orientation.slice();
      const remaining = budgetMs - (this.clock.now() - started);
      const candidate = this.tryVariant(current, goalVertices, orientation, remaining, k, deadline);
      tried++;
      if (!best || candidate.score > best.score) best = candidate;
      if (candidate.score === Number.NEGATIVE_INFINITY) break;
    }
    this.engine.restore(best!.after);
    this.lastStats = best!.stats;
    this.lastVariants = tried;
    return best!.actions;
  }

  private tryVariant(
    current: Int32Array,
    goals: Int32Array,
    orientation: Uint8Array,
    budgetMs: number,
    variant: number,
    deadline: number,
  ): Candidate {
    const stepStarted = this.clock.now();
    const first = this.engine.step(current, goals, budgetMs, variant);
    const after = this.engine.snapshot();
    // Too big to look ahead within the budget (e.g. 10,000 agents): take the plain step.
    const stepMs = this.clock.now() - stepStarted;
    if (stepStarted + stepMs * (this.lookaheadSteps + 1) > deadline) {
      return { actions: first.actions, after, score: Number.NEGATIVE_INFINITY, stats: first.stats };
    }
    const n = current.length;
    const goalsLeft = goals.slice();
    const heading = orientation.slice();
    let position = first.reached;
    let actions = first.actions;
    let score = 0;
    for (let s = 0; ; s++) {
      for (let i = 0; i < n; i++) {
        heading[i] = turned(heading[i]!, actions[i]!);
        if (goalsLeft[i]! >= 0 && position[i] === goalsLeft[i]) {
          // Earlier is better; the next task is not revealed, so the agent just stays available.
          score += TASK_VALUE - s;
          goalsLeft[i] = -1;
        }
      }
      if (s + 1 >= this.lookaheadSteps) break;
      this.model.orientation = heading.slice();
      const step = this.engine.step(position, goalsLeft, Number.POSITIVE_INFINITY, 0);
      position = step.reached;
      actions = step.actions;
    }
    for (let i = 0; i < n; i++) {
      if (goalsLeft[i]! >= 0) score += this.engine.distance(goals[i]!, current[i]!) - this.engine.distance(goals[i]!, position[i]!);
    }
    return { actions: first.actions, after, score, stats: first.stats };
  }

  private vertexOf(location: number, what: string): number {
    const v = this.grid.vertexOfCell(location);
    if (v < 0) throw new RangeError(`${what} ${location} is not a free cell of the map`);
    return v;
  }
}

function turned(heading: number, action: LorrAction): number {
  if (action === 'R') return (heading + 1) & 3;
  if (action === 'C') return (heading + 3) & 3;
  return heading;
}
