import type { Graph } from '../../graph.ts';
import { GoalDistances, UNREACHABLE, type EdgeCost } from './goal-distances.ts';
import type { MotionModel, StepProposal } from './motion-model.ts';
import { Pibt } from '../../pibt.ts';
import { seededRandom } from '../../../core/random.ts';

// The lifelong planner: every step, each agent gets its next action towards its current goal. Windowed PIBT
// with window 1 (plan one step, execute, replan), so new goals, stalled robots and changed positions cost
// nothing extra. Agents waiting longest since they got their goal plan first, so no agent starves.

/** Anything with a millisecond clock; pass a high-resolution one (performance) in benchmarks. */
export interface TimeSource {
  now(): number;
}

export interface LifelongOptions {
  /** Time source for the per-step budget (default Date.now). A ManualClock makes runs fully deterministic. */
  clock?: TimeSource;
  /** Seed for tie-breaking (default 1). */
  seed?: number;
  /** Most distance tables kept (default: 1.5 × agents, at least 256). */
  maxDistanceTables?: number;
  /** Fraction of the step budget that may go to building distance tables (default 0.4); PIBT gets the rest. */
  tableBudgetShare?: number;
  /**
   * Guidance: cost of each edge for the distance tables (small integers, default all 1). E.g. `laneGuidance`
   * makes driving against a lane's direction dearer, so traffic settles into one-way flows.
   */
  edgeCost?: EdgeCost;
  /** Rank penalty for a candidate vertex another agent stands on now; steers around queues (default 0.3). */
  occupiedPenalty?: number;
  /**
   * Share of the step budget (from the start of the step) after which a model that plans the step itself
   * (MotionModel.planStep) must cut its search short (default 0.5; the rest is headroom for a loaded machine).
   */
  searchBudgetShare?: number;
  /**
   * An agent that has stood on the same vertex for this many steps (and every as many steps more) draws a new
   * random priority bonus, kept until it reaches its goal (default 0 = off). Breaks standoffs that fixed
   * priorities keep forever: e.g. a robot in a dead end that can only leave once the higher-priority robot in
   * front of it backs off. The bonus must last, or the two swap priorities back as soon as they move.
   */
  unstickAfter?: number;
}

export interface LifelongStepStats {
  /** Agents that planned this step without an exact distance table (straight-line estimate instead). */
  estimatedAgents: number;
  tablesBuilt: number;
  planMs: number;
}

export interface LifelongStep<A> {
  actions: A[];
  /** Vertex each agent occupies after executing the actions. */
  reached: Int32Array;
  stats: LifelongStepStats;
}

/** The planner's evolving per-agent state, for look-ahead that must be undone. */
export interface PlannerSnapshot {
  readonly elapsed: Float64Array;
  readonly lastGoal: Int32Array;
  readonly stepCount: number;
}

const NO_GOAL = -1;
const TIE_PERIOD = 50;
/** Largest priority bonus of an agent that stood still too long (see unstickAfter); above typical elapsed times. */
const STUCK_BONUS = 1000;

/**
 * A tiny pseudo-random rank offset per (agent, vertex) that stays fixed for TIE_PERIOD steps: agents keep
 * consistent preferences between equal candidates (so a turning robot does not dither), yet symmetric
 * standoffs still change shape over time.
 */
function tieBreak(agent: number, vertex: number, step: number, variant: number): number {
  let h =
    Math.imul(agent + 1, 0x9e3779b1) ^
    Math.imul(vertex + 1, 0x85ebca77) ^
    Math.imul(Math.floor(step / TIE_PERIOD) + 1, 0xc2b2ae3d) ^
    Math.imul(variant, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return ((h >>> 0) / 4294967296) * 1e-3;
}

export class LifelongPlanner<A> {
  private readonly clock: TimeSource;
  private readonly random: () => number;
  private readonly tables: GoalDistances;
  private readonly pibt: Pibt;
  private readonly tableBudgetShare: number;
  private readonly occupiedPenalty: number;
  private readonly searchBudgetShare: number;
  /** See LifelongOptions.unstickAfter; may be changed between steps. */
  unstickAfter: number;
  private still = new Int32Array(0);
  private lastVertex = new Int32Array(0);
  private bonus = new Float64Array(0);
  private agents = 0;
  private stepCount = 0;
  private elapsed = new Float64Array(0);
  private tieBreak = new Float64Array(0);
  private lastGoal = new Int32Array(0);
  private goalTable: Array<Uint16Array | undefined> = [];
  private goalOf = new Int32Array(0);
  private readonly occupant: Int32Array;
  private readonly autoSizeTables: boolean;

  constructor(
    readonly graph: Graph,
    private readonly model: MotionModel<A>,
    options: LifelongOptions = {},
  ) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.random = seededRandom(options.seed ?? 1);
    this.tableBudgetShare = options.tableBudgetShare ?? 0.4;
    this.occupiedPenalty = options.occupiedPenalty ?? 0.3;
    this.searchBudgetShare = options.searchBudgetShare ?? 0.5;
    this.unstickAfter = options.unstickAfter ?? 0;
    this.tables = new GoalDistances(graph, options.maxDistanceTables ?? 256, options.edgeCost);
    this.occupant = new Int32Array(graph.vertexCount).fill(-1);
    this.pibt = new Pibt(graph);
    this.autoSizeTables = options.maxDistanceTables === undefined;
  }

  /**
   * Plans one step. `current[i]` is agent i's vertex, `goals[i]` its goal vertex or -1 for none (it then stays
   * put unless it must make way). `budgetMs` bounds the time spent; the result is always complete and legal.
   * `variant` (0 = default) reshuffles tie-breaking, for comparing alternative steps. Bad input throws a
   * RangeError before any state changes.
   */
  step(current: Int32Array, goals: Int32Array, budgetMs = Number.POSITIVE_INFINITY, variant = 0): LifelongStep<A> {
    const started = this.clock.now();
    const n = current.length;
    if (goals.length !== n) throw new RangeError(`got ${n} positions but ${goals.length} goals`);
    this.resize(n);
    const occupant = this.occupant;
    for (let i = 0; i < n; i++) {
      const v = current[i]!;
      const goal = goals[i]!;
      const bad = !this.graph.isVertex(v)
        ? `agent ${i} is at ${v}, not a vertex`
        : goal !== NO_GOAL && !this.graph.isVertex(goal)
          ? `agent ${i} has goal ${goal}, not a vertex`
          : occupant[v] !== -1
            ? `agents ${occupant[v]} and ${i} are both at vertex ${v}`
            : null;
      if (bad) {
        this.clearOccupancy(current, i);
        throw new RangeError(bad);
      }
      occupant[v] = i;
    }
    this.stepCount++;
    try {
      return this.plan(current, goals, started, budgetMs, variant);
    } finally {
      this.clearOccupancy(current, n);
    }
  }

  private plan(current: Int32Array, goals: Int32Array, started: number, budgetMs: number, variant: number): LifelongStep<A> {
    const n = current.length;
    for (let i = 0; i < n; i++) {
      const goal = goals[i]! === NO_GOAL ? current[i]! : goals[i]!;
      // Priority grows while an agent is on its way and drops back once it is there, so agents that still
      // have somewhere to be can push settled ones aside.
      if (goal !== this.lastGoal[i] || goal === current[i]) {
        this.lastGoal[i] = goal;
        this.elapsed[i] = 0;
      } else {
        this.elapsed[i]!++;
      }
      this.goalOf[i] = goal;
      this.still[i] = current[i] === this.lastVertex[i] ? this.still[i]! + 1 : 0;
      this.lastVertex[i] = current[i]!;
      if (this.elapsed[i] === 0) this.bonus[i] = 0;
      else if (this.unstickAfter > 0 && this.still[i]! > 0 && this.still[i]! % this.unstickAfter === 0) this.bonus[i] = this.random() * STUCK_BONUS;
    }
    const order = Int32Array.from({ length: n }, (_, i) => i);
    // A non-zero variant reshuffles ties in the planning order too, so variants explore different joint steps.
    const priority = Float64Array.from(
      { length: n },
      (_, i) => (goals[i] === NO_GOAL ? -1 : this.elapsed[i]!) + (variant === 0 ? this.tieBreak[i]! : tieBreak(i, 0, 0, variant) * 1e3),
    );
    if (this.unstickAfter > 0) for (let i = 0; i < n; i++) priority[i]! += this.bonus[i]!;
    order.sort((a, b) => priority[b]! - priority[a]!);

    // Per-goal tables, most urgent agents first, while the table budget lasts: the model's own (if any) first,
    // then plain graph distances for the agents the model has no exact data for.
    const tableDeadline = started + budgetMs * this.tableBudgetShare;
    const now = (): number => this.clock.now();
    this.model.prepare?.(this.goalOf, order, tableDeadline, now);
    let tablesBuilt = 0;
    let estimated = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const goal = this.goalOf[i]!;
      let table = this.tables.table(goal);
      if (!table && !this.model.hasExact?.(i) && now() < tableDeadline) {
        table = this.tables.build(goal);
        tablesBuilt++;
      }
      if (!table && !this.model.hasExact?.(i)) estimated++;
      this.goalTable[i] = table;
    }

    const distance = (agent: number, v: number): number => {
      const table = this.goalTable[agent];
      if (!table) return this.tables.estimate(this.goalOf[agent]!, v);
      const d = table[v]!;
      return d === UNREACHABLE ? Number.POSITIVE_INFINITY : d;
    };
    let ranked = -1;
    const distanceOfRanked = (v: number): number => distance(ranked, v);
    const occupant = this.occupant;
    const penalty = this.occupiedPenalty;
    const model = this.model;
    const reached = new Int32Array(n);
    if (model.planStep) {
      const actions = model.planStep(
        {
          graph: this.graph,
          current,
          goal: this.goalOf,
          order,
          distance,
          tieBreak: (agent, v) => tieBreak(agent, v, this.stepCount, variant),
          deadline: started + budgetMs * this.searchBudgetShare,
          trialDeadline: started + budgetMs * this.searchBudgetShare * 0.5,
          now,
        },
        reached,
      );
      if (actions) return { actions, reached, stats: { estimatedAgents: estimated, tablesBuilt, planMs: this.clock.now() - started } };
    }
    const next = this.pibt.step({
      current,
      order,
      rank: (agent, from, to) => {
        ranked = agent;
        // Pseudo-random tie-breaking between equally good candidates, as in PIBT, breaks symmetric livelocks.
        return (
          model.rank(agent, from, to, distanceOfRanked) + (to !== from && occupant[to] !== -1 ? penalty : 0) + tieBreak(agent, to, this.stepCount, variant)
        );
      },
    });
    const proposal: StepProposal = { graph: this.graph, current, proposed: next, occupant, distance };
    const actions = model.realise(proposal, reached);
    return { actions, reached, stats: { estimatedAgents: estimated, tablesBuilt, planMs: this.clock.now() - started } };
  }

  /** Graph distance from v to goal: exact if the goal's table is cached, else the straight-line estimate. */
  distance(goal: number, v: number): number {
    const table = this.tables.table(goal);
    if (!table) return this.tables.estimate(goal, v);
    const d = table[v]!;
    return d === UNREACHABLE ? Number.POSITIVE_INFINITY : d;
  }

  /** Captures the planner's evolving state (priorities), so look-ahead rollouts can be undone. */
  snapshot(): PlannerSnapshot {
    return { elapsed: this.elapsed.slice(), lastGoal: this.lastGoal.slice(), stepCount: this.stepCount };
  }

  restore(snapshot: PlannerSnapshot): void {
    this.elapsed.set(snapshot.elapsed);
    this.lastGoal.set(snapshot.lastGoal);
    this.stepCount = snapshot.stepCount;
  }

  private resize(n: number): void {
    if (n === this.agents) return;
    this.agents = n;
    this.elapsed = new Float64Array(n);
    this.tieBreak = Float64Array.from({ length: n }, () => this.random());
    this.lastGoal = new Int32Array(n).fill(-2);
    this.still = new Int32Array(n);
    this.lastVertex = new Int32Array(n).fill(-1);
    this.bonus = new Float64Array(n);
    this.goalOf = new Int32Array(n);
    this.goalTable = new Array(n);
    if (this.autoSizeTables) this.tables.resize(Math.max(256, Math.ceil(n * 1.5)));
  }

  private clearOccupancy(current: Int32Array, upTo: number): void {
    for (let i = 0; i < upTo; i++) this.occupant[current[i]!] = -1;
  }

  /** Distance tables currently cached (memory is about 2 bytes × vertices each). */
  get cachedTables(): number {
    return this.tables.size;
  }
}
