import type { SiteMap } from '../../src/rcs/site/types.ts';
import { ReservationTrafficController, RoadGraph } from '../../src/rcs/traffic/index.ts';
import type { TrafficController, TrafficGrant, WaitInfo } from '../../src/rcs/traffic/types.ts';

// The status quo that UniFleet replaces, as a TrafficController for the zones benchmark: every vendor runs its own
// fleet manager (here: the platform's v1 reservation controller, one per vendor, routing only on the vendor's own
// aisles plus the shared roads), and the shared roads are split into zones with "one vendor per zone at a time".
// A vendor's AGV books every shared zone on its remaining route before entering the first one (so vendors never
// hold one zone while waiting for another: no cross-vendor deadlock) and a zone that another vendor is waiting for
// admits no newcomers (drain), so no vendor starves.

/** A queued AGV that has not asked again for this long has given up on the zone (new task, stopped). */
const STILL_ASKING_MS = 1_000;

export interface ZoneLayout {
  /** Zone of each node: a vendor's home zone (`home:<vendor>`) or a shared zone (`shared:<name>`). */
  zoneOf: Map<string, string>;
}

/** Demo-warehouse zoning: aisles dealt out to vendors in blocks; the ring road with its spurs is the shared zone. */
export function demoWarehouseZones(site: SiteMap, vendors: readonly string[]): ZoneLayout {
  const aisles = [...new Set(site.nodes.filter((n) => n.y === 10 || n.y === 2).map((n) => n.x))].filter((x) => x > 0 && x < 30);
  const trueAisles = aisles.filter((x) => site.nodes.some((n) => n.x === x && n.y === 3));
  const perVendor = Math.ceil(trueAisles.length / vendors.length);
  const vendorOfAisle = new Map(trueAisles.map((x, i) => [x, vendors[Math.min(vendors.length - 1, Math.floor(i / perVendor))]!]));
  const zoneOf = new Map<string, string>();
  const stationAisle = new Map<string, number>();
  for (const e of site.edges) {
    for (const [spur, road] of [
      [e.from, e.to],
      [e.to, e.from],
    ] as const) {
      const s = site.nodes.find((n) => n.id === spur)!;
      const r = site.nodes.find((n) => n.id === road)!;
      if (!vendorOfAisle.has(s.x) && vendorOfAisle.has(r.x) && s.y === r.y && s.y > 1 && s.y < 19 && s.y !== 10) stationAisle.set(spur, r.x);
    }
  }
  for (const n of site.nodes) {
    let zone: string;
    // The roads form one one-way ring: split into several zones it would lock up in a circle (vendor A on the
    // bottom road waiting for the right edge held by B, who waits for the top road held by A, ...), which is why
    // zoned sites fence a loop as one zone.
    if (n.y <= 1 || n.y >= 19 || n.x === 0 || n.x === 30) zone = 'shared:roads';
    else if (vendorOfAisle.has(n.x)) zone = `home:${vendorOfAisle.get(n.x)}`;
    else if (stationAisle.has(n.id)) zone = `home:${vendorOfAisle.get(stationAisle.get(n.id)!)}`;
    else {
      // Cross-aisle nodes between aisles belong to the nearest aisle's vendor.
      const nearest = trueAisles.reduce((best, x) => (Math.abs(x - n.x) < Math.abs(best - n.x) ? x : best), trueAisles[0]!);
      zone = `home:${vendorOfAisle.get(nearest)}`;
    }
    zoneOf.set(n.id, zone);
  }
  return { zoneOf };
}

export class ZonedTrafficController implements TrafficController {
  private readonly perVendor = new Map<string, ReservationTrafficController>();
  private readonly bookings = new Map<string, Map<string, string>>(); // zone -> agv -> vendor
  private readonly queue = new Map<string, string[]>(); // zone -> AGVs waiting to book it, in order
  /** When each queued AGV last asked for a zone (`zone agv`): AGVs that stopped asking no longer hold the queue. */
  private readonly lastAsked = new Map<string, number>();
  private nowMs = 0;

  constructor(
    site: SiteMap,
    private readonly layout: ZoneLayout,
    private readonly vendorOf: (agvId: string) => string,
    vendors: readonly string[],
  ) {
    for (const vendor of vendors) {
      const allowed = (id: string) => {
        const zone = layout.zoneOf.get(id)!;
        return zone.startsWith('shared:') || zone === `home:${vendor}`;
      };
      const nodes = site.nodes.filter((n) => allowed(n.id));
      const edges = site.edges.filter((e) => allowed(e.from) && allowed(e.to));
      this.perVendor.set(vendor, new ReservationTrafficController(new RoadGraph({ nodes, edges })));
    }
  }

  private inner(agvId: string): ReservationTrafficController {
    return this.perVendor.get(this.vendorOf(agvId))!;
  }

  place(agvId: string, node: string): boolean {
    return this.inner(agvId).place(agvId, node);
  }

  request(agvId: string, goal: string, nowMs: number): TrafficGrant {
    this.nowMs = Math.max(this.nowMs, nowMs);
    const grant = this.inner(agvId).request(agvId, goal, nowMs);
    this.releaseLeftZones(agvId, grant.kind === 'go' ? grant.path : []);
    if (grant.kind !== 'go') return grant;
    // Book each shared zone as the released path reaches it; drive only up to a zone another vendor is in.
    const vendor = this.vendorOf(agvId);
    for (let k = 1; k < grant.path.length; k++) {
      const zone = this.layout.zoneOf.get(grant.path[k]!)!;
      if (!zone.startsWith('shared:') || this.bookings.get(zone)?.has(agvId)) continue;
      if (!this.bookable(zone, vendor, agvId)) {
        const q = this.queue.get(zone) ?? [];
        if (!q.includes(agvId)) q.push(agvId);
        this.queue.set(zone, q);
        this.lastAsked.set(`${zone} ${agvId}`, this.nowMs);
        if (k <= 1) return { kind: 'wait', reason: 'blocked' };
        return { ...grant, path: grant.path.slice(0, k), reachesGoal: false, announced: [] };
      }
      let b = this.bookings.get(zone);
      if (!b) this.bookings.set(zone, (b = new Map()));
      b.set(agvId, vendor);
      const q = this.queue.get(zone);
      if (q?.includes(agvId)) q.splice(q.indexOf(agvId), 1);
    }
    return grant;
  }

  private bookable(zone: string, vendor: string, agvId: string): boolean {
    for (const v of this.bookings.get(zone)?.values() ?? []) if (v !== vendor) return false;
    // Drain: a zone in use admits no more of its vendor's AGVs while another vendor waits for it, except those
    // whose own fleet manager already reserved nodes in it (they could not back out); an empty zone goes to
    // whoever has waited longest: first come, first served (otherwise the vendor whose AGVs happen to ask first
    // in every control cycle takes the free zone every time and the others starve for the whole run).
    const inUse = (this.bookings.get(zone)?.size ?? 0) > 0;
    const waiting = (this.queue.get(zone) ?? []).filter((id) => (this.lastAsked.get(`${zone} ${id}`) ?? -Infinity) >= this.nowMs - STILL_ASKING_MS);
    const othersWaiting = waiting.some((id) => this.vendorOf(id) !== vendor);
    const committed = this.held(agvId).some((n) => this.layout.zoneOf.get(n) === zone);
    if (committed) return true;
    if (inUse) return !othersWaiting;
    return waiting.length === 0 || this.vendorOf(waiting[0]!) === vendor;
  }

  /** Zones the AGV neither stands in nor still needs are handed back. */
  private releaseLeftZones(agvId: string, stillNeeded: readonly string[]): void {
    const keep = new Set([...stillNeeded, ...this.held(agvId)].map((n) => this.layout.zoneOf.get(n)!));
    for (const [zone, b] of this.bookings) if (b.has(agvId) && !keep.has(zone)) b.delete(agvId);
  }

  reportProgress(agvId: string, node: string): boolean {
    return this.inner(agvId).reportProgress(agvId, node);
  }

  stop(agvId: string): void {
    this.inner(agvId).stop(agvId);
    this.releaseLeftZones(agvId, []);
  }

  release(agvId: string): void {
    this.inner(agvId).release(agvId);
    for (const b of this.bookings.values()) b.delete(agvId);
    for (const q of this.queue.values()) if (q.includes(agvId)) q.splice(q.indexOf(agvId), 1);
  }

  heldBy(node: string): string | undefined {
    for (const inner of this.perVendor.values()) {
      const holder = inner.heldBy(node);
      if (holder !== undefined) return holder;
    }
    return undefined;
  }

  held(agvId: string): readonly string[] {
    return this.inner(agvId).held(agvId);
  }

  holdings(): ReadonlyMap<string, readonly string[]> {
    const all = new Map<string, readonly string[]>();
    for (const inner of this.perVendor.values()) for (const [id, nodes] of inner.holdings()) all.set(id, nodes);
    return all;
  }

  waiting(): WaitInfo[] {
    return [...this.perVendor.values()].flatMap((inner) => inner.waiting());
  }

  tick(nowMs: number): string[] {
    return [...this.perVendor.values()].flatMap((inner) => inner.tick(nowMs));
  }
}
