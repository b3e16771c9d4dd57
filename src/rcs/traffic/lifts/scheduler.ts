import { liftCapacityFor, liftRideSeconds } from '../../site/lifts.ts';
import type { FloorMap, Lift } from '../../site/types.ts';

// Lifts as a scheduled traffic resource. Ride requests queue; each is given to the lift (among those serving both
// floors that the AGV fits in) with the earliest expected arrival at the destination floor, counting the rides
// already queued on that lift, and keeps it in first-come order. A lift that leaves AGV mode or reports a fault
// hands back every ride not yet boarded, and those are re-planned through another lift or wait with a reason.
// Pure: lift states come in as data, decisions go out as rides; the equipment is driven by LiftRides.

/** What the scheduler needs to know of a lift's state (the equipment's LiftState fits). */
export interface LiftView {
  floor: string;
  mode: 'agv' | 'human' | 'outOfService' | 'fire';
  fault: string | null;
}

export interface RideRequest {
  agvId: string;
  /** Map ids of the floor the AGV is on and the floor it needs. */
  from: string;
  to: string;
  /** Longest body side (m): decides which cabins it fits. */
  bodyM: number;
  /** Seconds the AGV needs to reach each candidate lift's cabin on `from` (lifts it cannot reach: absent). */
  approachS: ReadonlyMap<string, number>;
  /**
   * Whether the AGV can come to the cabin now (default true). False while it is still on its way to wait by the lift:
   * its ride keeps its place in the queue but the cabin is not called for it until `ready`, so a lift never stands
   * held for an AGV that is far away while another waits beside it.
   */
  ready?: boolean;
}

export type RidePhase =
  /** In the lift's queue. */
  | 'queued'
  /** First in the queue: the cabin is called to `from`; the AGV may enter once it stands there with doors open. */
  | 'called'
  /** The AGV is in the cabin; it travels to `to`. */
  | 'riding'
  /** At `to`: map switch, then the AGV drives out. The lift is freed once it has left the cabin. */
  | 'alighting';

export interface Ride {
  sessionId: string;
  agvId: string;
  liftId: string;
  from: string;
  to: string;
  /** Cabin nodes on the two floors. */
  fromNode: string;
  toNode: string;
  phase: RidePhase;
}

export type RideTicket = { kind: 'ride'; ride: Ride; position: number } | { kind: 'waiting'; reason: string };

/** readyRank: when the AGV became ready to come to the cabin (order among ready rides); undefined: not yet. */
type QueuedRide = Ride & { request: RideRequest; readyRank?: number };

/** Seconds a ride occupies its lift beyond travel and doors: driving in, the map switch and driving out. */
const BOARDING_S = 20;
/** Weight of the latest ride in a lift's measured cycle time. */
const CYCLE_WEIGHT = 0.3;

export class LiftScheduler {
  private readonly lifts: ReadonlyMap<string, Lift>;
  private readonly storey: ReadonlyMap<string, number>;
  private readonly views = new Map<string, LiftView>();
  private readonly queues = new Map<string, QueuedRide[]>();
  /** Requests with no lift yet, oldest first, with the reason they wait. */
  private readonly unassigned: { request: RideRequest; reason: string }[] = [];
  private sessions = 0;
  private readyCount = 0;
  private readonly cycles = new Map<string, number>();

  constructor(site: { lifts: readonly Lift[]; maps: readonly FloorMap[] }) {
    this.lifts = new Map(site.lifts.map((l) => [l.id, l]));
    this.storey = new Map(site.maps.map((m) => [m.id, m.floor ?? 0]));
    for (const l of site.lifts) this.queues.set(l.id, []);
  }

  /** The lift's latest state. Leaving service hands its rides that have not boarded back for re-planning. */
  updateLift(liftId: string, view: LiftView): void {
    this.views.set(liftId, { ...view });
    if (this.available(liftId)) return this.promote(liftId);
    const queue = this.queues.get(liftId) ?? [];
    const kept = queue.filter((r) => r.phase === 'riding' || r.phase === 'alighting');
    const handedBack = queue.filter((r) => !kept.includes(r));
    this.queues.set(liftId, kept);
    for (const ride of handedBack) this.unassigned.push({ request: ride.request, reason: `lift ${liftId} is ${this.describe(liftId)}` });
    this.promote(liftId);
  }

  /** Asks for a ride (again: an AGV that has not boarded yet may renew its request with fresh approach times). */
  request(request: RideRequest): void {
    const existing = this.rideOf(request.agvId);
    if (existing && existing.phase !== 'queued' && existing.phase !== 'called') return;
    if (existing || this.unassigned.some((u) => u.request.agvId === request.agvId)) return;
    this.unassigned.push({ request: { ...request }, reason: 'not planned yet' });
  }

  /** Withdraws a request or a ride not yet boarded (task cancelled). */
  cancel(agvId: string): void {
    const i = this.unassigned.findIndex((u) => u.request.agvId === agvId);
    if (i >= 0) this.unassigned.splice(i, 1);
    const ride = this.rideOf(agvId);
    if (ride && (ride.phase === 'queued' || ride.phase === 'called')) this.remove(ride);
  }

  /** Gives waiting requests a lift, oldest first. Call every round and after lift changes. */
  plan(): void {
    const waiting = this.unassigned.splice(0);
    for (const entry of waiting) {
      const best = this.bestLift(entry.request);
      if (typeof best === 'string') {
        this.unassigned.push({ request: entry.request, reason: best });
        continue;
      }
      const lift = this.lifts.get(best.liftId)!;
      const stop = (map: string) => lift.stops.find((s) => s.map === map)!.node;
      const ride: QueuedRide = {
        sessionId: `ride-${entry.request.agvId}-${++this.sessions}`,
        agvId: entry.request.agvId,
        liftId: lift.id,
        from: entry.request.from,
        to: entry.request.to,
        fromNode: stop(entry.request.from),
        toNode: stop(entry.request.to),
        phase: 'queued',
        request: entry.request,
        readyRank: entry.request.ready === false ? undefined : ++this.readyCount,
      };
      this.queues.get(lift.id)!.push(ride);
      this.promote(lift.id);
    }
    for (const liftId of this.lifts.keys()) this.promote(liftId);
  }

  ticket(agvId: string): RideTicket | undefined {
    const ride = this.rideOf(agvId);
    if (ride) return { kind: 'ride', ride: publicRide(ride), position: this.queues.get(ride.liftId)!.indexOf(ride) };
    const waiting = this.unassigned.find((u) => u.request.agvId === agvId);
    return waiting ? { kind: 'waiting', reason: waiting.reason } : undefined;
  }

  /** The ride the lift serves now (the AGV it was called for, or carries), if any. */
  serving(liftId: string): Ride | undefined {
    const head = this.queues.get(liftId)?.[0];
    return head && head.phase !== 'queued' ? publicRide(head) : undefined;
  }

  /** The AGV of a queued ride waits by the lift and can come to the cabin as soon as it is called. */
  ready(agvId: string, approachS?: ReadonlyMap<string, number>): void {
    const ride = this.rideOf(agvId);
    if (ride?.phase !== 'queued' || ride.readyRank !== undefined) return;
    ride.readyRank = ++this.readyCount;
    // From where it waits now: what another lift would take to reach, if that lift comes free first.
    if (approachS) ride.request = { ...ride.request, approachS };
    this.promote(ride.liftId);
  }

  /** The AGV whose ride the lift will call next, once the ride it serves now is over. */
  nextInLine(liftId: string): string | undefined {
    return this.nextReady(liftId)?.agvId;
  }

  /** The AGV stands in the cabin: the ride travels. */
  boarded(agvId: string): void {
    const ride = this.rideOf(agvId);
    if (ride?.phase === 'called') ride.phase = 'riding';
  }

  /** The cabin stands open at the destination: the AGV switches maps and drives out. */
  arrived(agvId: string): void {
    const ride = this.rideOf(agvId);
    if (ride?.phase === 'riding') ride.phase = 'alighting';
  }

  /** The AGV has left the cabin: the lift serves the next ride in its queue. */
  finish(agvId: string): Ride | undefined {
    const ride = this.rideOf(agvId);
    if (!ride) return undefined;
    this.remove(ride);
    return publicRide(ride);
  }

  /** A ride on this lift took `seconds` from the cabin being called until its AGV left it (the measured rate). */
  recordCycle(liftId: string, seconds: number): void {
    const before = this.cycles.get(liftId);
    this.cycles.set(liftId, before === undefined ? seconds : before + CYCLE_WEIGHT * (seconds - before));
  }

  /** Seconds a ride occupies the lift, as measured (running mean), or estimated before any ride is measured. */
  cycleS(liftId: string): number {
    const lift = this.lifts.get(liftId)!;
    return this.cycles.get(liftId) ?? lift.doorOpenS + lift.doorCloseS + lift.travelSPerFloor + BOARDING_S;
  }

  /**
   * How many AGVs may hold cross-floor work that has not boarded yet, so that none waits much longer than
   * `horizonS` for its ride: per lift in service, the one it serves plus the rides it completes within the horizon
   * at its measured rate. Dispatch gives further cross-floor work only below this (the rest stays in the task queue).
   * All lifts are counted together: right for sites whose lifts serve the same floors.
   */
  capacity(horizonS: number): number {
    let n = 0;
    for (const liftId of this.lifts.keys()) if (this.available(liftId)) n += 1 + Math.floor(horizonS / this.cycleS(liftId));
    return n;
  }

  /** When no lift is in service: which lifts there are and why each is out (else undefined). */
  noneInService(): string | undefined {
    const ids = [...this.lifts.keys()];
    if (ids.some((id) => this.available(id))) return undefined;
    return ids.map((id) => `${id} ${this.describe(id)}`).join('; ');
  }

  /** Each lift's queue (AGV ids, the one served first), for dashboards. */
  queueOf(liftId: string): string[] {
    return (this.queues.get(liftId) ?? []).map((r) => r.agvId);
  }

  /** Whether a lift takes new rides: in AGV mode, no fault, state known. */
  available(liftId: string): boolean {
    const v = this.views.get(liftId);
    return v !== undefined && v.mode === 'agv' && v.fault === null;
  }

  private describe(liftId: string): string {
    const v = this.views.get(liftId);
    if (!v) return 'not reporting';
    return v.fault !== null ? `faulted (${v.fault})` : v.mode === 'agv' ? 'in service' : `in ${v.mode} mode`;
  }

  /** The lift with the earliest expected arrival at the destination, or why none can take the ride. */
  private bestLift(r: RideRequest): { liftId: string; seconds: number } | string {
    let best: { liftId: string; seconds: number } | undefined;
    const unavailable: string[] = [];
    let serving = 0;
    for (const lift of this.lifts.values()) {
      const maps = lift.stops.map((s) => s.map);
      if (!maps.includes(r.from) || !maps.includes(r.to) || liftCapacityFor(lift, r.bodyM) === 0) continue;
      const approach = r.approachS.get(lift.id);
      if (approach === undefined) continue;
      serving++;
      if (!this.available(lift.id)) {
        unavailable.push(`${lift.id} ${this.describe(lift.id)}`);
        continue;
      }
      const seconds = Math.max(approach, this.freeAtS(lift, r.from)) + liftRideSeconds(lift, this.storeys(r.from, r.to)) + BOARDING_S;
      if (!best || seconds < best.seconds) best = { liftId: lift.id, seconds };
    }
    if (best) return best;
    if (serving === 0) return `no lift the AGV fits in joins ${r.from} and ${r.to}`;
    return `every lift between ${r.from} and ${r.to} is out of service: ${unavailable.join('; ')}`;
  }

  /** Seconds until the lift, having served its queue, could stand open at `floor`. */
  private freeAtS(lift: Lift, floor: string): number {
    let at = this.views.get(lift.id)?.floor ?? floor;
    let seconds = 0;
    for (const ride of this.queues.get(lift.id)!) {
      seconds += this.occupiesS(lift, ride, at);
      at = ride.to;
    }
    return seconds + this.travelS(lift, at, floor);
  }

  /**
   * Seconds the ride keeps the lift, the cabin standing at `at`. Once the lift's rides are measured, a ride not yet
   * on board costs what its rides take (walking to the cabin included), not the nominal doors, travel and boarding:
   * the nominal figure is far too low on a busy floor, where AGVs take long to reach the cabin.
   */
  private occupiesS(lift: Lift, ride: QueuedRide, at: string): number {
    const measured = this.cycles.get(lift.id);
    const ridingS = liftRideSeconds(lift, this.storeys(ride.from, ride.to));
    if (ride.phase !== 'queued' && ride.phase !== 'called') return ridingS;
    return measured ?? this.travelS(lift, at, ride.from) + BOARDING_S + ridingS;
  }

  private travelS(lift: Lift, from: string, to: string): number {
    return from === to ? 0 : liftRideSeconds(lift, this.storeys(from, to));
  }

  private storeys(a: string, b: string): number {
    return Math.abs((this.storey.get(a) ?? 0) - (this.storey.get(b) ?? 0));
  }

  private rideOf(agvId: string): QueuedRide | undefined {
    for (const queue of this.queues.values()) {
      const ride = queue.find((r) => r.agvId === agvId);
      if (ride) return ride;
    }
    return undefined;
  }

  private remove(ride: QueuedRide): void {
    const queue = this.queues.get(ride.liftId)!;
    queue.splice(queue.indexOf(ride), 1);
    this.promote(ride.liftId);
  }

  /**
   * When the lift is in service and serves no ride, the ride whose AGV became ready first moves to the front of the
   * queue and is called. Rides whose AGVs are still on their way keep their place but do not hold the cabin.
   */
  private promote(liftId: string): void {
    const queue = this.queues.get(liftId);
    if (!queue || !this.available(liftId) || (queue.length > 0 && queue[0]!.phase !== 'queued')) return;
    const next = this.nextReady(liftId) ?? this.takeOver(liftId);
    if (!next) return;
    queue.splice(queue.indexOf(next), 1);
    queue.unshift(next);
    next.phase = 'called';
  }

  /**
   * A lift with nothing to do takes over the oldest ready ride queued on another lift, when it would have the AGV
   * on board sooner than the ride's own lift (which first serves the rides ahead of it): rides are given a lift
   * when asked, but lifts free up in an order no one knew then. Returns the ride to call now, if its AGV is by
   * this lift already.
   */
  private takeOver(liftId: string): QueuedRide | undefined {
    const lift = this.lifts.get(liftId)!;
    const at = this.views.get(liftId)?.floor;
    const candidates: QueuedRide[] = [];
    for (const [otherId, queue] of this.queues) {
      if (otherId === liftId) continue;
      for (const ride of queue) if (ride.phase === 'queued' && ride.readyRank !== undefined) candidates.push(ride);
    }
    candidates.sort((a, b) => a.readyRank! - b.readyRank!);
    for (const ride of candidates) {
      const r = ride.request;
      const maps = lift.stops.map((s) => s.map);
      const approach = r.approachS.get(liftId);
      if (approach === undefined || !maps.includes(r.from) || !maps.includes(r.to) || liftCapacityFor(lift, r.bodyM) === 0) continue;
      const here = Math.max(approach, at === undefined ? 0 : this.travelS(lift, at, r.from));
      if (here >= this.waitOnOwnLiftS(ride)) continue;
      const own = this.queues.get(ride.liftId)!;
      own.splice(own.indexOf(ride), 1);
      const stop = (map: string) => lift.stops.find((s) => s.map === map)!.node;
      // An AGV waiting by another lift is not waiting by this one: unless it is as close as boarding takes, it first
      // comes over (ready again once it waits by this lift), so the cabin never stands open for an AGV far away.
      const byThisLift = approach <= BOARDING_S;
      const moved: QueuedRide = { ...ride, liftId, fromNode: stop(r.from), toNode: stop(r.to), readyRank: byThisLift ? ride.readyRank : undefined };
      this.queues.get(liftId)!.push(moved);
      if (byThisLift) return moved;
    }
    return undefined;
  }

  /**
   * Seconds until the ride's own lift could have its AGV on board: the ride it serves and the ready rides ahead (at
   * the lift's measured rate, as freeAtS), then the AGV's own way to the cabin, since its cabin is called only then.
   */
  private waitOnOwnLiftS(ride: QueuedRide): number {
    const lift = this.lifts.get(ride.liftId)!;
    let at = this.views.get(lift.id)?.floor ?? ride.from;
    let seconds = 0;
    for (const other of this.queues.get(lift.id)!) {
      const ahead = other.phase !== 'queued' || (other.readyRank !== undefined && other.readyRank < ride.readyRank!);
      if (!ahead) continue;
      seconds += this.occupiesS(lift, other, at);
      at = other.to;
    }
    return seconds + this.travelS(lift, at, ride.from) + (ride.request.approachS.get(lift.id) ?? 0);
  }

  private nextReady(liftId: string): QueuedRide | undefined {
    let best: QueuedRide | undefined;
    for (const ride of this.queues.get(liftId) ?? []) {
      if (ride.phase === 'queued' && ride.readyRank !== undefined && (!best || ride.readyRank < best.readyRank!)) best = ride;
    }
    return best;
  }
}

function publicRide(ride: Ride): Ride {
  const { sessionId, agvId, liftId, from, to, fromNode, toNode, phase } = ride;
  return { sessionId, agvId, liftId, from, to, fromNode, toNode, phase };
}
