import type { Graph } from '../graph.ts';

// Independent plan checker. Deliberately shares no conflict logic with the solvers: it re-derives every rule
// from the plans alone, with plain maps, so a solver bug cannot hide behind the same bug here.

export type PlanViolationKind =
  | 'agent-count'
  | 'empty-path'
  | 'invalid-vertex'
  | 'wrong-start'
  | 'wrong-goal'
  | 'illegal-move'
  | 'vertex-conflict'
  | 'swap-conflict'
  | 'footprint-conflict';

export interface PlanViolation {
  kind: PlanViolationKind;
  /** Time step at which the violation happens (for moves: the step the move ends at). */
  time: number;
  agents: number[];
  detail: string;
}

export interface ValidationResult {
  ok: boolean;
  violations: PlanViolation[];
}

export interface ValidateOptions {
  starts?: ArrayLike<number>;
  goals?: ArrayLike<number>;
  /** Stop after this many violations (default 100). */
  maxViolations?: number;
}

/**
 * Checks plans (per agent, its vertex at t = 0, 1, ...; an agent rests at its last vertex after its path ends):
 * each step is a wait or a move along a directed edge; no two agents share a vertex, swap along an edge, or
 * stand on footprint-conflicting vertices at the same time; paths start at starts and end at goals.
 */
export function validatePlans(graph: Graph, paths: readonly ArrayLike<number>[], options: ValidateOptions = {}): ValidationResult {
  const violations: PlanViolation[] = [];
  const limit = options.maxViolations ?? 100;
  const report = (v: PlanViolation): boolean => {
    violations.push(v);
    return violations.length >= limit;
  };
  const done = (): ValidationResult => ({ ok: violations.length === 0, violations });

  const n = paths.length;
  for (const [name, list] of [['starts', options.starts], ['goals', options.goals]] as const) {
    if (list && list.length !== n && report({ kind: 'agent-count', time: 0, agents: [], detail: `${n} paths but ${list.length} ${name}` })) return done();
  }
  let horizon = 0;
  for (let i = 0; i < n; i++) {
    const path = paths[i]!;
    if (path.length === 0) {
      if (report({ kind: 'empty-path', time: 0, agents: [i], detail: `agent ${i} has an empty path` })) return done();
      continue;
    }
    horizon = Math.max(horizon, path.length);
    for (let t = 0; t < path.length; t++) {
      const v = path[t]!;
      if (!(Number.isInteger(v) && v >= 0 && v < graph.vertexCount)) {
        if (report({ kind: 'invalid-vertex', time: t, agents: [i], detail: `agent ${i} at t=${t} is at non-vertex ${v}` })) return done();
      }
    }
  }
  if (violations.length > 0) return done();

  const at = (i: number, t: number): number => {
    const path = paths[i]!;
    return path[Math.min(t, path.length - 1)]!;
  };

  for (let i = 0; i < n; i++) {
    const path = paths[i]!;
    if (path.length === 0) continue;
    if (options.starts && path[0] !== options.starts[i]) {
      if (report({ kind: 'wrong-start', time: 0, agents: [i], detail: `agent ${i} starts at ${path[0]}, expected ${options.starts[i]}` })) return done();
    }
    if (options.goals && path[path.length - 1] !== options.goals[i]) {
      if (report({ kind: 'wrong-goal', time: path.length - 1, agents: [i], detail: `agent ${i} ends at ${path[path.length - 1]}, expected ${options.goals[i]}` })) return done();
    }
    for (let t = 1; t < path.length; t++) {
      const from = path[t - 1]!;
      const to = path[t]!;
      if (from !== to && !isNeighbour(graph, from, to)) {
        if (report({ kind: 'illegal-move', time: t, agents: [i], detail: `agent ${i} jumps ${from} -> ${to} at t=${t}` })) return done();
      }
    }
  }

  const active: number[] = [];
  for (let i = 0; i < n; i++) if (paths[i]!.length > 0) active.push(i);
  for (let t = 0; t < horizon; t++) {
    const occupant = new Map<number, number>();
    for (const i of active) {
      const v = at(i, t);
      const other = occupant.get(v);
      if (other !== undefined) {
        if (report({ kind: 'vertex-conflict', time: t, agents: [other, i], detail: `agents ${other} and ${i} both at ${v} at t=${t}` })) return done();
      } else {
        occupant.set(v, i);
      }
    }
    if (graph.hasConflictSets) {
      for (const i of active) {
        const v = at(i, t);
        for (const w of footprintOf(graph, v)) {
          const other = occupant.get(w);
          if (other !== undefined && other !== i && i < other) {
            if (report({ kind: 'footprint-conflict', time: t, agents: [i, other], detail: `agents ${i} at ${v} and ${other} at ${w} overlap at t=${t}` })) return done();
          }
        }
      }
    }
    if (t === 0) continue;
    const arrivals = new Map<string, number>();
    for (const i of active) {
      const from = at(i, t - 1);
      const to = at(i, t);
      if (from !== to) arrivals.set(`${from}>${to}`, i);
    }
    for (const [move, i] of arrivals) {
      const [from, to] = move.split('>');
      const other = arrivals.get(`${to}>${from}`);
      if (other !== undefined && i < other) {
        if (report({ kind: 'swap-conflict', time: t, agents: [i, other], detail: `agents ${i} and ${other} swap ${from} <-> ${to} at t=${t}` })) return done();
      }
    }
  }
  return done();
}

function isNeighbour(graph: Graph, from: number, to: number): boolean {
  for (let e = graph.outStart[from]!; e < graph.outStart[from + 1]!; e++) if (graph.outTarget[e] === to) return true;
  return false;
}

function footprintOf(graph: Graph, v: number): number[] {
  const out: number[] = [];
  for (let c = graph.conflictStart[v]!; c < graph.conflictStart[v + 1]!; c++) out.push(graph.conflictTarget[c]!);
  return out;
}
