import type { RoadGraphInput } from '../road-graph.ts';
import type { TrafficController } from '../types.ts';
import { areasOverlap, pointInArea, polygonArea, segmentAreaDistance, type Area, type Capsule, type Pt } from '../../../core/geometry.ts';

// Autonomous space (bidirectional planning): an AGV asks for an area in which it moves on its own, e.g. a detour
// around an obstacle. The ask is checked against other AGVs' reservations (their bodies on every node they hold
// and every edge between them), against space already granted and against blocked resources (operator zones,
// reported obstacles), and answered granted, queued or refused with a reason. A grant becomes a block in traffic
// control (blockResources, holder = the AGV): others are planned around it until it is released, expires or is
// revoked. Pure decisions: the caller passes the time and does the talking (src/rcs/space).

export type SpaceRefusal =
  | 'invalidArea'
  | 'windowTooLong'
  | 'notInside'
  | 'trajectoryOutside'
  | 'blocked'
  | 'queueFull'
  | 'timeout'
  | 'alreadyHolding'
  | 'unknownAgv'
  | 'notOffered';

/** Why a grant ended without the AGV releasing it. */
export type LeaseEnd = 'expired' | 'revoked' | 'leftSpace';

/** What the AGV does when it loses a lease (expiry or revoke): stop where it is, or finish leaving the space. */
export type LeaseLoss = 'stop' | 'finishLeaving';

export interface SpaceAsk {
  agvId: string;
  requestId: number;
  /** Outline (metres, map frame) the AGV's whole body stays within; empty when `nodes` give the space. */
  polygon: readonly Pt[];
  /** Nodes (and the edges between them) asked for. */
  nodes: readonly string[];
  /** Window start (ms, platform clock; 0 = now) and length. */
  startMs: number;
  durationMs: number;
  /** The AGV's own planned trajectory (reference point); every point must lie in the space. */
  trajectory?: readonly Pt[];
  /** Whether the AGV renews its lease (protocol 1.2): else the lease runs to the end of the window. */
  renewable: boolean;
}

export interface Lease {
  leaseId: number;
  agvId: string;
  requestId: number;
  area: Area;
  /** Blocked for everyone else while the lease lasts. */
  nodes: readonly string[];
  edges: readonly string[];
  grantedAtMs: number;
  expiresAtMs: number;
  /** End of the asked window: a lease is never renewed beyond it. */
  windowEndMs: number;
  renewable: boolean;
  onLeaseLoss: LeaseLoss;
}

export type SpaceDecision =
  | { decision: 'granted'; lease: Lease }
  | { decision: 'queued'; position: number; waitingFor: string }
  | { decision: 'refused'; reason: SpaceRefusal; detail: string };

/** A queued ask that has been decided since: granted, or refused (timeout, or it became impossible). */
export interface QueueOutcome {
  ask: SpaceAsk;
  result: Extract<SpaceDecision, { decision: 'granted' | 'refused' }>;
}

export interface SpaceGrantOptions {
  /** Lease length for renewing AGVs (default 10 s). */
  leaseMs?: number;
  /** Longest window an AGV may ask for (default 120 s). */
  maxWindowMs?: number;
  /** Longest a queued ask waits (default: until its window ends). */
  maxQueueMs?: number;
  /** Most asks waiting at once (default 32). */
  maxQueue?: number;
  /** How far a reported position may lie outside the space before it counts as leaving it (default 0.1 m). */
  toleranceM?: number;
  onLeaseLoss?: LeaseLoss;
}

/** Id of the traffic block that holds a lease's space; blocks of queued asks (see below) use another prefix. */
export const leaseBlockId = (leaseId: number): string => `space:${leaseId}`;
const pendingBlockId = (agvId: string): string => `space-pending:${agvId}`;
const isSpaceBlock = (id: string): boolean => id.startsWith('space:') || id.startsWith('space-pending:');

interface Queued {
  ask: SpaceAsk;
  area: Area;
  queuedAtMs: number;
  deadlineMs: number;
}

interface EdgeGeometry {
  name: string;
  a: Pt;
  b: Pt;
  from: string;
  to: string;
}

export class SpaceGrants {
  private readonly points = new Map<string, Pt>();
  private readonly edgeList: EdgeGeometry[];
  private readonly active = new Map<number, Lease>();
  /**
   * Leases that ended without a release (expired, revoked): the AGV may have stopped anywhere inside, so the space
   * stays blocked until it reports standing on a node (settled) or leaves the site.
   */
  private readonly lost = new Map<number, Lease>();
  private readonly queue: Queued[] = [];
  private nextLeaseId = 1;
  private readonly leaseMs: number;
  private readonly maxWindowMs: number;
  private readonly maxQueue: number;
  private readonly toleranceM: number;

  constructor(
    private readonly traffic: TrafficController,
    site: RoadGraphInput,
    /** Disc radius (m) each AGV is planned with. */
    private readonly radiusOf: (agvId: string) => number,
    private readonly options: SpaceGrantOptions = {},
  ) {
    for (const n of site.nodes) this.points.set(n.id, { x: n.x, y: n.y });
    this.edgeList = site.edges.map((e) => ({ name: `${e.from}->${e.to}`, a: this.points.get(e.from)!, b: this.points.get(e.to)!, from: e.from, to: e.to }));
    this.leaseMs = options.leaseMs ?? 10_000;
    this.maxWindowMs = options.maxWindowMs ?? 120_000;
    this.maxQueue = options.maxQueue ?? 32;
    this.toleranceM = options.toleranceM ?? 0.1;
  }

  /** Decides an ask now: granted, queued (granted later by tick) or refused. */
  request(ask: SpaceAsk, nowMs: number): SpaceDecision {
    const invalid = this.validate(ask, nowMs);
    if (invalid) return invalid;
    const area = this.areaOf(ask);
    const position = this.positionOf(ask.agvId);
    if (!position || !pointInArea(position, area)) return refuse('notInside', `${ask.agvId} must stand in the space it asks for`);
    if (ask.trajectory?.some((p) => !pointInArea(p, area)) === true) return refuse('trajectoryOutside', 'the trajectory leaves the space asked for');
    const zone = this.blockedIn(area);
    if (zone !== undefined) return refuse('blocked', `the space overlaps blocked resources (${zone})`);
    const start = ask.startMs === 0 ? nowMs : ask.startMs;
    const conflict = start <= nowMs ? this.conflictOf(ask.agvId, area) : 'its window';
    if (conflict === undefined && !this.queue.some((q) => areasOverlap(q.area, area))) return { decision: 'granted', lease: this.grant(ask, area, nowMs) };
    if (this.queue.length >= this.maxQueue) return refuse('queueFull', `${this.queue.length} asks are waiting already`);
    const windowEnd = start + ask.durationMs;
    const deadlineMs = Math.min(windowEnd, this.options.maxQueueMs !== undefined ? nowMs + this.options.maxQueueMs : windowEnd);
    this.queue.push({ ask, area, queuedAtMs: nowMs, deadlineMs });
    this.holdForQueue();
    return { decision: 'queued', position: this.queue.length - 1, waitingFor: conflict ?? 'an ask queued before it' };
  }

  /** Renews a lease for another lease length (never beyond its window); undefined when it is not in force. */
  renew(agvId: string, leaseId: number, nowMs: number): Lease | undefined {
    const lease = this.active.get(leaseId);
    if (!lease || lease.agvId !== agvId || lease.expiresAtMs <= nowMs) return undefined;
    lease.expiresAtMs = Math.min(lease.windowEndMs, nowMs + this.leaseMs);
    return lease;
  }

  /** The AGV is done with the space: it returns to the pool at once. False when no such lease was in force. */
  release(agvId: string, leaseId: number): boolean {
    const lease = this.active.get(leaseId);
    if (!lease || lease.agvId !== agvId) return false;
    this.end(lease);
    return true;
  }

  /** Ends a lease on the platform's side (operator, e-stop zone, the AGV left its space). */
  revoke(leaseId: number): Lease | undefined {
    const lease = this.active.get(leaseId);
    if (lease) this.lose(lease);
    return lease;
  }

  /** The AGV reports standing still on a node: space it lost stops being blocked. */
  settled(agvId: string): void {
    for (const lease of [...this.lost.values()]) {
      if (lease.agvId !== agvId) continue;
      this.lost.delete(lease.leaseId);
      this.traffic.unblockResources(leaseBlockId(lease.leaseId));
    }
  }

  /** Drops everything the AGV holds, lost or waits for (it left the site); returns the leases ended. */
  forget(agvId: string): Lease[] {
    this.dropQueued((q) => q.ask.agvId === agvId);
    const ended = [...this.active.values()].filter((l) => l.agvId === agvId);
    for (const lease of ended) this.end(lease);
    this.settled(agvId);
    return ended;
  }

  /**
   * Expires leases and decides queued asks whose turn came or whose window ended. Returns both, for the caller to
   * tell the AGVs.
   */
  tick(nowMs: number): { expired: Lease[]; decided: QueueOutcome[] } {
    const expired = [...this.active.values()].filter((l) => l.expiresAtMs <= nowMs);
    for (const lease of expired) this.lose(lease);
    const decided: QueueOutcome[] = [];
    const claimed: Area[] = [];
    for (const q of [...this.queue]) {
      const start = q.ask.startMs === 0 ? q.queuedAtMs : q.ask.startMs;
      if (nowMs >= q.deadlineMs) {
        this.dropQueued((x) => x === q);
        decided.push({ ask: q.ask, result: refuse('timeout', 'the space did not come free within the window') });
        continue;
      }
      // Asks ahead in the queue keep their place: a later one overlapping them waits.
      if (nowMs < start || claimed.some((a) => areasOverlap(a, q.area))) {
        claimed.push(q.area);
        continue;
      }
      const zone = this.blockedIn(q.area);
      if (zone !== undefined) {
        this.dropQueued((x) => x === q);
        decided.push({ ask: q.ask, result: refuse('blocked', `the space overlaps blocked resources (${zone})`) });
        continue;
      }
      if (this.conflictOf(q.ask.agvId, q.area) !== undefined) {
        claimed.push(q.area);
        continue;
      }
      this.dropQueued((x) => x === q);
      decided.push({ ask: q.ask, result: { decision: 'granted', lease: this.grant(q.ask, q.area, nowMs) } });
    }
    this.holdForQueue();
    return { expired, decided };
  }

  /** The lease whose space the AGV's reported position has left, if it holds one and did. */
  leftSpace(agvId: string, position: Pt): Lease | undefined {
    for (const lease of this.active.values()) {
      if (lease.agvId !== agvId) continue;
      if (segmentAreaDistance(position, position, lease.area) > this.toleranceM) return lease;
    }
    return undefined;
  }

  leases(): Lease[] {
    return [...this.active.values()];
  }

  /** Space of leases lost without a release, still blocked until their AGVs settle. */
  lostLeases(): Lease[] {
    return [...this.lost.values()];
  }

  leaseOf(agvId: string): Lease | undefined {
    return [...this.active.values()].find((l) => l.agvId === agvId);
  }

  queued(): readonly SpaceAsk[] {
    return this.queue.map((q) => q.ask);
  }

  // --- decisions ---

  private validate(ask: SpaceAsk, nowMs: number): SpaceDecision | undefined {
    if (this.traffic.held(ask.agvId).length === 0) return refuse('unknownAgv', `${ask.agvId} is not placed on the map`);
    if (this.leaseOf(ask.agvId) || this.queue.some((q) => q.ask.agvId === ask.agvId)) return refuse('alreadyHolding', `${ask.agvId} already holds or waits for a space`);
    if (ask.polygon.length === 0 && ask.nodes.length === 0) return refuse('invalidArea', 'give a polygon, nodes, or both');
    if (ask.polygon.length > 0 && (ask.polygon.length < 3 || polygonArea(ask.polygon) <= 1e-6)) return refuse('invalidArea', 'the polygon needs at least 3 points enclosing an area');
    if (ask.polygon.some((p) => !Number.isFinite(p.x) || !Number.isFinite(p.y))) return refuse('invalidArea', 'polygon coordinates must be finite');
    const unknown = ask.nodes.filter((n) => !this.points.has(n));
    if (unknown.length > 0) return refuse('invalidArea', `unknown nodes: ${unknown.join(', ')}`);
    if (ask.durationMs <= 0) return refuse('windowTooLong', 'the window has no length');
    const start = ask.startMs === 0 ? nowMs : ask.startMs;
    if (start + ask.durationMs - nowMs > this.maxWindowMs) return refuse('windowTooLong', `windows end at most ${this.maxWindowMs} ms from now`);
    if (start + ask.durationMs <= nowMs) return refuse('windowTooLong', 'the window is over');
    return undefined;
  }

  /** The area: the polygon, plus the AGV's body over the nodes asked for and the map edges between them. */
  private areaOf(ask: SpaceAsk): Area {
    const r = this.radiusOf(ask.agvId);
    const nodes = new Set(ask.nodes);
    const capsules: Capsule[] = [...nodes].map((n) => ({ a: this.points.get(n)!, b: this.points.get(n)!, r }));
    for (const e of this.edgeList) if (nodes.has(e.from) && nodes.has(e.to)) capsules.push({ a: e.a, b: e.b, r });
    return { ...(ask.polygon.length > 0 ? { polygon: ask.polygon } : {}), capsules };
  }

  /** Another AGV whose body (on the nodes it holds and the edges between them) or granted space overlaps area. */
  private conflictOf(agvId: string, area: Area): string | undefined {
    for (const lease of [...this.active.values(), ...this.lost.values()]) if (lease.agvId !== agvId && areasOverlap(lease.area, area)) return `space granted to ${lease.agvId}`;
    for (const [other, held] of this.traffic.holdings()) {
      if (other === agvId || held.length === 0) continue;
      const r = this.radiusOf(other);
      const body: Capsule[] = held.map((n, i) => ({ a: this.points.get(held[i === 0 ? 0 : i - 1]!)!, b: this.points.get(n)!, r }));
      if (areasOverlap({ capsules: body }, area)) return other;
    }
    return undefined;
  }

  /** A block other than space (an operator zone, a reported obstacle) on ground the area covers. */
  private blockedIn(area: Area): string | undefined {
    for (const block of this.traffic.blockedResources()) {
      if (isSpaceBlock(block.id)) continue;
      const onNode = block.nodes.some((n) => segmentAreaDistance(this.points.get(n)!, this.points.get(n)!, area) <= 1e-9);
      const onEdge = block.edges.some((name) => {
        const e = this.edgeList.find((x) => x.name === name || `${x.to}->${x.from}` === name);
        return e !== undefined && segmentAreaDistance(e.a, e.b, area) <= 1e-9;
      });
      if (onNode || onEdge) return block.id;
    }
    return undefined;
  }

  private grant(ask: SpaceAsk, area: Area, nowMs: number): Lease {
    const windowEndMs = (ask.startMs === 0 ? nowMs : ask.startMs) + ask.durationMs;
    const { nodes, edges } = this.reach(area);
    const lease: Lease = {
      leaseId: this.nextLeaseId++,
      agvId: ask.agvId,
      requestId: ask.requestId,
      area,
      nodes,
      edges,
      grantedAtMs: nowMs,
      expiresAtMs: ask.renewable ? Math.min(windowEndMs, nowMs + this.leaseMs) : windowEndMs,
      windowEndMs,
      renewable: ask.renewable,
      onLeaseLoss: this.options.onLeaseLoss ?? 'stop',
    };
    this.active.set(lease.leaseId, lease);
    this.traffic.unblockResources(pendingBlockId(ask.agvId));
    this.traffic.blockResources({ id: leaseBlockId(lease.leaseId), nodes, edges, holder: ask.agvId });
    return lease;
  }

  /**
   * Nodes and edges where another body could touch the area: within the largest body radius of it. A body
   * planned on any other node or edge stays clear of the space whatever its size.
   */
  private reach(area: Area): { nodes: string[]; edges: string[] } {
    let reachM = 0;
    for (const id of this.traffic.holdings().keys()) reachM = Math.max(reachM, this.radiusOf(id));
    const nodes = [...this.points].filter(([, p]) => segmentAreaDistance(p, p, area) < reachM).map(([id]) => id);
    const edges = this.edgeList.filter((e) => segmentAreaDistance(e.a, e.b, area) < reachM).map((e) => e.name);
    return { nodes, edges };
  }

  private end(lease: Lease): void {
    this.active.delete(lease.leaseId);
    this.traffic.unblockResources(leaseBlockId(lease.leaseId));
  }

  /** Ended without a release: the block stays until the AGV settles (see `lost`). */
  private lose(lease: Lease): void {
    this.active.delete(lease.leaseId);
    this.lost.set(lease.leaseId, lease);
  }

  /**
   * The first queued ask not overlapping an earlier one keeps others from being granted its ground meanwhile
   * (AGVs there finish leaving): otherwise a busy aisle would never come free for it.
   */
  private holdForQueue(): void {
    const held = new Set<string>();
    const claimed: Area[] = [];
    for (const q of this.queue) {
      if (claimed.some((a) => areasOverlap(a, q.area))) continue;
      claimed.push(q.area);
      if ([...this.active.values(), ...this.lost.values()].some((l) => areasOverlap(l.area, q.area))) continue;
      const { nodes, edges } = this.reach(q.area);
      this.traffic.blockResources({ id: pendingBlockId(q.ask.agvId), nodes, edges, holder: q.ask.agvId });
      held.add(pendingBlockId(q.ask.agvId));
    }
    for (const block of this.traffic.blockedResources()) if (block.id.startsWith('space-pending:') && !held.has(block.id)) this.traffic.unblockResources(block.id);
  }

  private dropQueued(match: (q: Queued) => boolean): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (!match(this.queue[i]!)) continue;
      this.traffic.unblockResources(pendingBlockId(this.queue[i]!.ask.agvId));
      this.queue.splice(i, 1);
    }
  }

  private positionOf(agvId: string): Pt | undefined {
    const at = this.traffic.held(agvId)[0];
    return at === undefined ? undefined : this.points.get(at);
  }
}

function refuse(reason: SpaceRefusal, detail: string): Extract<SpaceDecision, { decision: 'refused' }> {
  return { decision: 'refused', reason, detail };
}
