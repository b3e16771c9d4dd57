import type { ResourceBlock, TrafficController, TrafficGrant, TrafficObserver, WaitInfo } from './types.ts';

// Max-occupancy zones in front of any traffic controller: at most `maxAgvs` AGVs inside a set of nodes at once.
// An AGV counts as inside from the grant that takes it in until it reports a node outside. A grant that would take
// one more AGV in while the zone is full is cut before the zone's first node; an AGV standing at the zone's edge
// waits (its goal forgotten by the controller underneath, so it holds nothing inside) and asks again later, when
// someone may have left. Everything else is the controller underneath.

export interface OccupancyLimit {
  id: string;
  nodes: ReadonlySet<string>;
  maxAgvs: number;
}

export class OccupancyLimitedTraffic implements TrafficController {
  private limits: OccupancyLimit[] = [];
  /** Where each AGV last stood (placed or reported). */
  private readonly position = new Map<string, string>();
  /** Per zone: AGVs let in that have not reported a node inside yet. */
  private readonly admitted = new Map<string, Set<string>>();

  constructor(readonly inner: TrafficController) {}

  setLimits(limits: readonly OccupancyLimit[]): void {
    this.limits = [...limits];
    for (const id of [...this.admitted.keys()]) if (!limits.some((l) => l.id === id)) this.admitted.delete(id);
  }

  /** AGVs inside (or let in) per zone, for the API. */
  occupants(zoneId: string): string[] {
    const limit = this.limits.find((l) => l.id === zoneId);
    return limit ? [...this.inside(limit)] : [];
  }

  request(agvId: string, goal: string, nowMs: number): TrafficGrant {
    const grant = this.inner.request(agvId, goal, nowMs);
    if (grant.kind !== 'go' || this.limits.length === 0) return grant;
    for (let i = 1; i < grant.path.length; i++) {
      const full = this.limits.find((l) => l.nodes.has(grant.path[i]!) && !l.nodes.has(grant.path[i - 1]!) && !this.inside(l).has(agvId) && this.inside(l).size >= l.maxAgvs);
      if (!full) continue;
      if (i >= 2) return { kind: 'go', path: grant.path.slice(0, i), reachesGoal: false, announced: [] };
      // At the zone's edge: nothing inside may stay held for it, or the AGVs inside could not move there.
      this.inner.stop(agvId);
      return { kind: 'wait', reason: 'blocked', blockedBy: `zone:${full.id}` };
    }
    const here = this.position.get(agvId);
    for (const l of this.limits) {
      if (here !== undefined && l.nodes.has(here)) continue;
      // Let in, or re-routed so it no longer enters: then it stops counting.
      if (grant.path.some((n) => l.nodes.has(n))) this.admittedTo(l.id).add(agvId);
      else this.admitted.get(l.id)?.delete(agvId);
    }
    return grant;
  }

  place(agvId: string, node: string): boolean {
    this.moved(agvId, node);
    return this.inner.place(agvId, node);
  }

  reportProgress(agvId: string, node: string): boolean {
    this.moved(agvId, node);
    return this.inner.reportProgress(agvId, node);
  }

  standsAt(agvId: string, node: string): boolean {
    this.moved(agvId, node);
    return this.inner.standsAt?.(agvId, node) ?? false;
  }

  stop(agvId: string): void {
    this.forgetAdmission(agvId);
    this.inner.stop(agvId);
  }

  release(agvId: string): void {
    this.forgetAdmission(agvId);
    this.position.delete(agvId);
    this.inner.release(agvId);
  }

  heldBy(node: string): string | undefined {
    return this.inner.heldBy(node);
  }
  held(agvId: string): readonly string[] {
    return this.inner.held(agvId);
  }
  holdings(): ReadonlyMap<string, readonly string[]> {
    return this.inner.holdings();
  }
  waiting(): WaitInfo[] {
    return this.inner.waiting();
  }
  tick(nowMs: number): string[] {
    return this.inner.tick(nowMs);
  }
  agvOffline(agvId: string): void {
    this.inner.agvOffline(agvId);
  }
  agvOnline(agvId: string): void {
    this.inner.agvOnline(agvId);
  }
  observe(observer: TrafficObserver): () => void {
    return this.inner.observe(observer);
  }
  blockResources(block: ResourceBlock): void {
    this.inner.blockResources(block);
  }
  unblockResources(id: string): void {
    this.inner.unblockResources(id);
  }
  blockedResources(): readonly ResourceBlock[] {
    return this.inner.blockedResources();
  }
  setFootprint(agvId: string, dimensions: { lengthM: number; widthM: number }): void {
    this.inner.setFootprint?.(agvId, dimensions);
  }

  private inside(limit: OccupancyLimit): Set<string> {
    const result = new Set(this.admitted.get(limit.id));
    for (const [agvId, node] of this.position) if (limit.nodes.has(node)) result.add(agvId);
    return result;
  }

  private moved(agvId: string, node: string): void {
    this.position.set(agvId, node);
    // Inside now: counted by position. Outside again after having been let in and gone through: it left.
    for (const l of this.limits) if (l.nodes.has(node)) this.admitted.get(l.id)?.delete(agvId);
  }

  private forgetAdmission(agvId: string): void {
    for (const set of this.admitted.values()) set.delete(agvId);
  }

  private admittedTo(zoneId: string): Set<string> {
    let set = this.admitted.get(zoneId);
    if (!set) this.admitted.set(zoneId, (set = new Set()));
    return set;
  }
}
