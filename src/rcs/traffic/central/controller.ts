import { buildRoadmapGraph, DiscBodies, Pibt, stronglyConnectedComponents, type MoveRank, type RoadmapGraph } from '../../../planner/index.ts';
import type { RoadGraphInput } from '../road-graph.ts';
import { BlockedResources, edgeResolver, type ResourceBlock } from '../blocked-resources.ts';
import { sitePlane } from '../../site/plane.ts';
import { TrafficObservers } from '../observers.ts';
import type { TrafficController, TrafficGrant, TrafficObserver, WaitInfo } from '../types.ts';
import { VertexBlocks } from './vertex-blocks.ts';
import { RouteAhead } from './route-ahead.ts';
import { oneWayJunctions } from './junctions.ts';
import { radiusOf, type Dimensions } from './footprint.ts';
import { ReservationTable } from './reservation-table.ts';
import type { CentralTrafficOptions, CentralTrafficStats, TrafficEvent, TrafficEventKind } from './types.ts';
import { cycleKey, findCycles } from '../wait-for.ts';
import { NONE, targetOf, type AgentState } from './agent-state.ts';
import { GrantAdmission } from './grant-admission.ts';
import { RouteClasses } from './route-classes.ts';
import { PassingOrder } from './passing-order.ts';
import { backOff, sendAside } from './deadlock-resolution.ts';

// Central traffic control. Every planning round the lifelong planner (windowed PIBT) proposes one next node for
// every AGV from the end of what it already holds; the reservation table then grants each proposal only if the
// node and its footprint are free. "The planner proposes, the reservation table disposes": a planner mistake can
// cost time, never a collision.
//
// Passing order (passing-order.ts; after the Action Dependency Graph, Hönig et al. 2019): when a proposed node
// cannot be granted yet, the AGV that was planned into it first claims it, and nobody else is granted that node
// while the claim stands.
// So a slow, stalled or slowly turning AGV keeps its planned place in the queue instead of being overtaken into a
// knot. Waits form a wait-for graph; a cycle that persists is a deadlock and is broken by sending one member aside.

const EVENT_HISTORY = 500;
/** A round may pause after this many AGVs (each pause point costs a generator resumption even when not taken). */
const YIELD_EVERY = 16;
/**
 * The longest a slice may take, in slices (sliceMs): planning takes as long as the rest of the loop's turn did, but
 * never more than this, so that a slow turn (a burst of frames, a GC pause) does not make the next slice as long.
 */
const SLICE_CAP = 4;
/** Rank cost of moving into a node someone holds now: prefer flowing around queues (as the lifelong planner does). */
const OCCUPIED_PENALTY = 0.3;

/** Small deterministic per (agent, node) offset that changes every 50 rounds: breaks ties without dithering. */
function tieBreak(agent: number, vertex: number, round: number): number {
  let h = Math.imul(agent + 1, 0x9e3779b1) ^ Math.imul(vertex + 1, 0x85ebca77) ^ Math.imul(Math.floor(round / 50) + 1, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return ((h >>> 0) / 4294967296) * 1e-3;
}

/** What a planning round fixed when it began: per AGV of the round, in one order. */
interface RoundSnapshot {
  ids: string[];
  states: AgentState[];
  /** End of the held path (where the AGV is planned from). */
  current: Int32Array;
  goals: Int32Array;
  /** 1 = not moved this round (cannot move, holds as far ahead as allowed, or holds back). */
  pinned: Uint8Array;
}

/** A planning round under way: its steps (one per AGV) and the wall time spent in it so far. */
interface PlanningRound {
  steps: Generator<void, string[]>;
  busyMs: number;
  /** When its last slice ended (performance.now). */
  pausedAt: number;
}

export class CentralTrafficController implements TrafficController {
  private readonly roadmap: RoadmapGraph;
  private readonly table: ReservationTable;
  private readonly blocks: BlockedResources;
  private readonly vertexBlocks: VertexBlocks;
  private readonly route: RouteAhead;
  private components: Int32Array | undefined;
  private readonly routeClasses: RouteClasses;
  private readonly pibt: Pibt;
  private readonly admission: GrantAdmission;
  private readonly agents = new Map<string, AgentState>();
  private readonly passing: PassingOrder;
  private readonly cycleSince = new Map<string, number>();
  private readonly history: TrafficEvent[] = [];
  private readonly observers = new TrafficObservers();
  /** Offline AGVs that are connected again but have not yet reported where they stand. */
  private readonly returning = new Set<string>();
  private readonly lookahead: number;
  private readonly planIntervalMs: number;
  private readonly stallAfterMs: number;
  private readonly deadlockAfterMs: number;
  private round = 0;
  /** The round spread over several slices that has not ended yet (sliceMs): no other round starts meanwhile. */
  private inFlight: PlanningRound | undefined;
  private lastRoundMs = Number.NEGATIVE_INFINITY;
  private nowMs = 0;
  private readonly counters: CentralTrafficStats = { rounds: 0, deadlocksDetected: 0, deadlocksResolved: 0, stalls: 0, planMsTotal: 0, planMsMax: 0, sliceMsMax: 0 };

  constructor(
    site: RoadGraphInput,
    private readonly options: CentralTrafficOptions = {},
  ) {
    // Maps of a site (floors) are placed apart on one plane, so bodies on different floors never overlap.
    const plane = sitePlane(site.nodes);
    this.roadmap = buildRoadmapGraph({
      nodes: site.nodes.map((n, i) => ({ id: n.id, x: plane[i]!.x, y: plane[i]!.y })),
      edges: site.edges.map((e) => ({ from: e.from, to: e.to, length: e.length, oneWay: e.bidirectional !== true })),
    });
    const graph = this.roadmap.graph;
    // Where AGVs may drive through but not stop: site nodes marked noStop, and junctions when they are kept clear.
    const noStop = new Uint8Array(graph.vertexCount);
    for (const n of site.nodes) if (n.noStop === true) noStop[this.roadmap.vertexOf(n.id)] = 1;
    if (options.keepJunctionsClear === true) for (const id of oneWayJunctions(site.edges)) noStop[this.roadmap.vertexOf(id)] = 1;
    this.route = new RouteAhead(graph, noStop);
    const points = Array.from({ length: graph.vertexCount }, (_, v) => ({ x: graph.xs[v]!, y: graph.ys[v]! }));
    this.blocks = new BlockedResources((id) => this.roadmap.vertexOf(id) >= 0, edgeResolver(site.edges));
    this.vertexBlocks = new VertexBlocks(this.roadmap, this.blocks);
    this.table = new ReservationTable(points, 0, this.vertexBlocks);
    this.passing = new PassingOrder(this.table, this.agents);
    this.pibt = new Pibt(graph);
    this.routeClasses = new RouteClasses({ roadmap: this.roadmap, table: this.table, route: this.route, vertexBlocks: this.vertexBlocks, gate: options.gate });
    this.admission = new GrantAdmission({
      roadmap: this.roadmap,
      table: this.table,
      route: this.route,
      passing: this.passing,
      vertexBlocks: this.vertexBlocks,
      agents: this.agents,
      gate: options.gate,
      routeKey: (agvId) => this.routeClasses.of(agvId).key,
      round: () => this.round,
    });
    this.lookahead = Math.max(1, options.lookaheadNodes ?? 3);
    this.planIntervalMs = options.planIntervalMs ?? 100;
    this.stallAfterMs = options.stallAfterMs ?? 8_000;
    this.deadlockAfterMs = options.deadlockAfterMs ?? 500;
  }

  // --- TrafficController ---

  place(agvId: string, node: string): boolean {
    const v = this.roadmap.vertexOf(node);
    if (v < 0) return false;
    const state = this.agents.get(agvId);
    if (state && this.table.path(agvId).includes(v)) return this.reportProgress(agvId, node);
    if (!state) this.table.setRadius(agvId, radiusOf(this.options.footprintOf?.(agvId)));
    const check = this.table.check(agvId, v);
    if (!check.ok) {
      this.emit('agv.conflict', [agvId, check.blocker], `${agvId} reports ${node}, which ${check.blocker} holds or overlaps`);
      return false;
    }
    if (state) {
      // The AGV is somewhere it was not sent: its old reservations no longer describe it. Replan from here.
      this.emit('agv.deviated', [agvId], `${agvId} reports ${node}, off its held path`);
      state.via = NONE;
      state.waitingFor = undefined;
      this.moved(agvId, state);
      this.passing.dropFor(agvId);
      this.resumeIfReturning(agvId, state);
    } else {
      this.agents.set(agvId, { goal: NONE, via: NONE, online: true, stalled: false, lastProgressMs: this.nowMs, urgency: 0, lastTarget: NONE, cameFrom: NONE, yieldUntilMs: 0 });
    }
    this.table.place(agvId, v);
    return true;
  }

  restore(agvId: string, nodes: readonly string[]): string[] {
    const vs = nodes.map((n) => this.roadmap.vertexOf(n));
    if (vs.some((v) => v < 0) || this.agents.has(agvId)) return [];
    const free = [...new Set(vs)].filter((v) => this.table.ownerOf(v) === undefined);
    if (free.length === 0) return [];
    this.table.setRadius(agvId, radiusOf(this.options.footprintOf?.(agvId)));
    this.table.place(agvId, free[0]!);
    for (const v of free.slice(1)) this.table.append(agvId, v);
    this.agents.set(agvId, { goal: NONE, via: NONE, online: false, stalled: false, lastProgressMs: this.nowMs, urgency: 0, lastTarget: NONE, cameFrom: NONE, yieldUntilMs: 0 });
    return free.map((v) => this.roadmap.ids[v]!);
  }

  request(agvId: string, goal: string, nowMs: number): TrafficGrant {
    this.nowMs = Math.max(this.nowMs, nowMs);
    const state = this.agents.get(agvId);
    const target = this.roadmap.vertexOf(goal);
    if (!state || target < 0) return { kind: 'wait', reason: 'no-route' };
    // Not where it was last seen, perhaps: nothing is granted before it reports again.
    if (!state.online) return { kind: 'wait', reason: 'blocked' };
    if (state.goal !== target) {
      state.goal = target;
      state.via = NONE;
      state.waitingFor = undefined;
      this.passing.dropFor(agvId);
    }
    this.maybePlan(nowMs);
    const path = this.table.path(agvId);
    const last = path[path.length - 1]!;
    if (path.length === 1 && last === target) return { kind: 'arrived' };
    if (path.length > 1) {
      return { kind: 'go', path: path.map((v) => this.roadmap.ids[v]!), reachesGoal: last === target, announced: this.announce(agvId, last) };
    }
    if (!this.reachable(last, target)) return { kind: 'wait', reason: 'no-route' };
    return { kind: 'wait', blockedBy: state.waitingFor?.agvId, reason: 'blocked' };
  }

  /**
   * Whether the road graph leads from `from` to `to`. Vertices of one strongly connected component reach each other
   * (the usual case; computed once, the graph is fixed); only others need a search. Asking the distance table for
   * every waiting request built a table per goal, and with a goal per AGV (more than its cache holds) that was
   * most of the platform's planning CPU at 5,000 AGVs.
   */
  private reachable(from: number, to: number): boolean {
    this.components ??= stronglyConnectedComponents(this.route.distances.graph);
    return this.components[from] === this.components[to] || Number.isFinite(this.route.distances.get(to, from));
  }

  reportProgress(agvId: string, node: string): boolean {
    const state = this.agents.get(agvId);
    const v = this.roadmap.vertexOf(node);
    if (!state || v < 0) return false;
    const index = this.table.path(agvId).indexOf(v);
    if (index < 0) return false;
    this.resumeIfReturning(agvId, state);
    if (index > 0) {
      state.cameFrom = this.table.path(agvId)[index - 1]!;
      this.table.advanceTo(agvId, index);
      this.moved(agvId, state);
    }
    if (state.via === v) state.via = NONE;
    return true;
  }

  stop(agvId: string): void {
    const state = this.agents.get(agvId);
    if (!state) return;
    state.goal = NONE;
    state.via = NONE;
    state.waitingFor = undefined;
    this.passing.dropFor(agvId);
    // Nodes already released stay held: the AGV may be driving toward them until it reports where it stopped.
  }

  release(agvId: string): void {
    this.table.forget(agvId);
    this.routeClasses.forget(agvId);
    this.agents.delete(agvId);
    this.returning.delete(agvId);
    this.passing.dropFor(agvId);
  }

  heldBy(node: string): string | undefined {
    const v = this.roadmap.vertexOf(node);
    return v < 0 ? undefined : this.table.ownerOf(v);
  }

  held(agvId: string): readonly string[] {
    return this.table.path(agvId).map((v) => this.roadmap.ids[v]!);
  }

  holdings(): ReadonlyMap<string, readonly string[]> {
    const result = new Map<string, readonly string[]>();
    for (const id of this.table.agents()) result.set(id, this.held(id));
    return result;
  }

  waiting(): WaitInfo[] {
    const result: WaitInfo[] = [];
    for (const [agvId, state] of this.agents) {
      const w = state.waitingFor;
      if (w) result.push({ agvId, blockedBy: w.agvId, node: this.roadmap.ids[w.node]!, sinceMs: w.sinceMs });
    }
    return result;
  }

  tick(nowMs: number): string[] {
    this.nowMs = Math.max(this.nowMs, nowMs);
    return this.maybePlan(nowMs);
  }

  agvOffline(agvId: string): void {
    const state = this.agents.get(agvId);
    this.returning.delete(agvId);
    if (!state || !state.online) return;
    // Offline AGVs keep their reservations and become obstacles until they return or are released.
    state.online = false;
    state.waitingFor = undefined;
    this.passing.dropFor(agvId);
    this.emit('agv.offline', [agvId], `${agvId} is offline: its nodes stay held`);
  }

  agvOnline(agvId: string): void {
    if (this.agents.get(agvId)?.online === false) this.returning.add(agvId);
  }

  observe(observer: TrafficObserver): () => void {
    return this.observers.add(observer);
  }

  blockResources(block: ResourceBlock): void {
    this.blocks.add(block);
    this.vertexBlocks.sync();
    // Standing claims inside the block would only make others queue for what nobody gets.
    this.passing.dropOn(block.nodes.map((n) => this.roadmap.vertexOf(n)), block.holder);
    this.replanAtNextCall();
    this.emit('resources.blocked', block.holder !== undefined ? [block.holder] : [], `block ${block.id}: ${block.nodes.length} nodes, ${block.edges.length} edges${block.holder !== undefined ? ` for ${block.holder}` : ''}`);
  }

  unblockResources(id: string): void {
    if (!this.blocks.remove(id)) return;
    this.vertexBlocks.sync();
    this.replanAtNextCall();
    this.emit('resources.unblocked', [], `block ${id} lifted`);
  }

  blockedResources(): readonly ResourceBlock[] {
    return this.blocks.list();
  }

  standsAt(agvId: string, node: string): boolean {
    const v = this.roadmap.vertexOf(node);
    const state = this.agents.get(agvId);
    if (!state || v < 0 || !this.table.path(agvId).includes(v)) return false;
    // It held v, so holding only v needs no check.
    this.table.place(agvId, v);
    state.via = NONE;
    state.waitingFor = undefined;
    // Nothing held ahead any more: not stalled, whatever it waited for while it held more.
    this.moved(agvId, state);
    this.passing.dropFor(agvId);
    return true;
  }

  // --- beyond the interface ---

  /**
   * AGVs other than the holder whose held nodes reach into block `id` (granted before it appeared): they finish
   * leaving over them unless the caller stops them.
   */
  crossing(id: string): string[] {
    const block = this.blocks.get(id);
    if (!block) return [];
    const result: string[] = [];
    for (const agvId of this.table.agents()) {
      if (agvId === block.holder) continue;
      if (this.table.path(agvId).some((v) => this.vertexBlocks.nodeBlocker(agvId, v) === `block:${id}`)) result.push(agvId);
    }
    return result;
  }

  setFootprint(agvId: string, dimensions: Dimensions): void {
    this.table.setRadius(agvId, radiusOf(dimensions));
  }

  /** The disc radius (m) this AGV is planned with: its registered body, or the default while it has none. */
  footprintRadius(agvId: string): number {
    return this.table.radius(agvId);
  }

  /** The most recent traffic events, oldest first. */
  events(): readonly TrafficEvent[] {
    return this.history;
  }

  stats(): CentralTrafficStats {
    return { ...this.counters };
  }

  // --- planning rounds ---

  /** The set of blocks changed: the next request or tick plans a round at once, whatever the interval. */
  private replanAtNextCall(): void {
    this.lastRoundMs = Number.NEGATIVE_INFINITY;
  }

  /** Starts a round when one is due and none is under way; its grants when it ends within this call. */
  private maybePlan(nowMs: number): string[] {
    if (this.inFlight !== undefined || nowMs - this.lastRoundMs < this.planIntervalMs) return [];
    this.lastRoundMs = nowMs;
    const round: PlanningRound = { steps: this.planRound(nowMs), busyMs: 0, pausedAt: Number.POSITIVE_INFINITY };
    return this.runSlice(round, true) ?? [];
  }

  /**
   * Runs the round to its end, or with `sliceMs` until the slice's budget is spent, then goes on after the event
   * loop has had its turn (setImmediate). Returns the AGVs granted more when the round ended in this slice; grants
   * of a round that ends in a later slice go to observers (`granted`) instead.
   *
   * The budget is sliceMs, or as long as the rest of the loop's turn took since the last slice when that was longer
   * (up to SLICE_CAP × sliceMs): planning gets up to half of the loop while a round is under way. On a busy or
   * CPU-starved process a fixed few ms per turn let rounds (and so grants) fall seconds behind; taking as long as
   * everything else at most doubles the loop's turn. Uncapped, slices grew to 100-300 ms at 5,000 AGVs and every
   * ack waited behind them.
   */
  private runSlice(round: PlanningRound, first: boolean): string[] | undefined {
    const started = performance.now();
    const sliceMs = this.options.sliceMs;
    const budget = sliceMs === undefined ? undefined : Math.min(Math.max(sliceMs, started - round.pausedAt), SLICE_CAP * sliceMs);
    let step = round.steps.next();
    while (step.done !== true && (budget === undefined || performance.now() - started < budget)) step = round.steps.next();
    const ms = performance.now() - started;
    round.busyMs += ms;
    this.counters.sliceMsMax = Math.max(this.counters.sliceMsMax, ms);
    this.observers.planSlice(ms);
    if (step.done !== true) {
      this.inFlight = round;
      round.pausedAt = performance.now();
      setImmediate(() => this.runSlice(round, false));
      return undefined;
    }
    this.inFlight = undefined;
    this.counters.rounds++;
    this.counters.planMsTotal += round.busyMs;
    this.counters.planMsMax = Math.max(this.counters.planMsMax, round.busyMs);
    this.observers.planStep(round.busyMs);
    if (!first && step.value.length > 0) this.observers.granted(step.value);
    return step.value;
  }

  /**
   * One planning round, yielding after each AGV so that it can be spread over several turns of the event loop
   * (sliceMs). Between slices, reports, requests and releases change the table; the round's snapshot (where each
   * AGV's held path ends, its target) may then be stale, so proposals are only hints: every grant is checked
   * against the live table when it is made, and an AGV whose state changed since the snapshot gets nothing this
   * round (it is planned afresh in the next one). Without sliceMs the round runs at once, exactly as before.
   */
  private *planRound(nowMs: number): Generator<void, string[]> {
    this.round++;
    const ids = [...this.agents.keys()];
    const n = ids.length;
    if (n === 0) return [];
    const states: AgentState[] = new Array<AgentState>(n);
    const current = new Int32Array(n);
    const goals = new Int32Array(n);
    const pinned = new Uint8Array(n);
    const radius = new Float64Array(n);
    const immovable: number[] = [];
    const index = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const state = this.agents.get(id)!;
      states[i] = state;
      index.set(id, i);
      const path = this.table.path(id);
      const frontier = path[path.length - 1]!;
      current[i] = frontier;
      radius[i] = this.table.radius(id);
      if (state.online && !state.stalled && path.length > 1 && nowMs - state.lastProgressMs > this.stallAfterMs) {
        state.stalled = true;
        this.counters.stalls++;
        this.emit('agv.stalled', [id], `${id} made no progress for ${this.stallAfterMs} ms: others plan around it`);
      }
      const target = targetOf(state);
      goals[i] = target;
      if (target !== state.lastTarget || target === frontier) {
        state.lastTarget = target;
        state.urgency = 0;
      } else {
        state.urgency++;
      }
      const fixed = target === NONE || target === frontier;
      if (fixed) immovable.push(i);
      pinned[i] = fixed || path.length - 1 >= this.lookahead || nowMs < state.yieldUntilMs ? 1 : 0;
    }
    const detourFor = yield* this.routeClasses.detourPreparation(ids, immovable);
    const gate = this.options.gate;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const priority = Float64Array.from({ length: n }, (_, i) => (pinned[i] ? 1e9 : this.agents.get(ids[i]!)!.urgency) + tieBreak(i, 0, this.round));
    order.sort((a, b) => priority[b]! - priority[a]!);
    const mayEnter = (agent: number, v: number): boolean => {
      const check = this.table.check(ids[agent]!, v);
      if (check.ok) return true;
      // Nodes held (or overlapped) by AGVs that move on will be free soon; those of AGVs that cannot move will not.
      const b = index.get(check.blocker);
      if (b === undefined || this.isImmovable(check.blocker)) return false;
      return !(pinned[b] === 1 && check.node === current[b]);
    };
    // The proposal is checked again by the reservation table on every grant.
    const rank: MoveRank = (agent, from, to) => {
        if (pinned[agent]) return to === from ? 0 : Number.POSITIVE_INFINITY;
        const goal = goals[agent]!;
        if (to !== from && (!mayEnter(agent, to) || this.vertexBlocks.edgeBlocker(ids[agent]!, from, to) !== undefined)) return Number.POSITIVE_INFINITY;
        if (to !== from && gate && !gate.allows(ids[agent]!, this.roadmap.ids[from]!, this.roadmap.ids[to]!)) return Number.POSITIVE_INFINITY;
        // The grant would refuse it (exit covered by another body): planning it would only block others' moves.
        if (to !== from && this.admission.exitBlocker(ids[agent]!, to, goal) !== undefined) return Number.POSITIVE_INFINITY;
        const detour = detourFor(agent, goal);
        // A target cut off by obstacles: queue up on the ordinary route rather than freeze.
        const d = Number.isFinite(detour.get(from)) ? detour.get(to) : this.route.distances.get(goal, to);
        return d + (to !== from && this.table.ownerOf(to) !== undefined ? OCCUPIED_PENALTY : 0) + tieBreak(agent, to, this.round);
    };
    // Pibt.step, one agent at a time.
    this.pibt.begin(current, rank, new DiscBodies(this.table.nearbyIndex(), radius));
    for (let k = 0; k < n; k++) {
      this.pibt.planAgent(order[k]!);
      if (k % YIELD_EVERY === YIELD_EVERY - 1) yield;
    }
    const proposed = this.pibt.next.slice(0, n);
    return yield* this.grant({ ids, states, current, goals, pinned }, proposed, nowMs);
  }

  /** Turns the proposal into reservations, claims (passing order) and waits; then looks for deadlocks. */
  private *grant(snapshot: RoundSnapshot, proposed: Int32Array, nowMs: number): Generator<void, string[]> {
    const { ids, states, current, goals, pinned } = snapshot;
    const changed: string[] = [];
    const waitsFor = new Map<string, string>();
    const proposedBy = new Map<number, string>();
    for (let i = 0; i < ids.length; i++) if (proposed[i] !== current[i]) proposedBy.set(proposed[i]!, ids[i]!);
    for (let i = 0; i < ids.length; i++) {
      if (i % YIELD_EVERY === YIELD_EVERY - 1) yield;
      const id = ids[i]!;
      const state = states[i]!;
      // Changed since the snapshot (only possible between slices): planned afresh next round.
      if (this.agents.get(id) !== state || this.frontier(id) !== current[i] || targetOf(state) !== goals[i]) continue;
      if (pinned[i]) {
        // Cannot move, or already holds as far ahead as allowed: not waiting for anyone.
        state.waitingFor = undefined;
        continue;
      }
      let next = proposed[i]!;
      let blocker: string | undefined;
      if (next === current[i]) {
        // Told to stay: note whom it waits for on its preferred route, for deadlock detection.
        next = this.admission.preferredNext(id, current[i]!, goals[i]!);
        if (next === NONE) {
          state.waitingFor = undefined;
          continue;
        }
        const check = this.table.check(id, next);
        blocker = check.ok ? (proposedBy.get(next) ?? this.admission.exitBlocker(id, next, goals[i]!)) : check.blocker;
        // Queue for the way ahead (passing order): nobody else is granted it, or stops next to it, meanwhile.
        if (!proposedBy.has(next)) this.passing.claimBlockedWay(this.round, id, [next, ...(this.admission.transitChain(id, next, goals[i]!) ?? [])]);
      } else if (this.table.path(id).includes(next)) {
        // Turning back onto a node it still holds would make the path revisit a node, which AGVs cannot follow
        // as one order: wait until that node is passed and released, then plan again.
        state.waitingFor = undefined;
        continue;
      } else {
        // A noStop node is granted only together with the rest of the way to a node where the AGV may stop.
        const rest = this.admission.transitChain(id, next, goals[i]!);
        const chain = [next, ...(rest ?? [])];
        if (rest === undefined) blocker = id;
        else {
          // A run that passes a node the AGV still holds cannot be followed as one order, as for a turn-back.
          const own = chain.findIndex((v, k) => k > 0 && this.table.path(id).includes(v));
          const closed = this.admission.closedStep(id, current[i]!, chain);
          const way = this.admission.wayBlocker(id, own < 0 ? chain : chain.slice(0, own + 1));
          if (closed !== undefined) blocker = closed;
          else if (way) {
            blocker = way.agvId;
            if (!way.claimed) this.passing.claimBlockedWay(this.round, id, chain);
          } else if (own >= 0) blocker = id;
        }
        // Equipment and navigation: held before a door until it is open, before a new area until the mode switched.
        if (blocker === undefined && !this.admission.gateAdmits(id, current[i]!, chain)) blocker = id;
        if (blocker === undefined && (blocker = this.admission.exitBlocker(id, chain[chain.length - 1]!, goals[i]!)) === undefined) {
          // The stall clock starts when there is somewhere to go, not while the AGV was queueing.
          if (this.table.path(id).length === 1) state.lastProgressMs = nowMs;
          for (const v of chain) {
            this.table.append(id, v);
            this.passing.granted(v);
          }
          changed.push(id);
        }
      }
      if (blocker === undefined || blocker === id) {
        state.waitingFor = undefined;
        continue;
      }
      waitsFor.set(id, blocker);
      if (state.waitingFor?.agvId !== blocker) state.waitingFor = { agvId: blocker, node: next, sinceMs: nowMs };
    }
    this.handleDeadlocks(waitsFor, nowMs);
    return changed;
  }

  private handleDeadlocks(waitsFor: Map<string, string>, nowMs: number): void {
    const seen = new Set<string>();
    for (const cycle of findCycles(waitsFor)) {
      const key = cycleKey(cycle);
      seen.add(key);
      const since = this.cycleSince.get(key);
      if (since === undefined) {
        this.cycleSince.set(key, nowMs);
        this.counters.deadlocksDetected++;
        this.emit('deadlock.detected', cycle, `wait-for cycle: ${cycle.join(' → ')}`);
        continue;
      }
      if (nowMs - since < this.deadlockAfterMs) continue;
      for (const id of cycle) this.passing.dropFor(id);
      const resolution = { table: this.table, graph: this.roadmap.graph, mayStop: (v: number) => this.route.mayStop(v), agents: this.agents, claims: this.passing.claims, holdBackMs: this.deadlockAfterMs * 2 };
      const moved = sendAside(resolution, cycle) ?? backOff(resolution, cycle, nowMs);
      if (moved) {
        this.counters.deadlocksResolved++;
        this.cycleSince.delete(key);
        this.emit('deadlock.resolved', cycle, `${moved.agvId} steps aside to ${this.roadmap.ids[moved.node]} to break ${cycle.join(' → ')}`);
      } else if (nowMs - since < this.deadlockAfterMs * 2) {
        this.emit('deadlock.unresolved', cycle, `no free side-step for ${cycle.join(' → ')} yet; retrying`);
        this.cycleSince.set(key, nowMs - this.deadlockAfterMs * 2);
      }
    }
    for (const key of [...this.cycleSince.keys()]) if (!seen.has(key)) this.cycleSince.delete(key);
  }

  // --- helpers ---

  /** The last node the AGV holds: where it is planned from. */
  private frontier(agvId: string): number {
    const path = this.table.path(agvId);
    return path.length > 0 ? path[path.length - 1]! : NONE;
  }

  private isImmovable(agvId: string): boolean {
    const state = this.agents.get(agvId);
    if (!state) return true;
    const path = this.table.path(agvId);
    const target = targetOf(state);
    return target === NONE || target === path[path.length - 1];
  }

  /** The next few nodes of the route beyond what is held: information for the AGV, never permission. */
  private announce(agvId: string, from: number): string[] {
    const state = this.agents.get(agvId)!;
    const target = targetOf(state);
    const result: string[] = [];
    let v = from;
    while (result.length < 4) {
      v = this.admission.preferredNext(agvId, v, target);
      if (v === NONE) break;
      result.push(this.roadmap.ids[v]!);
    }
    return result;
  }

  /** The AGV was seen somewhere new (or let go of what it held ahead): the stall clock restarts. */
  private moved(agvId: string, state: AgentState): void {
    state.lastProgressMs = this.nowMs;
    if (!state.stalled) return;
    state.stalled = false;
    this.emit('agv.recovered', [agvId], `${agvId} moves again`);
  }

  /** A returning AGV reported where it stands: from here on it is planned again. */
  private resumeIfReturning(agvId: string, state: AgentState): void {
    if (!this.returning.delete(agvId)) return;
    state.online = true;
    state.lastProgressMs = this.nowMs;
    this.emit('agv.online', [agvId], `${agvId} is back online`);
  }

  private emit(kind: TrafficEventKind, agvIds: string[], message: string): void {
    const event: TrafficEvent = { kind, atMs: this.nowMs, agvIds: [...agvIds], message };
    this.history.push(event);
    if (this.history.length > EVENT_HISTORY) this.history.shift();
    this.observers.event(event);
  }
}
