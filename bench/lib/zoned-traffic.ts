import { VENDOR_PROFILES, type VendorProfile } from '../../src/agv/sim/profiles.ts';
import type { SiteMap } from '../../src/rcs/site/types.ts';
import type { SimAgvSpec } from '../../src/rcs/traffic/central/simulation.ts';
import { ReservationTrafficController, RoadGraph } from '../../src/rcs/traffic/index.ts';
import type { ResourceBlock, TrafficController, TrafficGrant, TrafficObserver, WaitInfo } from '../../src/rcs/traffic/types.ts';

// The status quo that UniFleet replaces, as a TrafficController for the zones benchmark: every vendor runs its own
// fleet manager (here: the platform's v1 reservation controller, one per vendor, routing only on the vendor's own
// aisles plus the shared roads), and the shared roads form zones with "one vendor per zone at a time".
//
// How a zone changes hands, as a site's zone interlock does it:
// * A vendor drives into a shared zone only through its *gates* (home nodes whose only way on leads into the zone).
//   While the zone is not open to the vendor, each gate is held by a fence (a phantom AGV inside the vendor's own
//   fleet manager), so that fleet manager reserves nothing beyond the gate. "Committed to a zone" therefore means
//   standing in it, holding nodes in it or holding its gate — never a reservation made ahead of the booking.
// * An AGV standing at a station whose route leads into a zone not open to its vendor waits at the station (queued
//   at the gate it would block its own one-way aisle).
// * The owner keeps the zone for at least the hold time. Then, if another vendor waits, it drains: its gates close
//   as they come free and its AGVs at stations stay there; once its last AGV has left the zone, the zone passes to
//   the vendor that has waited longest. A drain never waits for itself: when an AGV still in the zone waits, through
//   a queue of its own fleet, on an AGV held back for the zone, that one is let in.

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

/** One body size for all (the default): the central controller does not yet keep a dense mixed-footprint fleet moving. */
export const COMPACT_BODY = { lengthM: 0.9, widthM: 0.65 };

/**
 * The benchmark's fleet: `agvCount` AGVs dealt out evenly to the vendors of VENDOR_PROFILES, each starting on every
 * other plain node of its vendor's home aisles, speed factors 0.6-1.0. `compact` gives every AGV COMPACT_BODY
 * (speeds, accelerations and action times stay per vendor); `real` keeps each vendor's own dimensions.
 */
export function zonedFleet(site: SiteMap, layout: ZoneLayout, agvCount: number, seed: number, bodies: 'compact' | 'real'): SimAgvSpec[] {
  const stations = new Set(site.stations.map((s) => s.node));
  const result: SimAgvSpec[] = [];
  let random = seed * 7919;
  const next = () => (random = (random * 1103515245 + 12345) % 2147483648) / 2147483648;
  VENDOR_PROFILES.forEach((base, v) => {
    const profile: VendorProfile = bodies === 'compact' ? { ...base, ...COMPACT_BODY } : base;
    const home = site.nodes
      .filter((n) => layout.zoneOf.get(n.id) === `home:${base.vendor}` && !stations.has(n.id) && n.y !== 10)
      .sort((a, b) => a.x - b.x || a.y - b.y);
    const count = Math.floor(agvCount / VENDOR_PROFILES.length) + (v < agvCount % VENDOR_PROFILES.length ? 1 : 0);
    for (let k = 0; k < count; k++) {
      // Every other node, so AGVs start with room to move.
      const start = home[(2 * k) % home.length]!;
      result.push({ id: `${base.vendor.split(' ')[0]!.toLowerCase()}-${k + 1}`, profile, speedFactor: 0.6 + next() * 0.4, start: start.id });
    }
  });
  return result;
}

/**
 * Counts finished tasks per vendor. The fleet simulation calls stop() when an AGV finishes a task (and when it
 * reaches a parking spot, which it never does while tasks are pending).
 */
export function countFinishedTasks(traffic: TrafficController, vendorOf: (agvId: string) => string): Map<string, number> {
  const done = new Map<string, number>();
  const stop = traffic.stop.bind(traffic);
  traffic.stop = (agvId: string) => {
    done.set(vendorOf(agvId), (done.get(vendorOf(agvId)) ?? 0) + 1);
    stop(agvId);
  };
  return done;
}

/** A zone its owner has not used for this long goes to a waiting vendor before the owner's hold time is up. */
const UNUSED_HANDOVER_MS = 30_000;

/** A vendor's way into a shared zone: a home node whose only way on leads into the zone. */
interface Gate {
  vendor: string;
  zone: string;
  node: string;
  /** The phantom AGV that holds the gate node inside the vendor's fleet manager while the gate is closed. */
  fence: string;
  closed: boolean;
  /** Opened during a drain because the owner's own AGVs in the zone wait, through a queue, on this gate. */
  admitting: boolean;
}

interface ZoneState {
  owner?: string;
  ownerSinceMs: number;
  /** Last time the owner had an AGV in the zone, on a gate or waiting for the zone. */
  ownerUsedMs: number;
  /** The owner lets no more AGVs in because another vendor waits. */
  draining: boolean;
  /** Since when each vendor has had an AGV waiting at one of its closed gates into the zone. */
  waitingSince: Map<string, number>;
}

export interface ZonedOptions {
  /**
   * How long a vendor keeps a shared zone open to its AGVs after getting it before it drains for a waiting vendor
   * (default 300 s). Short holds mean short waits but many handovers, each costing a full drain of the zone.
   */
  minHoldMs?: number;
}

interface Arc {
  from: string;
  to: string;
  length: number;
  maxSpeed: number;
}

export class ZonedTrafficController implements TrafficController {
  private readonly perVendor = new Map<string, ReservationTrafficController>();
  private readonly blocks = new Map<string, ResourceBlock>();
  private readonly gates: Gate[] = [];
  private readonly gateByFence = new Map<string, Gate>();
  private readonly gateAt = new Map<string, Gate>();
  private readonly stations: ReadonlySet<string>;
  private readonly zones = new Map<string, ZoneState>();
  private readonly minHoldMs: number;
  private readonly graphs = new Map<string, RoadGraph>();
  /** AGVs standing still that their fleet manager keeps where they are until the zone on their route is theirs. */
  private readonly heldBack = new Map<string, string>();
  /** Held-back AGVs let go because the owner's own AGVs in the zone wait on them (see admitIfNeeded). */
  private readonly admitted = new Set<string>();
  /** First shared zone on the plain shortest route (`vendor from>goal`), or null. */
  private readonly zoneOnRoute = new Map<string, string | null>();

  constructor(
    site: SiteMap,
    private readonly layout: ZoneLayout,
    private readonly vendorOf: (agvId: string) => string,
    vendors: readonly string[],
    options: ZonedOptions = {},
  ) {
    this.minHoldMs = options.minHoldMs ?? 300_000;
    this.stations = new Set(site.stations.map((s) => s.node));
    const zoneOf = (id: string) => layout.zoneOf.get(id)!;
    const shared = (id: string) => zoneOf(id).startsWith('shared:');
    const arcs: Arc[] = site.edges.flatMap((e) => {
      const arc = { from: e.from, to: e.to, length: e.length, maxSpeed: e.maxSpeed };
      return e.bidirectional ? [arc, { ...arc, from: e.to, to: e.from }] : [arc];
    });
    for (const a of arcs) {
      // Two shared zones side by side would need gates inside shared zones; the sites modelled here have none.
      if (shared(a.from) && shared(a.to) && zoneOf(a.from) !== zoneOf(a.to)) throw new Error(`shared zones ${zoneOf(a.from)} and ${zoneOf(a.to)} touch`);
    }
    for (const n of site.nodes) if (shared(n.id)) this.zones.set(zoneOf(n.id), { ownerSinceMs: 0, ownerUsedMs: 0, draining: false, waitingSince: new Map() });
    for (const vendor of vendors) {
      const allowed = (id: string) => shared(id) || zoneOf(id) === `home:${vendor}`;
      const own = arcs.filter((a) => allowed(a.from) && allowed(a.to));
      const outs = new Map<string, Arc[]>();
      for (const a of own) outs.set(a.from, [...(outs.get(a.from) ?? []), a]);
      // A home node with a way into a shared zone is a gate if that is its only way on. Otherwise that way in is
      // dropped (e.g. the cross-aisle ends at the ring become entries only): a node that an interlock held closed
      // would then also block the home traffic passing through it.
      const isGate = (node: string) => !shared(node) && outs.get(node)!.every((b) => shared(b.to) && zoneOf(b.to) === zoneOf(outs.get(node)![0]!.to));
      const kept = own.filter((a) => shared(a.from) || !shared(a.to) || isGate(a.from));
      for (const node of new Set(kept.filter((a) => !shared(a.from) && shared(a.to)).map((a) => a.from))) {
        const gate: Gate = { vendor, zone: zoneOf(outs.get(node)![0]!.to), node, fence: `fence:${vendor}:${node}`, closed: false, admitting: false };
        this.gates.push(gate);
        this.gateByFence.set(gate.fence, gate);
        this.gateAt.set(node, gate);
      }
      const graph = new RoadGraph({ nodes: site.nodes.filter((n) => allowed(n.id)), edges: kept.map((a) => ({ ...a, bidirectional: false })) });
      this.graphs.set(vendor, graph);
      this.perVendor.set(vendor, new ReservationTrafficController(graph));
    }
  }

  private inner(agvId: string): ReservationTrafficController {
    return this.perVendor.get(this.vendorOf(agvId))!;
  }

  place(agvId: string, node: string): boolean {
    return this.inner(agvId).place(agvId, node);
  }

  request(agvId: string, goal: string, nowMs: number): TrafficGrant {
    const zone = this.mustWaitFor(agvId, goal);
    if (zone !== undefined) {
      this.heldBack.set(agvId, zone);
      return { kind: 'wait', reason: 'blocked' };
    }
    this.heldBack.delete(agvId);
    return this.inner(agvId).request(agvId, goal, nowMs);
  }

  /**
   * An AGV that stands still at a station and whose route leads into a shared zone its vendor may not enter now
   * waits there, as the vendor's fleet manager would keep it: queued at the gate it would block its own aisle for
   * everyone else (one-way aisles are the only way to their stations).
   */
  private mustWaitFor(agvId: string, goal: string): string | undefined {
    const held = this.inner(agvId).held(agvId);
    if (held.length !== 1) {
      this.admitted.delete(agvId);
      return undefined;
    }
    const vendor = this.vendorOf(agvId);
    const gate = this.gateAt.get(held[0]!);
    // On a gate only when placed there (a fence is never put up under an AGV): the owner's AGVs there are committed.
    if (gate) return this.zones.get(gate.zone)!.owner === vendor ? undefined : gate.zone;
    // Only at a station (a spur off the aisle): anywhere else a waiting AGV would block its own fleet's way.
    if (this.admitted.has(agvId) || !this.stations.has(held[0]!) || this.layout.zoneOf.get(held[0]!)!.startsWith('shared:')) return undefined;
    const key = `${vendor} ${held[0]}>${goal}`;
    let zone = this.zoneOnRoute.get(key);
    if (zone === undefined) {
      const path = this.graphs.get(vendor)!.shortestPath(held[0]!, goal)?.path ?? [];
      zone = path.map((n) => this.layout.zoneOf.get(n)!).find((z) => z.startsWith('shared:')) ?? null;
      this.zoneOnRoute.set(key, zone);
    }
    if (zone === null) return undefined;
    const state = this.zones.get(zone)!;
    return state.owner === vendor && !state.draining ? undefined : zone;
  }

  reportProgress(agvId: string, node: string): boolean {
    return this.inner(agvId).reportProgress(agvId, node);
  }

  stop(agvId: string): void {
    this.inner(agvId).stop(agvId);
    this.heldBack.delete(agvId);
  }

  release(agvId: string): void {
    this.inner(agvId).release(agvId);
    this.heldBack.delete(agvId);
    this.admitted.delete(agvId);
  }

  heldBy(node: string): string | undefined {
    for (const inner of this.perVendor.values()) {
      const holder = inner.heldBy(node);
      if (holder !== undefined && !this.gateByFence.has(holder)) return holder;
    }
    return undefined;
  }

  held(agvId: string): readonly string[] {
    return this.inner(agvId).held(agvId);
  }

  holdings(): ReadonlyMap<string, readonly string[]> {
    const all = new Map<string, readonly string[]>();
    for (const inner of this.perVendor.values()) for (const [id, nodes] of inner.holdings()) if (!this.gateByFence.has(id)) all.set(id, nodes);
    return all;
  }

  /** AGVs waiting for a node another AGV holds; AGVs queued at a closed gate wait for a zone, not an AGV. */
  waiting(): WaitInfo[] {
    return [...this.perVendor.values()].flatMap((inner) => inner.waiting()).filter((w) => !this.gateByFence.has(w.blockedBy));
  }

  tick(nowMs: number): string[] {
    for (const zone of this.zones.keys()) this.updateZone(zone, nowMs);
    return [...this.perVendor.values()].flatMap((inner) => inner.tick(nowMs));
  }

  agvOffline(agvId: string): void {
    this.inner(agvId).agvOffline(agvId);
  }

  agvOnline(agvId: string): void {
    this.inner(agvId).agvOnline(agvId);
  }

  observe(observer: TrafficObserver): () => void {
    const stops = [...this.perVendor.values()].map((inner) => inner.observe(observer));
    return () => stops.forEach((stop) => stop());
  }

  /** Each vendor's fleet manager blocks the part of the block on its own roads. */
  blockResources(block: ResourceBlock): void {
    this.blocks.set(block.id, block);
    for (const [vendor, inner] of this.perVendor) {
      const graph = this.graphs.get(vendor)!;
      inner.blockResources({ ...block, nodes: block.nodes.filter((n) => graph.has(n)), edges: block.edges.filter((e) => graph.edgeEnds(e) !== undefined) });
    }
  }

  unblockResources(id: string): void {
    this.blocks.delete(id);
    for (const inner of this.perVendor.values()) inner.unblockResources(id);
  }

  blockedResources(): readonly ResourceBlock[] {
    return [...this.blocks.values()];
  }

  /** The zone interlock, once per control cycle: who waits, whether the owner drains, and the handover. */
  private updateZone(zone: string, nowMs: number): void {
    const state = this.zones.get(zone)!;
    for (const [vendor, inner] of this.perVendor) {
      const waits =
        inner.waiting().some((w) => this.gateByFence.get(w.blockedBy)?.zone === zone) ||
        [...this.heldBack].some(([id, z]) => z === zone && this.vendorOf(id) === vendor);
      if (!waits) state.waitingSince.delete(vendor);
      else if (!state.waitingSince.has(vendor)) state.waitingSince.set(vendor, nowMs);
    }
    if (state.owner === undefined) state.owner = [...this.perVendor.keys()].find((v) => this.occupies(v, zone));
    const others = [...state.waitingSince].filter(([v]) => v !== state.owner).sort((a, b) => a[1] - b[1]);
    const occupied = state.owner !== undefined && this.occupies(state.owner, zone);
    if (occupied || (state.owner !== undefined && state.waitingSince.has(state.owner))) state.ownerUsedMs = nowMs;
    const held = nowMs - state.ownerSinceMs >= this.minHoldMs;
    const draining = others.length > 0 && occupied && held;
    state.draining = draining;
    // A new owner's AGVs need a while to reach its gates from their stations: the zone stays theirs for the hold
    // time unless they leave it unused for a while.
    if (others.length > 0 && !occupied && (held || nowMs - state.ownerUsedMs >= UNUSED_HANDOVER_MS)) {
      // Drained (or never owned): the zone goes to the vendor that has waited longest.
      state.owner = others[0]![0];
      state.ownerSinceMs = nowMs;
      state.ownerUsedMs = nowMs;
      state.waitingSince.delete(state.owner);
    }
    for (const gate of this.gates) {
      if (gate.zone !== zone) continue;
      if (gate.vendor !== state.owner || draining) this.close(gate);
      else this.open(gate);
    }
    if (draining) this.admitIfNeeded(state.owner!, zone);
  }

  /** Whether any of the vendor's AGVs holds a node in the zone or one of its gates (then it is bound to enter). */
  private occupies(vendor: string, zone: string): boolean {
    const gateNodes = new Set(this.gates.filter((g) => g.vendor === vendor && g.zone === zone).map((g) => g.node));
    for (const [id, nodes] of this.perVendor.get(vendor)!.holdings()) {
      if (this.gateByFence.has(id)) continue;
      if (nodes.some((n) => this.layout.zoneOf.get(n) === zone || gateNodes.has(n))) return true;
    }
    return false;
  }

  /** Closes a gate as soon as no AGV holds its node; an AGV already on it is committed and passes. */
  private close(gate: Gate): void {
    if (gate.closed) return;
    const inner = this.perVendor.get(gate.vendor)!;
    if (gate.admitting) {
      // Stay open for the AGV being let in until it has taken the gate.
      if (inner.heldBy(gate.node) === undefined) return;
      gate.admitting = false;
    }
    gate.closed = inner.place(gate.fence, gate.node);
  }

  private open(gate: Gate): void {
    gate.admitting = false;
    if (!gate.closed) return;
    this.perVendor.get(gate.vendor)!.release(gate.fence);
    gate.closed = false;
  }

  /**
   * A drain must not wait for itself: when one of the owner's AGVs in the zone waits, through a queue of its own
   * fleet, on an AGV held at one of the owner's closed gates (e.g. the aisle it must go home through is full of
   * AGVs queued for the ring), that gate lets one AGV in; an AGV held back where it stands is let go (and is let in
   * at the gate the same way).
   */
  private admitIfNeeded(vendor: string, zone: string): void {
    const inner = this.perVendor.get(vendor)!;
    const blockedBy = new Map(inner.waiting().map((w) => [w.agvId, w.blockedBy]));
    for (const [id, nodes] of inner.holdings()) {
      if (this.gateByFence.has(id) || !nodes.some((n) => this.layout.zoneOf.get(n) === zone)) continue;
      let at = blockedBy.get(id);
      for (let hops = 0; at !== undefined && hops <= blockedBy.size; hops++) {
        const gate = this.gateByFence.get(at);
        if (gate) {
          if (gate.zone === zone && gate.closed) {
            this.open(gate);
            gate.admitting = true;
          }
          break;
        }
        if (this.heldBack.get(at) === zone) {
          this.admitted.add(at);
          break;
        }
        at = blockedBy.get(at);
      }
    }
  }
}
