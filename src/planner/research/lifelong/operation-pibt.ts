import { seededRandom } from '../../../core/random.ts';
import type { GridGraph } from '../../grid.ts';

// PIBT over multi-step operations for robots that must turn before they drive (the LoRR "MAPF_T" robot), after
// EPIBT (Yukhnevich et al., "Enhancing PIBT via Multi-Action Operations", 2025, the approach of the LoRR 2024
// winners). Plain PIBT picks next *cells*; a robot pushed sideways must first turn, so it does not vacate the
// cell its pusher was promised and both wait. Here every agent picks a short action sequence (an operation,
// e.g. "R F F": turn, then drive twice) and reserves the cells it occupies over those steps. An agent whose
// operation runs into one not-yet-planned agent displaces it; the displaced agent must then find an operation
// that fits around everything reserved so far (priority inheritance), else the first agent tries its next
// operation. Only each operation's first action is executed; the next step plans afresh.
//
// Operations of already planned agents never collide, and an unplanned agent's "wait in place" path never
// collides with them either (anyone entering its cell would have had to displace it), so the first actions
// always form a legal joint action.

export type OperationAction = 'F' | 'R' | 'C' | 'W';
const ACTIONS: readonly OperationAction[] = ['F', 'R', 'C', 'W'];
/** Operations examined per agent once the step's deadline has passed. */
const LATE_CHECKS = 200;
/** A shuffled attempt moves each agent at most this many places in the planning order. */
const SHUFFLE_WINDOW = 8;
/** Share of the planning order (the most urgent agents, at least one) that shuffled attempts leave in place. */
const FIXED_SHARE = 0.1;

export interface OperationStepInput {
  /** Cell (vertex) of each agent now. */
  current: Int32Array;
  /** Heading of each agent now (0 E, 1 S, 2 W, 3 N). */
  heading: Uint8Array;
  /** Goal vertex of each agent (its current vertex when it has none). */
  goal: Int32Array;
  /** Agents in planning order (highest priority first). */
  order: Int32Array;
  /** Steps from (v, h) to agent's goal; +Infinity if unreachable. */
  stateDistance(agent: number, v: number, h: number): number;
  /** Tie-break in [0, 1e-3) for agent's operation ending on v (stable over a few steps). */
  tieBreak(agent: number, v: number): number;
  /** Clock time (ms) after which each agent's search is cut short, and the clock. */
  deadline: number;
  /** No further attempt starts after this clock time (default: deadline). */
  trialDeadline?: number;
  now(): number;
}

export interface OperationPibtOptions {
  /** Actions per operation (default 3). */
  length?: number;
  /** Deepest chain of displacements (default 30). */
  maxDepth?: number;
  /**
   * Operations examined per top-level agent before it settles for what is free (default 20,000). The search
   * backtracks, so it is exponential in the worst case; with depth 6 and 2,000 checks dense random instances
   * froze up, with 200 and 1,000,000 steps took seconds. After the deadline it drops to LATE_CHECKS.
   */
  maxChecksPerAgent?: number;
  /** Attempts per step with slightly shuffled planning orders, while time allows (default 1). */
  trials?: number;
  /** Seed for the shuffles (default 1). */
  seed?: number;
}

/** Enumerates action sequences, leaving out ones that are never better than a kept one with the same cells. */
function operationSequences(length: number): OperationAction[][] {
  let sequences: OperationAction[][] = [[]];
  for (let k = 0; k < length; k++) {
    const longer: OperationAction[][] = [];
    for (const s of sequences) {
      for (const a of ACTIONS) {
        const last = s[s.length - 1];
        // R then C (or C then R) undoes itself; C C equals R R; waiting before a turn equals turning first.
        if ((last === 'R' && a === 'C') || (last === 'C' && a === 'R') || (last === 'C' && a === 'C')) continue;
        if (last === 'W' && (a === 'R' || a === 'C')) continue;
        longer.push([...s, a]);
      }
    }
    sequences = longer;
  }
  return sequences;
}

export class OperationPibt {
  readonly length: number;
  private readonly maxDepth: number;
  private readonly maxChecks: number;
  private readonly sequences: OperationAction[][];
  /** occupant[t * V + v]: agent reserving v at time t (t = 0 is now), or -1. */
  private occupant = new Int32Array(0);
  /** path[a * (L + 1) + t]: agent a's reserved vertex at time t. */
  private path = new Int32Array(0);
  private planned = new Uint8Array(0);
  private inStack = new Uint8Array(0);
  private chosen: number[] = [];
  private chosenCost = new Float64Array(0);
  private readonly trials: number;
  private readonly random: () => number;
  /** Attempts made in the last step (diagnostics). */
  attempts = 0;
  private checks = 0;
  private checkLimit = 0;
  /** True if the last step ran past its deadline and searched less (diagnostics). */
  late = false;
  private input!: OperationStepInput;
  /** Per depth: candidate cells (L per operation), first action, and sort keys. */
  private scratchCells: Int32Array[] = [];
  private scratchFirst: Int32Array[] = [];
  private scratchKey: Float64Array[] = [];
  private scratchIndex: Int32Array[] = [];
  /** Agents displaced (and re-planned) so far this step (diagnostics). */
  displaced = 0;

  constructor(
    readonly grid: GridGraph,
    options: OperationPibtOptions = {},
  ) {
    this.length = Math.max(1, Math.floor(options.length ?? 3));
    this.maxDepth = options.maxDepth ?? 30;
    this.maxChecks = options.maxChecksPerAgent ?? 20_000;
    this.sequences = operationSequences(this.length);
    this.trials = Math.max(1, Math.floor(options.trials ?? 1));
    this.random = seededRandom(options.seed ?? 1);
  }

  /** Plans one step; returns each agent's first action and writes the vertex it reaches into `reached`. */
  run(input: OperationStepInput, reached: Int32Array): OperationAction[] {
    const n = input.current.length;
    const V = this.grid.graph.vertexCount;
    const L = this.length;
    if (this.occupant.length !== (L + 1) * V) this.occupant = new Int32Array((L + 1) * V);
    if (this.path.length !== n * (L + 1)) {
      this.path = new Int32Array(n * (L + 1));
      this.planned = new Uint8Array(n);
      this.inStack = new Uint8Array(n);
      this.chosen = new Array<number>(n);
      this.chosenCost = new Float64Array(n);
    }
    this.input = input;
    this.displaced = 0;
    this.late = false;
    // Spare time goes to more attempts with the planning order shuffled a little; the joint plan with the lowest
    // total cost (steps to go, summed over agents) wins.
    let bestCost = this.attempt(input.order);
    const actions: OperationAction[] = new Array(n);
    const keep = (): void => {
      for (let a = 0; a < n; a++) {
        actions[a] = this.chosen[a]! < 0 ? 'W' : this.sequences[this.chosen[a]!]![0]!;
        reached[a] = this.path[a * (L + 1) + 1]!;
      }
    };
    keep();
    this.attempts = 1;
    if (this.trials > 1) {
      const order = new Int32Array(n);
      const trialDeadline = input.trialDeadline ?? input.deadline;
      for (let k = 1; k < this.trials && input.now() < trialDeadline; k++) {
        order.set(input.order);
        // The most urgent agents keep their places: reshuffling them lets two agents trade priority back and
        // forth from step to step, a livelock (seen on a ring road with two robots meeting head-on).
        for (let i = Math.max(1, Math.floor(n * FIXED_SHARE)); i < n; i++) {
          const j = i + Math.floor(this.random() * Math.min(SHUFFLE_WINDOW, n - i));
          const x = order[i]!;
          order[i] = order[j]!;
          order[j] = x;
        }
        const cost = this.attempt(order);
        this.attempts++;
        if (cost < bestCost) {
          bestCost = cost;
          keep();
        }
      }
    }
    return actions;
  }

  /** Plans every agent in this order; returns the summed cost of the chosen operations. */
  private attempt(order: Int32Array): number {
    const input = this.input;
    const n = input.current.length;
    const L = this.length;
    this.occupant.fill(-1);
    this.planned.fill(0);
    this.inStack.fill(0);
    // Everyone starts out reserving their own cell for the whole window ("wait").
    for (let a = 0; a < n; a++) {
      this.chosen[a] = -1;
      for (let t = 0; t <= L; t++) this.path[a * (L + 1) + t] = input.current[a]!;
      this.insert(a);
    }
    for (let k = 0; k < n; k++) {
      const a = order[k]!;
      if (this.planned[a]) continue;
      this.checks = 0;
      this.checkLimit = this.maxChecks;
      if (input.now() > input.deadline) {
        this.checkLimit = LATE_CHECKS;
        this.late = true;
      }
      this.remove(a);
      if (!this.plan(a, 0)) {
        // Cannot happen (waiting is always free for an unplanned agent), but stay safe: wait.
        for (let t = 1; t <= L; t++) this.path[a * (L + 1) + t] = input.current[a]!;
        this.insert(a);
        this.planned[a] = 1;
        this.chosenCost[a] = L + input.stateDistance(a, input.current[a]!, input.heading[a]!);
      }
    }
    let total = 0;
    for (let a = 0; a < n; a++) total += this.chosenCost[a]!;
    return total;
  }

  private scratch(depth: number): void {
    const count = this.sequences.length;
    while (this.scratchCells.length <= depth) {
      this.scratchCells.push(new Int32Array(count * this.length));
      this.scratchFirst.push(new Int32Array(count));
      this.scratchKey.push(new Float64Array(count));
      this.scratchIndex.push(new Int32Array(count));
    }
  }

  /**
   * Fills the scratch arrays of this depth with agent's feasible operations, sorted best first; returns how
   * many. Cost: the step at which the goal is first reached, else L + steps to go from the final state; a small
   * share of the intermediate distances prefers progress made early.
   */
  private candidates(agent: number, depth: number): number {
    this.scratch(depth);
    const L = this.length;
    const cells = this.scratchCells[depth]!;
    const first = this.scratchFirst[depth]!;
    const key = this.scratchKey[depth]!;
    const index = this.scratchIndex[depth]!;
    const { current, heading, goal, stateDistance, tieBreak } = this.input;
    const around = this.grid.directionNeighbor;
    const target = goal[agent]!;
    let count = 0;
    for (let s = 0; s < this.sequences.length; s++) {
      const seq = this.sequences[s]!;
      let v = current[agent]!;
      let h = heading[agent]!;
      let reachedAt = -1;
      let progress = 0;
      let ok = true;
      for (let t = 0; t < L; t++) {
        const act = seq[t]!;
        if (act === 'F') {
          const u = around[v * 4 + h]!;
          if (u < 0) {
            ok = false;
            break;
          }
          v = u;
        } else if (act === 'R') h = (h + 1) & 3;
        else if (act === 'C') h = (h + 3) & 3;
        cells[count * L + t] = v;
        if (reachedAt < 0 && v === target) reachedAt = t + 1;
        progress += stateDistance(agent, v, h);
      }
      if (!ok) continue;
      const finalDistance = stateDistance(agent, v, h);
      if (finalDistance === Number.POSITIVE_INFINITY) continue;
      const cost = reachedAt > 0 ? reachedAt : L + finalDistance;
      key[count] = cost + progress * 1e-3 + tieBreak(agent, v);
      first[count] = s;
      index[count] = count;
      count++;
    }
    // Insertion sort of the indices by key (a few dozen entries).
    for (let i = 1; i < count; i++) {
      const x = index[i]!;
      let j = i;
      while (j > 0 && key[index[j - 1]!]! > key[x]!) {
        index[j] = index[j - 1]!;
        j--;
      }
      index[j] = x;
    }
    return count;
  }

  /** Agent (absent from the reservations) picks an operation; true when it and everyone it displaced fit. */
  private plan(agent: number, depth: number): boolean {
    const L = this.length;
    const V = this.grid.graph.vertexCount;
    const count = this.candidates(agent, depth);
    const cells = this.scratchCells[depth]!;
    const first = this.scratchFirst[depth]!;
    const index = this.scratchIndex[depth]!;
    const occupant = this.occupant;
    const base = agent * (L + 1);
    this.inStack[agent] = 1;
    for (let r = 0; r < count; r++) {
      if (++this.checks > this.checkLimit && depth > 0) break;
      // Read the clock now and then: one agent's search alone can take long in a dense jam.
      if ((this.checks & 1023) === 0 && this.checkLimit > LATE_CHECKS && this.input.now() > this.input.deadline) this.checkLimit = LATE_CHECKS;
      const c = index[r]!;
      // Who stands in the way: vertex conflicts at t = 1..L and swaps between t-1 and t.
      let blocker = -1;
      let blocked = false;
      let prev = this.input.current[agent]!;
      for (let t = 1; t <= L && !blocked; t++) {
        const v = cells[c * L + t - 1]!;
        const there = occupant[t * V + v]!;
        if (there !== -1) {
          if (blocker === -1) blocker = there;
          else if (blocker !== there) blocked = true;
        }
        if (v !== prev) {
          const before = occupant[(t - 1) * V + v]!;
          if (before !== -1 && occupant[t * V + prev] === before) {
            if (blocker === -1) blocker = before;
            else if (blocker !== before) blocked = true;
          }
        }
        prev = v;
      }
      if (blocked) continue;
      if (blocker !== -1 && (this.planned[blocker] || this.inStack[blocker] || depth >= this.maxDepth)) continue;
      for (let t = 1; t <= L; t++) this.path[base + t] = cells[c * L + t - 1]!;
      if (blocker !== -1) this.remove(blocker);
      this.insert(agent);
      this.chosen[agent] = first[c]!;
      this.chosenCost[agent] = this.scratchKey[depth]![c]!;
      if (blocker === -1) {
        this.planned[agent] = 1;
        this.inStack[agent] = 0;
        return true;
      }
      // Candidates of deeper levels reuse scratch arrays above this depth only.
      if (this.plan(blocker, depth + 1)) {
        this.displaced++;
        this.planned[agent] = 1;
        this.inStack[agent] = 0;
        return true;
      }
      // The displaced agent found no way out: it keeps waiting where it is, and this agent tries its next option.
      this.remove(agent);
      this.resetToWait(blocker);
      this.insert(blocker);
    }
    this.inStack[agent] = 0;
    this.chosen[agent] = -1;
    return false;
  }

  private resetToWait(agent: number): void {
    const L = this.length;
    const base = agent * (L + 1);
    for (let t = 1; t <= L; t++) this.path[base + t] = this.path[base]!;
    this.chosen[agent] = -1;
  }

  private insert(agent: number): void {
    const L = this.length;
    const V = this.grid.graph.vertexCount;
    const base = agent * (L + 1);
    for (let t = 0; t <= L; t++) this.occupant[t * V + this.path[base + t]!] = agent;
  }

  /** Removes agent's reservations for t >= 1 (its position now stays known for swap checks). */
  private remove(agent: number): void {
    const L = this.length;
    const V = this.grid.graph.vertexCount;
    const base = agent * (L + 1);
    for (let t = 1; t <= L; t++) {
      const slot = t * V + this.path[base + t]!;
      if (this.occupant[slot] === agent) this.occupant[slot] = -1;
    }
  }
}
