import { BlockedResources, blockerName, type ResourceBlock } from './blocked-resources.ts';
import { TrafficObservers } from './observers.ts';
import type { RoadGraph } from './road-graph.ts';
import type { TrafficController, TrafficEventKind, TrafficGrant, TrafficObserver, WaitInfo } from './types.ts';
import { findCycles } from './wait-for.ts';

// Traffic v1: shortest path per AGV plus exclusive node reservations. Holding both end nodes of an edge while
// driving it makes the edge exclusive too, so head-on swaps and shared edges cannot happen.
// Deadlocks (cycles in the wait-for graph) and long waits are broken by re-routing around held nodes and, failing
// that, by sending one AGV of the cycle aside to the nearest free node that no other member needs.

export interface ReservationOptions {
  /** How many nodes beyond the current one an AGV may hold at once. Longer means smoother, shorter means denser. */
  lookaheadNodes?: number;
  /** Cost (m) added for routing through a node another AGV holds: prefers going around parked AGVs. */
  heldNodePenalty?: number;
  /** After waiting this long on the same blocker, re-route around held nodes. */
  replanAfterMs?: number;
}

interface AgvTraffic {
  /** held[0] is the node the AGV stands on (or last passed); the rest lie ahead on its route, in order. */
  held: string[];
  goal?: string;
  /** Temporary waypoint used to step out of a deadlock; the goal is resumed from there. */
  via?: string;
  /** Planned nodes after the last held one. */
  ahead: string[];
  waitingFor?: { agvId: string; node: string; sinceMs: number };
  /** Offline: keeps what it holds and is not planned; 'returning' until it reports where it stands again. */
  connection: 'online' | 'offline' | 'returning';
}

export class ReservationTrafficController implements TrafficController {
  private readonly agvs = new Map<string, AgvTraffic>();
  private readonly owner = new Map<string, string>();
  private readonly lookahead: number;
  private readonly penalty: number;
  private readonly replanAfterMs: number;
  private readonly observers = new TrafficObservers();
  private readonly blocks: BlockedResources;
  private nowMs = 0;

  constructor(
    private readonly graph: RoadGraph,
    options: ReservationOptions = {},
  ) {
    this.lookahead = options.lookaheadNodes ?? 4;
    this.penalty = options.heldNodePenalty ?? 20;
    this.replanAfterMs = options.replanAfterMs ?? 5_000;
    this.blocks = new BlockedResources((node) => graph.has(node), (edge) => graph.edgeEnds(edge));
  }

  place(agvId: string, node: string): boolean {
    if (!this.graph.has(node)) return false;
    const holder = this.owner.get(node);
    if (holder !== undefined && holder !== agvId) return false;
    const state = this.agvs.get(agvId);
    if (state && state.held.includes(node)) {
      this.reportProgress(agvId, node);
      return true;
    }
    if (state) this.releaseAll(state);
    this.agvs.set(agvId, { held: [node], ahead: [], connection: 'online' });
    if (state && state.connection !== 'online') this.emit('agv.online', [agvId], `${agvId} is back online at ${node}`);
    this.owner.set(node, agvId);
    return true;
  }

  restore(agvId: string, nodes: readonly string[]): string[] {
    if (this.agvs.has(agvId) || nodes.some((n) => !this.graph.has(n))) return [];
    const held = [...new Set(nodes)].filter((n) => this.owner.get(n) === undefined);
    if (held.length === 0) return [];
    this.agvs.set(agvId, { held, ahead: [], connection: 'offline' });
    for (const n of held) this.owner.set(n, agvId);
    return held;
  }

  request(agvId: string, goal: string, nowMs: number): TrafficGrant {
    this.nowMs = Math.max(this.nowMs, nowMs);
    const state = this.agvs.get(agvId);
    if (!state || !this.graph.has(goal)) return { kind: 'wait', reason: 'no-route' };
    // Not where it was last seen, perhaps: nothing is granted before it reports again.
    if (state.connection !== 'online') return { kind: 'wait', reason: 'blocked' };
    if (state.goal !== goal) {
      state.goal = goal;
      state.via = undefined;
      if (!this.plan(state, agvId, false)) return { kind: 'wait', reason: 'no-route' };
    }
    if (state.held.length === 1 && state.ahead.length === 0) {
      if (state.held[0] === goal) {
        state.waitingFor = undefined;
        return { kind: 'arrived' };
      }
      if (state.via && state.held[0] === state.via) state.via = undefined;
      if (!this.plan(state, agvId, false)) return { kind: 'wait', reason: 'no-route' };
    }
    this.extend(state, agvId, nowMs);
    // An offline AGV will not move on: route around it at once rather than after the usual wait.
    const blockerOffline = state.waitingFor !== undefined && this.agvs.get(state.waitingFor.agvId)?.connection !== 'online';
    if (state.waitingFor && (blockerOffline || nowMs - state.waitingFor.sinceMs >= this.replanAfterMs)) {
      // Waited long enough behind the same AGV: try a route that avoids every node held by others right now.
      if (this.plan(state, agvId, true)) {
        state.waitingFor = undefined;
        this.extend(state, agvId, nowMs);
      } else {
        state.waitingFor.sinceMs = nowMs;
      }
    }
    if (state.held.length > 1) {
      const last = state.held[state.held.length - 1]!;
      return { kind: 'go', path: [...state.held], reachesGoal: last === goal && !state.via, announced: [...state.ahead] };
    }
    return { kind: 'wait', blockedBy: state.waitingFor?.agvId, reason: state.waitingFor ? 'blocked' : 'no-route' };
  }

  reportProgress(agvId: string, node: string): boolean {
    const state = this.agvs.get(agvId);
    if (!state) return false;
    const index = state.held.indexOf(node);
    if (index < 0) return false;
    if (state.connection === 'returning') {
      state.connection = 'online';
      this.emit('agv.online', [agvId], `${agvId} is back online at ${node}`);
    }
    const passed = state.held.splice(0, index);
    for (const p of passed) if (!state.held.includes(p) && this.owner.get(p) === agvId) this.owner.delete(p);
    return true;
  }

  stop(agvId: string): void {
    const state = this.agvs.get(agvId);
    if (!state) return;
    state.goal = undefined;
    state.via = undefined;
    state.ahead = [];
    state.waitingFor = undefined;
    // The AGV may be between held[0] and held[1]; keep what it may physically occupy until it reports a node.
  }

  release(agvId: string): void {
    const state = this.agvs.get(agvId);
    if (!state) return;
    this.releaseAll(state);
    this.agvs.delete(agvId);
  }

  heldBy(node: string): string | undefined {
    return this.owner.get(node);
  }

  held(agvId: string): readonly string[] {
    return this.agvs.get(agvId)?.held ?? [];
  }

  holdings(): ReadonlyMap<string, readonly string[]> {
    const result = new Map<string, readonly string[]>();
    for (const [id, state] of this.agvs) result.set(id, [...state.held]);
    return result;
  }

  waiting(): WaitInfo[] {
    const result: WaitInfo[] = [];
    for (const [agvId, state] of this.agvs) {
      if (state.waitingFor) result.push({ agvId, blockedBy: state.waitingFor.agvId, node: state.waitingFor.node, sinceMs: state.waitingFor.sinceMs });
    }
    return result;
  }

  tick(nowMs: number): string[] {
    this.nowMs = Math.max(this.nowMs, nowMs);
    const started = performance.now();
    const changed: string[] = [];
    for (const cycle of this.findWaitCycles()) {
      if (!this.resolveCycle(cycle, nowMs)) continue;
      changed.push(...cycle);
      this.emit('deadlock.resolved', cycle, `wait-for cycle ${cycle.join(' → ')} broken by a re-route`);
    }
    this.observers.planStep(performance.now() - started);
    return changed;
  }

  agvOffline(agvId: string): void {
    const state = this.agvs.get(agvId);
    if (!state || state.connection === 'offline') return;
    state.connection = 'offline';
    state.ahead = [];
    state.waitingFor = undefined;
    this.emit('agv.offline', [agvId], `${agvId} is offline: its nodes stay held`);
  }

  agvOnline(agvId: string): void {
    const state = this.agvs.get(agvId);
    if (state?.connection === 'offline') state.connection = 'returning';
  }

  observe(observer: TrafficObserver): () => void {
    return this.observers.add(observer);
  }

  standsAt(agvId: string, node: string): boolean {
    const state = this.agvs.get(agvId);
    if (!state || !state.held.includes(node)) return false;
    for (const n of state.held) if (n !== node && this.owner.get(n) === agvId) this.owner.delete(n);
    state.held = [node];
    state.ahead = [];
    state.waitingFor = undefined;
    return true;
  }

  blockResources(block: ResourceBlock): void {
    this.blocks.add(block);
    // Routes through the block are planned again; nodes already held stay held (the AGV finishes leaving).
    for (const [id, state] of this.agvs) if (id !== block.holder && state.ahead.length > 0) this.plan(state, id, false);
    this.emit('resources.blocked', block.holder !== undefined ? [block.holder] : [], `block ${block.id}: ${block.nodes.length} nodes, ${block.edges.length} edges`);
  }

  unblockResources(id: string): void {
    if (this.blocks.remove(id)) this.emit('resources.unblocked', [], `block ${id} lifted`);
  }

  blockedResources(): readonly ResourceBlock[] {
    return this.blocks.list();
  }

  private emit(kind: TrafficEventKind, agvIds: string[], message: string): void {
    this.observers.event({ kind, atMs: this.nowMs, agvIds: [...agvIds], message });
  }

  /** (Re)plans from the last held node to via/goal. With avoidHeld, nodes held by others are walls. */
  private plan(state: AgvTraffic, agvId: string, avoidHeld: boolean): boolean {
    const target = state.via ?? state.goal;
    if (target === undefined) return false;
    const from = state.held[state.held.length - 1]!;
    const foreign = (node: string) => {
      const holder = this.owner.get(node);
      return holder !== undefined && holder !== agvId;
    };
    const barred = (node: string) => this.blocks.nodeBlocker(node, agvId) !== undefined;
    const closed = (a: string, b: string) => this.blocks.edgeBlocker(a, b, agvId) !== undefined;
    const result = avoidHeld
      ? this.graph.shortestPath(from, target, { blocked: (n) => foreign(n) || barred(n), closed })
      : this.graph.shortestPath(from, target, { blocked: barred, closed, nodePenalty: (n) => (foreign(n) ? this.penalty : 0) });
    if (!result) return false;
    const next = result.path.slice(1);
    if (state.held.length > 1 && next.some((n) => state.held.includes(n))) {
      // The new route turns back through nodes already released to the AGV. A path that visits a node twice makes
      // "which occurrence did it reach" ambiguous, so let it finish what it holds and plan again from there.
      state.ahead = [];
      return true;
    }
    state.ahead = next;
    return true;
  }

  private extend(state: AgvTraffic, agvId: string, nowMs: number): void {
    while (state.ahead.length > 0 && state.held.length <= this.lookahead) {
      const next = state.ahead[0]!;
      const last = state.held[state.held.length - 1]!;
      const block = this.blocks.nodeBlocker(next, agvId) ?? this.blocks.edgeBlocker(last, next, agvId);
      const holder = block !== undefined ? blockerName(block) : this.owner.get(next);
      if (holder !== undefined && holder !== agvId) {
        if (state.waitingFor?.agvId !== holder || state.waitingFor.node !== next) {
          state.waitingFor = { agvId: holder, node: next, sinceMs: nowMs };
        }
        return;
      }
      this.owner.set(next, agvId);
      state.held.push(next);
      state.ahead.shift();
    }
    state.waitingFor = undefined;
  }

  private releaseAll(state: AgvTraffic): void {
    for (const node of state.held) this.owner.delete(node);
    state.held = [];
  }

  private findWaitCycles(): string[][] {
    const waitsFor = new Map<string, string>();
    for (const [id, state] of this.agvs) if (state.waitingFor) waitsFor.set(id, state.waitingFor.agvId);
    return findCycles(waitsFor);
  }

  private resolveCycle(cycle: string[], nowMs: number): boolean {
    // First choice: someone in the cycle has a route around the others.
    for (const id of cycle) {
      const state = this.agvs.get(id)!;
      const savedAhead = state.ahead;
      if (this.plan(state, id, true)) {
        state.waitingFor = undefined;
        this.extend(state, id, nowMs);
        if (!state.waitingFor) return true;
      }
      state.ahead = savedAhead;
    }
    // Otherwise one AGV steps aside to the nearest free node none of the others still needs.
    const needed = new Set<string>();
    for (const id of cycle) {
      const s = this.agvs.get(id)!;
      for (const n of s.held) needed.add(n);
      for (const n of s.ahead) needed.add(n);
    }
    for (const id of cycle) {
      const state = this.agvs.get(id)!;
      const refuge = this.nearestRefuge(state.held[state.held.length - 1]!, id, needed);
      if (!refuge) continue;
      state.via = refuge;
      if (this.plan(state, id, true)) {
        state.waitingFor = undefined;
        this.extend(state, id, nowMs);
        return true;
      }
      state.via = undefined;
    }
    return false;
  }

  /** Breadth-first over nodes nobody else holds, to the closest one outside `needed`. */
  private nearestRefuge(from: string, agvId: string, needed: Set<string>): string | undefined {
    const seen = new Set([from]);
    const queue = [from];
    while (queue.length > 0) {
      const node = queue.shift()!;
      if (node !== from && !needed.has(node)) return node;
      for (const arc of this.graph.arcs(node)) {
        if (seen.has(arc.to)) continue;
        const holder = this.owner.get(arc.to);
        if (holder !== undefined && holder !== agvId) continue;
        seen.add(arc.to);
        queue.push(arc.to);
      }
    }
    return undefined;
  }
}
