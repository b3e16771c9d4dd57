import type { Graph } from '../../../planner/index.ts';
import { NONE, type AgentState, type Claim } from './agent-state.ts';
import type { ReservationTable } from './reservation-table.ts';

// Breaking a deadlock (a persisting cycle in the wait-for graph): first a side-step forward to a free node none
// of the cycle needs; failing that, the smallest body backs off the way it came.

export interface ResolutionContext {
  table: ReservationTable;
  graph: Graph;
  /** Where an AGV may come to rest: only such nodes are refuges or places to back off to. */
  mayStop(v: number): boolean;
  agents: Map<string, AgentState>;
  claims: Map<number, Claim>;
  /** How long an AGV that backed off holds back. */
  holdBackMs: number;
}

export interface SideStep {
  agvId: string;
  node: number;
}

/**
 * Footprint deadlocks on one-way lanes (a forklift nosing out of an aisle and a small AGV at the junction, each
 * covering the node the other needs) have no forward way out. Every AGV can reverse, so one member (the smallest
 * body first) backs off to the node it came from, if free, and holds back briefly while the other side passes.
 */
export function backOff(ctx: ResolutionContext, cycle: string[], nowMs: number): SideStep | undefined {
  const bySize = [...cycle].sort((a, b) => ctx.table.radius(a) - ctx.table.radius(b));
  for (const id of bySize) {
    const moved = backOffChain(ctx, id, nowMs, new Set(cycle), 0);
    if (moved) return moved;
  }
  return undefined;
}

/** Queues on one-way aisles: when the way back is held by the AGV behind, that one backs off first (up to a whole queue). */
const MAX_CHAIN = 40;

function backOffChain(ctx: ResolutionContext, id: string, nowMs: number, visited: Set<string>, depth: number): SideStep | undefined {
  const state = ctx.agents.get(id);
  const path = ctx.table.path(id);
  if (!state || path.length !== 1 || state.cameFrom === NONE || !state.online || !ctx.mayStop(state.cameFrom)) return undefined;
  const behind = ctx.claims.get(state.cameFrom);
  if (behind && behind.agvId !== id) return undefined;
  const check = ctx.table.check(id, state.cameFrom);
  if (check.ok) {
    ctx.table.append(id, state.cameFrom);
    state.cameFrom = NONE;
    state.yieldUntilMs = nowMs + ctx.holdBackMs;
    state.waitingFor = undefined;
    return { agvId: id, node: path[path.length - 1]! };
  }
  if (depth >= MAX_CHAIN || visited.has(check.blocker)) return undefined;
  visited.add(check.blocker);
  const moved = backOffChain(ctx, check.blocker, nowMs, visited, depth + 1);
  // This one follows once the one behind has physically moved off; hold it back meanwhile.
  if (moved) state.yieldUntilMs = nowMs + ctx.holdBackMs;
  return moved;
}

/** One member of the cycle gets a nearby free node none of the others needs as a temporary target. */
export function sendAside(ctx: ResolutionContext, cycle: string[]): SideStep | undefined {
  const needed = new Set<number>();
  for (const id of cycle) {
    for (const v of ctx.table.path(id)) needed.add(v);
    const w = ctx.agents.get(id)?.waitingFor;
    if (w) needed.add(w.node);
  }
  for (const id of cycle) {
    const path = ctx.table.path(id);
    const refuge = nearestRefuge(ctx, id, path[path.length - 1]!, needed);
    if (refuge === NONE) continue;
    const state = ctx.agents.get(id)!;
    state.via = refuge;
    state.waitingFor = undefined;
    return { agvId: id, node: refuge };
  }
  return undefined;
}

function nearestRefuge(ctx: ResolutionContext, agvId: string, from: number, needed: Set<number>): number {
  const graph = ctx.graph;
  const seen = new Set([from]);
  const queue = [from];
  for (let head = 0; head < queue.length && head < 64; head++) {
    const v = queue[head]!;
    if (v !== from && !needed.has(v) && ctx.mayStop(v)) return v;
    for (const u of graph.neighbors(v)) {
      if (seen.has(u) || !ctx.table.check(agvId, u).ok) continue;
      seen.add(u);
      queue.push(u);
    }
  }
  return NONE;
}
