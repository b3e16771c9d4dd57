import type { GridGraph } from '../../grid.ts';
import { HeadingDistances, HEADING_UNREACHABLE } from './heading-distances.ts';
import type { MotionModel, OwnStepInput, StepProposal } from './motion-model.ts';
import { OperationPibt } from './operation-pibt.ts';

// The LoRR 2023 "MAPF_T" robot: it faces one of four directions (0 E, 1 S, 2 W, 3 N) and per step either
// drives one cell forward (F), turns 90° clockwise (R) or counter-clockwise (C), or waits (W). The engine
// proposes next cells; an agent facing its proposed cell drives, otherwise it turns towards it and stays. An
// agent only drives into an occupied cell if that cell's occupant drives on in the same step (following), so
// the executed step is legal even though turning agents do not vacate the cells PIBT expected them to.

export type RotationAction = 'F' | 'R' | 'C' | 'W';

export interface RotationModelOptions {
  /** Rank cost of each quarter turn needed to face a candidate cell when no exact table is at hand (default 1). */
  turnCost?: number;
  /**
   * Memory for exact (cell, heading) distance tables, 8 bytes per cell each (default 1.5 GB). They are used only
   * when every agent's goal fits; otherwise ranking falls back to graph distance plus turn cost.
   */
  headingTableBytes?: number;
  /**
   * Actions per operation when planning with operation PIBT (see operation-pibt.ts; default 3). 0 = plan next
   * cells with the engine's PIBT and turn towards them (the earlier one-step scheme).
   */
  operationLength?: number;
  /** Deepest chain of displacements in operation PIBT (default 30). */
  operationMaxDepth?: number;
  /** Operations examined per top-level agent in operation PIBT (default 20,000, fewer after a deadline). */
  operationChecks?: number;
  /**
   * Attempts per step of operation PIBT with slightly shuffled planning orders, started within the first quarter
   * of the step budget; the lowest total cost wins (default 1; bench:lifelong uses 32 on sparse floors: +2% to
   * +5% tasks on MR23-I-03 over three seeds, +4% on I-04, but -7% on I-05).
   */
  operationTrials?: number;
  /**
   * Operation PIBT is used while agents fill at most this share of the free cells (default 0.85). Denser than
   * that (MR23-I-08: 800 agents on 819 cells) its displacement chains fail and the floor freezes, while the
   * one-step scheme keeps sliding agents along.
   */
  operationMaxDensity?: number;
}

const UNKNOWN = 0;
const VISITING = 1;
const MOVES = 2;
const BLOCKED = 3;

export class RotationMotionModel implements MotionModel<RotationAction> {
  /** Forward moves cancelled so far because the agent ahead did not drive on (diagnostics). */
  blockedForward = 0;
  /** Orientation of each agent; the caller keeps it current before every step. */
  orientation = new Uint8Array(0);
  private readonly turnCost: number;

  private status = new Uint8Array(0);
  private chain: number[] = [];
  private readonly headings: HeadingDistances;
  private readonly headingCapacity: number;
  private useHeadings = false;
  /** Exact heading table of each agent's goal this step, if built. */
  private agentTable: Array<Uint16Array | undefined> = [];
  private readonly operations: OperationPibt | null;
  private readonly operationMaxDensity: number;

  constructor(
    readonly grid: GridGraph,
    options: RotationModelOptions = {},
  ) {
    this.turnCost = options.turnCost ?? 1;
    const bytesPerTable = grid.graph.vertexCount * 8;
    this.headingCapacity = Math.floor((options.headingTableBytes ?? 1.5e9) / Math.max(bytesPerTable, 1));
    this.headings = new HeadingDistances(grid, Math.max(1, this.headingCapacity));
    const length = options.operationLength ?? 3;
    this.operations = length > 0 ? new OperationPibt(grid, { length, maxDepth: options.operationMaxDepth, maxChecksPerAgent: options.operationChecks, trials: options.operationTrials }) : null;
    if (!this.operations) this.planStep = undefined;
    this.operationMaxDensity = options.operationMaxDensity ?? 0.85;
  }

  /** True when a step with this many agents is planned with operation PIBT (on, and not too dense). */
  usesOperations(agents: number): boolean {
    return this.operations !== null && agents <= this.operationMaxDensity * this.grid.graph.vertexCount;
  }

  /** Plans the step as operations (action sequences) per agent; see operation-pibt.ts. */
  planStep?: (input: OwnStepInput, reached: Int32Array) => RotationAction[] | null = (input, reached) => {
    if (!this.usesOperations(input.current.length)) return null;
    const around = this.grid.directionNeighbor;
    const turnCost = this.turnCost;
    return this.operations!.run(
      {
        current: input.current,
        heading: this.orientation,
        goal: input.goal,
        order: input.order,
        tieBreak: input.tieBreak,
        deadline: input.deadline,
        trialDeadline: input.trialDeadline,
        now: input.now,
        stateDistance: (agent, v, h) => {
          const exact = this.exact(agent, v, h);
          if (exact !== undefined) return exact;
          // Without an exact table: drive via the neighbour that is cheapest counting the turns to face it.
          const here = input.distance(agent, v);
          if (here === 0) return 0;
          let best = Number.POSITIVE_INFINITY;
          for (let d = 0; d < 4; d++) {
            const u = around[v * 4 + d]!;
            if (u < 0) continue;
            const value = quarterTurns(h, d) * turnCost + 1 + input.distance(agent, u);
            if (value < best) best = value;
          }
          return best;
        },
      },
      reached,
    );
  };

  prepare(goals: Int32Array, order: Int32Array, deadline: number, now: () => number): void {
    const n = goals.length;
    // Tables are touched by every agent each step; if they cannot all stay cached the LRU would thrash.
    this.useHeadings = this.headingCapacity >= Math.ceil(n * 1.25);
    if (this.agentTable.length !== n) this.agentTable = new Array(n);
    if (!this.useHeadings) {
      this.agentTable.fill(undefined);
      return;
    }
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      let table = this.headings.table(goals[i]!);
      if (!table && now() < deadline) table = this.headings.build(goals[i]!);
      this.agentTable[i] = table;
    }
  }

  hasExact(agent: number): boolean {
    return this.agentTable[agent] !== undefined;
  }

  /** Exact steps to the goal from (v, heading), if this agent has a table; else undefined. */
  private exact(agent: number, v: number, heading: number): number | undefined {
    const table = this.agentTable[agent];
    if (!table) return undefined;
    const d = table[v * 4 + heading]!;
    return d === HEADING_UNREACHABLE ? Number.POSITIVE_INFINITY : d;
  }

  /** Direction (0..3) from vertex v to its neighbour u, or -1 if they are not adjacent. */
  direction(v: number, u: number): number {
    const base = v * 4;
    const around = this.grid.directionNeighbor;
    for (let d = 0; d < 4; d++) if (around[base + d] === u) return d;
    return -1;
  }

  rank(agent: number, from: number, to: number, distance: (v: number) => number): number {
    const facing = this.orientation[agent]!;
    const table = this.agentTable[agent];
    if (to === from) {
      // Staying costs this step; the model turns towards the best heading meanwhile.
      if (table) return 1 + this.exact(agent, from, this.bestHeading(agent, from, facing))!;
      return 1 + distance(from);
    }
    const d = this.direction(from, to);
    const turns = quarterTurns(facing, d);
    if (table) return turns + 1 + this.exact(agent, to, d)!;
    return turns * this.turnCost + 1 + distance(to);
  }

  /** Among the current heading and one quarter turn either way, the one closest to the goal (exact table). */
  private bestHeading(agent: number, v: number, facing: number): number {
    let best = facing;
    let bestValue = this.exact(agent, v, facing)!;
    for (const h of [(facing + 1) & 3, (facing + 3) & 3]) {
      const value = this.exact(agent, v, h)!;
      if (value < bestValue) {
        best = h;
        bestValue = value;
      }
    }
    return best;
  }

  realise(proposal: StepProposal, reached: Int32Array): RotationAction[] {
    const { current, proposed, occupant } = proposal;
    const n = current.length;
    const actions: RotationAction[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = current[i]!;
      const u = proposed[i]!;
      const facing = this.orientation[i]!;
      if (u === v) {
        actions[i] = this.turnTowards(facing, this.bestDirection(proposal, i, v));
      } else {
        const d = this.direction(v, u);
        actions[i] = d === facing ? 'F' : this.turnTowards(facing, d);
      }
    }
    // A forward move succeeds only if its target is empty or its occupant drives on (a chain or a cycle).
    if (this.status.length < n) this.status = new Uint8Array(n);
    const status = this.status;
    status.fill(UNKNOWN, 0, n);
    const chain = this.chain;
    for (let i = 0; i < n; i++) {
      if (actions[i] !== 'F' || status[i] !== UNKNOWN) continue;
      chain.length = 0;
      let j = i;
      let verdict = MOVES;
      for (;;) {
        if (status[j] === VISITING) break; // a cycle of forward moves: all of it moves
        if (status[j] === MOVES || status[j] === BLOCKED) {
          verdict = status[j]!;
          break;
        }
        status[j] = VISITING;
        chain.push(j);
        const ahead = occupant[proposed[j]!]!;
        if (ahead === -1) break;
        if (actions[ahead] !== 'F') {
          verdict = BLOCKED;
          break;
        }
        j = ahead;
      }
      for (const k of chain) status[k] = verdict;
    }
    for (let i = 0; i < n; i++) {
      if (actions[i] === 'F' && status[i] === BLOCKED) {
        actions[i] = 'W';
        this.blockedForward++;
      }
      reached[i] = actions[i] === 'F' ? proposed[i]! : current[i]!;
    }
    return actions;
  }

  /** When staying anyway, turn to face the most promising neighbour so the next step can drive at once. */
  private bestDirection(proposal: StepProposal, agent: number, v: number): number {
    if (this.agentTable[agent]) return this.bestHeading(agent, v, this.orientation[agent]!);
    let best = -1;
    let bestDistance = proposal.distance(agent, v);
    const around = this.grid.directionNeighbor;
    const facing = this.orientation[agent]!;
    for (let k = 0; k < 4; k++) {
      // Look at the facing direction first so ties keep the current heading.
      const d = (facing + k) % 4;
      const u = around[v * 4 + d]!;
      if (u < 0) continue;
      const du = proposal.distance(agent, u);
      if (du < bestDistance) {
        bestDistance = du;
        best = d;
      }
    }
    return best < 0 ? facing : best;
  }

  private turnTowards(facing: number, d: number): RotationAction {
    if (d === facing || d < 0) return 'W';
    return d === (facing + 3) % 4 ? 'C' : 'R';
  }
}

function quarterTurns(from: number, to: number): number {
  if (to < 0) return 0;
  const diff = (to - from + 4) % 4;
  return diff === 3 ? 1 : diff;
}
