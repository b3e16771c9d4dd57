import { cabinOpenAt, type DoorController, type LiftController } from '../../equipment/types.ts';
import { poseBetweenFrames, type Pose } from '../../site/lifts.ts';
import { edgeNavigationModes, navigationModesByNode, type RoutingProfile } from '../../site/routable.ts';
import type { NavigationMode, SiteMap, SiteNode } from '../../site/types.ts';
import type { TrafficController } from '../types.ts';
import { FloorRoutes } from './floor-routes.ts';
import type { TrafficGate } from './gate.ts';
import { LiftScheduler, type Ride } from './scheduler.ts';

// Cross-floor execution: turns "drive to a node on another floor" into legs on one floor each, with lift rides
// between them, and guards every move traffic control grants (TrafficGate): no AGV enters a cabin unless its ride
// holds the cabin and the cabin stands open at its floor; no AGV passes a door that does not report open; no AGV
// enters a navigation area it has no mode for, and it switches modes at the switch point before it drives on.
//
// The ride, over the protocol: the AGV queues at the lobby node → the cabin is called and opens → the AGV drives
// in → the cabin travels → at the destination, doors open, the platform sends mapSwitch (target map, the AGV's pose
// in the new frame) → mapSwitchResult success → traffic control re-places the AGV on the cabin node of the new map
// → the AGV drives out → once it has left the cabin the lift is released for the next ride.
//
// Failure rules (docs/lifts-and-doors.md):
// * relocalisation fails: alarm; the AGV is held in the cabin; the ride KEEPS the lift (doors open at the floor)
//   because a cabin with an AGV inside must not close and leave; retried every `retrySwitchS` up to
//   `switchAttempts` times, then it waits for an operator (retryMapSwitch).
// * a lift leaves AGV mode or reports a fault: rides not yet boarded are re-planned through another lift, or wait
//   with the reason visible; a ride already on board keeps its lift and waits.
// * a door does not open within its time (or reports a fault): alarm; the ends of its edge become walls for
//   planning, so routes go another way where one exists; cleared when the door reports open again.

/** The longest an AGV should wait for a lift ride, that dispatch aims for when it meters cross-floor work (s). */
export const RIDE_HORIZON_S = 150;

export interface SwitchOutcome {
  ok: boolean;
  detail: string;
}

export interface LiftRidesOptions {
  site: SiteMap;
  traffic: Pick<TrafficController, 'release' | 'place' | 'held' | 'heldBy'>;
  lifts: ReadonlyMap<string, LiftController>;
  doors: ReadonlyMap<string, DoorController>;
  /** The AGV's registered navigation modes and body. */
  profileOf(agvId: string): RoutingProfile;
  /** Sends mapSwitch and resolves with the AGV's mapSwitchResult. */
  switchMap(agvId: string, request: { targetMap: string; switchNode: string; pose: Pose }): Promise<SwitchOutcome>;
  /** Sends navModeSwitch at a switch point and resolves with navModeSwitchResult. */
  switchNavigation(agvId: string, request: { mode: NavigationMode; node: string }): Promise<SwitchOutcome>;
  /** Something an operator should see: alarms (severity error) and notices. */
  event(severity: 'info' | 'warning' | 'error', type: string, message: string, agvId?: string): void;
  /**
   * A condition that stays until it is over (a door that failed, an AGV held after failed relocalisation): raised
   * with a message under `key`, cleared with message undefined. The runtime hands it to the alarm engine.
   */
  alarm?(key: string, code: string, message: string | undefined, agvId?: string): void;
  /** Seconds between map switch attempts, and how many (defaults 10 s, 3). */
  retrySwitchS?: number;
  switchAttempts?: number;
  /** Nominal speed (m/s) for a lift's approach time (default 1). */
  approachSpeedMps?: number;
}

export type Leg =
  /** Drive toward `goal`; `final` when it is the job's own goal, not a lobby or a cabin. */
  | { kind: 'drive'; goal: string; final: boolean; reason?: string }
  /**
   * Stay put (after the nodes already released): queued for a lift, riding, switching maps, or nothing to do until
   * equipment answers. The caller stops asking traffic control for a route meanwhile (TrafficController.stop).
   */
  | { kind: 'hold'; reason: string };

interface SwitchState {
  sessionId: string;
  attempts: number;
  pending: boolean;
  done: boolean;
  failed?: string;
  retryAtMs: number;
}

export class LiftRides implements TrafficGate {
  readonly scheduler: LiftScheduler;
  private readonly routes: FloorRoutes;
  private readonly cabinLift = new Map<string, string>();
  private readonly doorOnArc = new Map<string, string>();
  private readonly navByNode: ReadonlyMap<string, readonly NavigationMode[]>;
  private readonly switches = new Map<string, SwitchState>();
  /** Rides the lift has been told about, by session: the floor it was last called to. */
  private readonly called = new Map<string, string>();
  private readonly navMode = new Map<string, NavigationMode>();
  private readonly navPending = new Set<string>();
  private readonly doorWantedAt = new Map<string, number>();
  private readonly doorOpenedAt = new Map<string, number>();
  private readonly failedDoors = new Map<string, string[]>();
  private readonly reasons = new Map<string, string>();
  /** Parking spots queued AGVs wait at, by AGV, with the lobby each was chosen for. */
  private readonly waitSpots = new Map<string, { node: string; lobby: string }>();
  /** When each ride's lift was first seen serving it, by session (for the lifts' measured cycle times). */
  private readonly rideStartMs = new Map<string, number>();
  private readonly nodeById: ReadonlyMap<string, SiteNode>;
  private nowMs = 0;

  constructor(private readonly o: LiftRidesOptions) {
    this.scheduler = new LiftScheduler(o.site);
    this.routes = new FloorRoutes(o.site);
    this.navByNode = navigationModesByNode(o.site);
    this.nodeById = new Map(o.site.nodes.map((n) => [n.id, n]));
    for (const lift of o.site.lifts) for (const stop of lift.stops) this.cabinLift.set(stop.node, lift.id);
    const edges = new Map(o.site.edges.map((e) => [e.id, e]));
    for (const door of o.site.doors) {
      const e = edges.get(door.edge)!;
      this.doorOnArc.set(arc(e.from, e.to), door.id);
      if (e.bidirectional) this.doorOnArc.set(arc(e.to, e.from), door.id);
    }
    for (const [id, lift] of o.lifts) {
      this.scheduler.updateLift(id, lift.state());
      lift.onState((s) => {
        const before = this.scheduler.serving(id);
        this.scheduler.updateLift(id, s);
        if (s.mode !== 'agv' || s.fault !== null) this.liftLeftService(id, before, s.fault ?? `${s.mode} mode`);
      });
    }
  }

  /** The AGV's active navigation mode (as it registered or last confirmed). */
  setNavigationMode(agvId: string, mode: NavigationMode): void {
    this.navMode.set(agvId, mode);
  }

  /** Why the AGV is not driving toward its goal right now, if it is not (for dashboards and the task's detail). */
  reasonFor(agvId: string): string | undefined {
    return this.reasons.get(agvId);
  }

  /** What the AGV standing on `here` should drive to now on its way to `goal`. */
  leg(agvId: string, here: string, goal: string, nowMs: number): Leg {
    this.nowMs = Math.max(this.nowMs, nowMs);
    const computed = this.computeLeg(agvId, here, goal);
    const leg: Leg = computed.kind === 'drive' && !computed.reason ? { ...computed, reason: this.failedDoorInTheWay(agvId, here, computed.goal) } : computed;
    if (leg.kind === 'hold') this.reasons.set(agvId, leg.reason);
    else if (leg.reason) this.reasons.set(agvId, leg.reason);
    else this.reasons.delete(agvId);
    return leg;
  }

  /** Whether this AGV (by its registered navigation modes and body) can get from one node to another. */
  agvReaches(agvId: string, from: string, to: string): boolean {
    return this.reaches(this.o.profileOf(agvId), from, to);
  }

  /** Whether an AGV of this profile can get from one node to another, by lift where the floors differ. */
  reaches(profile: RoutingProfile, from: string, to: string): boolean {
    const key = `${[...profile.navigation].join(',')}|${profile.bodyM}|${profile.liftRides !== false}|${from}|${to}`;
    let known = this.reachCache.get(key);
    if (known === undefined) this.reachCache.set(key, (known = this.computeReach(profile, from, to)));
    return known;
  }

  private readonly reachCache = new Map<string, boolean>();

  private computeReach(profile: RoutingProfile, from: string, to: string): boolean {
    const graph = this.routes.graphFor(profile);
    if (!graph.nodes.has(from) || !graph.nodes.has(to)) return false;
    const a = this.routes.floorOf(from)!;
    const b = this.routes.floorOf(to)!;
    if (a === b) return this.routes.distancesOnFloor(profile, from).has(to);
    if (profile.liftRides === false) return false;
    return this.routes.nextFloor(profile, a, b) !== undefined;
  }

  /**
   * How many more AGVs may be given work that needs a lift ride, `awaiting` AGVs already having such work not yet on
   * board: what the lifts in service serve within `horizonS` at their measured rate (LiftScheduler.capacity). Work
   * beyond it stays in the task queue, so no AGV holds a load in a lift queue for many rides' time.
   */
  rideSlots(awaiting: number, horizonS = RIDE_HORIZON_S): number {
    return this.scheduler.capacity(horizonS) - awaiting;
  }

  /** Why work that needs a lift ride is held back in the task queue now, or undefined when it is not. */
  heldBackReason(awaiting: number, horizonS = RIDE_HORIZON_S): string | undefined {
    if (this.rideSlots(awaiting, horizonS) > 0) return undefined;
    const out = this.scheduler.noneInService();
    if (out !== undefined) return `cross-floor work waits: no lift in service (${out})`;
    return `cross-floor work waits: ${awaiting} AGVs have rides ahead, as many as the lifts serve within ${horizonS} s`;
  }

  /** Whether an AGV standing at `from` needs a lift ride to get to `to` (they are on different floors). */
  needsRide(from: string, to: string): boolean {
    return this.routes.floorOf(from) !== this.routes.floorOf(to);
  }

  /** Whether the AGV has boarded its current ride (riding, or alighting at the destination). */
  onBoard(agvId: string): boolean {
    const ticket = this.scheduler.ticket(agvId);
    return ticket?.kind === 'ride' && (ticket.ride.phase === 'riding' || ticket.ride.phase === 'alighting');
  }

  /** The AGV's task was dropped: withdraw its ride if it has not boarded. */
  cancel(agvId: string): void {
    const ticket = this.scheduler.ticket(agvId);
    if (ticket?.kind === 'ride' && (ticket.ride.phase === 'queued' || ticket.ride.phase === 'called')) this.release(ticket.ride);
    this.scheduler.cancel(agvId);
    this.reasons.delete(agvId);
    this.waitSpots.delete(agvId);
  }

  /**
   * An operator asks for another relocalisation attempt: allowed while the AGV is held in a cabin after its last
   * attempt failed (whether or not the automatic retries are used up). The map switch is sent again at once, with
   * a fresh set of automatic retries behind it.
   */
  retryMapSwitch(agvId: string): { ok: true } | { ok: false; reason: string } {
    const ticket = this.scheduler.ticket(agvId);
    const state = ticket?.kind === 'ride' ? this.switches.get(ticket.ride.sessionId) : undefined;
    if (!state || state.done || state.failed === undefined) return { ok: false, reason: `${agvId} is not held in a lift after a failed relocalisation` };
    if (state.pending) return { ok: false, reason: `${agvId} is relocalising now; wait for its result` };
    state.attempts = 0;
    state.failed = undefined;
    state.retryAtMs = 0;
    return { ok: true };
  }

  /** Housekeeping every round: plans rides, calls lifts, opens and closes doors. */
  tick(nowMs: number): void {
    this.nowMs = Math.max(this.nowMs, nowMs);
    this.scheduler.plan();
    for (const [liftId, lift] of this.o.lifts) {
      const ride = this.scheduler.serving(liftId);
      if (!ride) continue;
      if (!this.rideStartMs.has(ride.sessionId)) this.rideStartMs.set(ride.sessionId, this.nowMs);
      const floor = ride.phase === 'called' ? ride.from : ride.to;
      if (this.called.get(ride.sessionId) === floor) continue;
      this.called.set(ride.sessionId, floor);
      void lift.call(ride.sessionId, floor).then((reply) => {
        if (!reply.accepted) {
          this.called.delete(ride.sessionId);
          this.o.event('warning', 'lift.refused', `lift ${liftId} refused ride ${ride.sessionId} to ${floor}: ${reply.reason}`, ride.agvId);
        }
      });
    }
    this.tickDoors();
  }

  // --- TrafficGate ---

  allows(agvId: string, from: string, to: string): boolean {
    const lift = this.cabinLift.get(to);
    if (lift !== undefined) {
      const ticket = this.scheduler.ticket(agvId);
      if (ticket?.kind !== 'ride' || ticket.ride.phase !== 'called' || ticket.ride.fromNode !== to) return false;
      if (!cabinOpenAt(this.o.lifts.get(lift)!.state(), ticket.ride.from, ticket.ride.sessionId)) return false;
    }
    const door = this.doorOnArc.get(arc(from, to));
    if (door !== undefined && this.failedDoors.has(door)) return false;
    const modes = edgeNavigationModes(this.navByNode, { from, to });
    return modes === undefined || modes.some((m) => this.o.profileOf(agvId).navigation.includes(m));
  }

  admit(agvId: string, from: string, to: string): boolean {
    if (!this.allows(agvId, from, to)) return false;
    const door = this.doorOnArc.get(arc(from, to));
    if (door !== undefined && !this.doorOpen(door)) return false;
    return this.navigationReady(agvId, from, to);
  }

  /**
   * The ends of failed doors' edges, except where an AGV stands or is granted: an AGV on one end must still find
   * its way back out around the door, which it cannot if its own node is a wall.
   */
  walls(): readonly string[] {
    return [...this.failedDoors.values()].flat().filter((node) => this.o.traffic.heldBy(node) === undefined);
  }

  offLimits(agvId: string): readonly string[] {
    const navigation = this.o.profileOf(agvId).navigation;
    // Asked per AGV per planning round: the answer for a profile's navigation list is kept with the list.
    const known = this.offLimitsByList.get(navigation);
    if (known) return known;
    const key = [...navigation].sort().join(',');
    let nodes = this.offLimitsByModes.get(key);
    if (!nodes) {
      nodes = [...this.navByNode].filter(([, modes]) => !modes.some((m) => navigation.includes(m))).map(([node]) => node);
      this.offLimitsByModes.set(key, nodes);
    }
    this.offLimitsByList.set(navigation, nodes);
    return nodes;
  }

  private readonly offLimitsByList = new WeakMap<readonly string[], readonly string[]>();

  /** Navigation-area nodes closed to AGVs by the modes they registered (sorted, comma-joined), computed once each. */
  private readonly offLimitsByModes = new Map<string, readonly string[]>();

  // --- legs ---

  private computeLeg(agvId: string, here: string, goal: string): Leg {
    const ticket = this.scheduler.ticket(agvId);
    if (ticket?.kind === 'ride') {
      const leg = this.rideLeg(agvId, here, ticket.ride, ticket.position);
      if (leg) return leg;
    }
    const floor = this.routes.floorOf(here);
    const target = this.routes.floorOf(goal);
    if (floor === undefined || target === undefined) return { kind: 'hold', reason: `unknown node ${floor === undefined ? here : goal}` };
    if (floor === target) return { kind: 'drive', goal, final: true };
    const profile = this.o.profileOf(agvId);
    const next = this.routes.nextFloor(profile, floor, target);
    if (next === undefined) return { kind: 'hold', reason: `no lift takes ${agvId} from ${floor} to ${target}` };
    if (ticket?.kind === 'ride') {
      // Still in the cabin after a ride to an intermediate floor: step out first, then ask for the next ride.
      return { kind: 'drive', goal: this.routes.lobbies.get(ticket.ride.toNode)?.[0] ?? goal, final: false, reason: `leaving lift ${ticket.ride.liftId}` };
    }
    if (ticket === undefined) {
      const approachS = this.approachTimes(agvId, here, floor);
      this.scheduler.request({ agvId, from: floor, to: next, bodyM: profile.bodyM, approachS, ready: false });
      this.scheduler.plan();
      const planned = this.scheduler.ticket(agvId);
      if (planned?.kind === 'ride') return this.rideLeg(agvId, here, planned.ride, planned.position) ?? { kind: 'hold', reason: 'ride planned' };
      return { kind: 'hold', reason: planned?.reason ?? 'waiting for a lift' };
    }
    return { kind: 'hold', reason: ticket.reason };
  }

  /** Seconds the AGV needs from `here` to each lift's cabin on `floor` (lifts it cannot reach: absent). */
  private approachTimes(agvId: string, here: string, floor: string): Map<string, number> {
    const distances = this.routes.distancesOnFloor(this.o.profileOf(agvId), here);
    const speed = this.o.approachSpeedMps ?? 1;
    const approachS = new Map<string, number>();
    for (const lift of this.o.site.lifts) {
      const stop = lift.stops.find((s) => s.map === floor);
      const d = stop ? distances.get(stop.node) : undefined;
      if (d !== undefined) approachS.set(lift.id, d / speed);
    }
    return approachS;
  }

  /** The leg while the AGV has a ride; undefined once the ride is over (then the AGV carries on as usual). */
  private rideLeg(agvId: string, here: string, ride: Ride, position: number): Leg | undefined {
    const lift = this.o.lifts.get(ride.liftId)!;
    const lobby = this.lobbyFor(agvId, ride.fromNode, here);
    switch (ride.phase) {
      case 'queued': {
        // Not at the lobby: it is the way out of the cabin for the AGV riding now. A free parking spot on the floor,
        // nearest the lift, keeps the queue off the roads; without one the AGV waits where it is.
        const reason = `queued for lift ${ride.liftId} (${position} ahead)`;
        // Next in line while the ride ahead is on board and will leave the cabin on another floor: this lobby is
        // not its way out, so wait right there and the lift takes this AGV as soon as it is free.
        const head = this.scheduler.serving(ride.liftId);
        if (this.scheduler.nextInLine(ride.liftId) === agvId && head && (head.phase === 'riding' || head.phase === 'alighting') && head.to !== ride.from) {
          this.waitSpots.delete(agvId);
          return { kind: 'drive', goal: lobby, final: false, reason };
        }
        // The cabin is called for a queued AGV only once it waits by the lift (at its spot or the lobby, or where it
        // stands when no spot is free): an AGV still on its way must not hold a cabin another could be using.
        const spot = this.waitingSpot(agvId, here, lobby);
        if (spot === undefined || here === spot || here === lobby) this.scheduler.ready(agvId, this.approachTimes(agvId, here, ride.from));
        return spot === undefined ? { kind: 'hold', reason } : { kind: 'drive', goal: spot, final: false, reason };
      }
      case 'called': {
        this.waitSpots.delete(agvId);
        if (here === ride.fromNode) {
          // In the cabin: travel.
          this.scheduler.boarded(agvId);
          this.o.event('info', 'lift.boarded', `${agvId} boarded lift ${ride.liftId} (${ride.sessionId}) for ${ride.to}`, agvId);
          return { kind: 'hold', reason: `riding lift ${ride.liftId} to ${ride.to}` };
        }
        const open = cabinOpenAt(lift.state(), ride.from, ride.sessionId);
        return open
          ? { kind: 'drive', goal: ride.fromNode, final: false, reason: `entering lift ${ride.liftId}` }
          : { kind: 'drive', goal: lobby, final: false, reason: `waiting for lift ${ride.liftId} to open at ${ride.from}` };
      }
      case 'riding':
        if (!cabinOpenAt(lift.state(), ride.to, ride.sessionId)) return { kind: 'hold', reason: `riding lift ${ride.liftId} to ${ride.to}` };
        this.scheduler.arrived(agvId);
        return this.switchLeg(agvId, ride);
      case 'alighting': {
        const state = this.switches.get(ride.sessionId);
        if (!state?.done) return this.switchLeg(agvId, ride);
        if (here !== ride.toNode && this.routes.floorOf(here) === ride.to) {
          // Out of the cabin: the lift is free for the next ride.
          this.scheduler.finish(agvId);
          const started = this.rideStartMs.get(ride.sessionId);
          if (started !== undefined) this.scheduler.recordCycle(ride.liftId, (this.nowMs - started) / 1000);
          this.rideStartMs.delete(ride.sessionId);
          this.release(ride);
          this.switches.delete(ride.sessionId);
          return undefined;
        }
        return undefined;
      }
    }
  }

  private switchLeg(agvId: string, ride: Ride): Leg {
    let state = this.switches.get(ride.sessionId);
    if (!state) this.switches.set(ride.sessionId, (state = { sessionId: ride.sessionId, attempts: 0, pending: false, done: false, retryAtMs: 0 }));
    if (state.done) return { kind: 'hold', reason: 'map switched' };
    const attempts = this.o.switchAttempts ?? 3;
    if (!state.pending && state.attempts < attempts && this.nowMs >= state.retryAtMs) this.sendMapSwitch(agvId, ride, state);
    if (state.pending) return { kind: 'hold', reason: `relocalising on ${ride.to}` };
    if (state.attempts >= attempts) return { kind: 'hold', reason: `relocalisation on ${ride.to} failed ${state.attempts} times (${state.failed}); held in lift ${ride.liftId} until an operator retries` };
    return { kind: 'hold', reason: `relocalisation on ${ride.to} failed (${state.failed}); retrying` };
  }

  private sendMapSwitch(agvId: string, ride: Ride, state: SwitchState): void {
    state.pending = true;
    state.attempts++;
    const fromNode = this.o.site.nodes.find((n) => n.id === ride.fromNode)!;
    const frames = new Map(this.o.site.maps.map((m) => [m.id, m.frame]));
    // The AGV stands still in the cabin while it travels: its pose in the building is that of the cabin node.
    const pose = poseBetweenFrames({ x: fromNode.x, y: fromNode.y, theta: fromNode.theta ?? 0 }, frames.get(ride.from)!, frames.get(ride.to)!);
    void this.o.switchMap(agvId, { targetMap: ride.to, switchNode: ride.fromNode, pose }).then((outcome) => {
      state.pending = false;
      if (outcome.ok) {
        state.done = true;
        this.o.traffic.release(agvId);
        this.o.traffic.place(agvId, ride.toNode);
        this.o.event('info', 'lift.map_switched', `${agvId} relocalised on ${ride.to} in lift ${ride.liftId}`, agvId);
        this.o.alarm?.(relocalisationAlarmKey(agvId), 'RELOCALISATION_FAILED', undefined, agvId);
        return;
      }
      state.failed = outcome.detail || 'failed';
      state.retryAtMs = this.nowMs + (this.o.retrySwitchS ?? 10) * 1000;
      const message = `${agvId} failed to relocalise on ${ride.to} in lift ${ride.liftId} (attempt ${state.attempts}): ${state.failed}; held in the cabin, lift kept`;
      this.o.event('error', 'lift.relocalisation_failed', message, agvId);
      this.o.alarm?.(relocalisationAlarmKey(agvId), 'RELOCALISATION_FAILED', message, agvId);
    });
  }

  /** Where a queued AGV waits: its spot, or the free parking spot on its floor closest to the lobby. */
  private waitingSpot(agvId: string, here: string, lobby: string): string | undefined {
    // Kept while the ride stays with its lift; a ride another lift took over waits by that lift instead.
    const kept = this.waitSpots.get(agvId);
    if (kept?.lobby === lobby) return kept.node;
    const taken = new Set([...this.waitSpots].filter(([id]) => id !== agvId).map(([, s]) => s.node));
    const floor = this.routes.floorOf(here);
    const profile = this.o.profileOf(agvId);
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const p of this.o.site.parking) {
      const n = this.nodeById.get(p.node)!;
      if (n.map !== floor || taken.has(n.id)) continue;
      const holder = this.o.traffic.heldBy(n.id);
      if (holder !== undefined && holder !== agvId) continue;
      // By route from the spot to the lobby, for this body: on one-way roads and for a wide AGV a spot beside the
      // lift as the crow flies can be a long way round.
      const d = this.routes.distancesOnFloor(profile, n.id).get(lobby) ?? Infinity;
      if (d < bestDistance) {
        best = n.id;
        bestDistance = d;
      }
    }
    if (best !== undefined) this.waitSpots.set(agvId, { node: best, lobby });
    else this.waitSpots.delete(agvId);
    return best;
  }

  /** The lobby in front of the cabin closest to where the AGV stands. */
  private lobbyFor(agvId: string, cabin: string, here: string): string {
    const lobbies = this.o.site.lifts.length > 0 ? (this.routes.lobbies.get(cabin) ?? []) : [];
    if (lobbies.includes(here) || lobbies.length <= 1) return lobbies[0] ?? cabin;
    const distances = this.routes.distancesOnFloor(this.o.profileOf(agvId), here);
    return [...lobbies].sort((a, b) => (distances.get(a) ?? Infinity) - (distances.get(b) ?? Infinity))[0]!;
  }

  private release(ride: Ride): void {
    this.called.delete(ride.sessionId);
    const lift = this.o.lifts.get(ride.liftId);
    if (lift?.state().sessionId === ride.sessionId) void lift.release(ride.sessionId);
  }

  private liftLeftService(liftId: string, served: Ride | undefined, why: string): void {
    if (served && (served.phase === 'queued' || served.phase === 'called')) this.release(served);
    const onBoard = served && (served.phase === 'riding' || served.phase === 'alighting');
    this.o.event(onBoard ? 'error' : 'warning', 'lift.out_of_service', `lift ${liftId} left service (${why})${onBoard ? `; ${served.agvId} is on board and waits` : '; queued rides are re-planned'}`, served?.agvId);
  }

  // --- doors ---

  /**
   * Why an AGV waits before a failed door: set when its goal on this floor is reachable only through a door that
   * failed (it waits there, since routes avoid the door only where another way exists). Checked only while a door
   * has failed; the answer is kept per place, goal and set of failed doors.
   */
  private failedDoorInTheWay(agvId: string, here: string, goal: string): string | undefined {
    if (this.failedDoors.size === 0 || this.routes.floorOf(here) !== this.routes.floorOf(goal)) return undefined;
    const failed = [...this.failedDoors.keys()].sort();
    const profile = this.o.profileOf(agvId);
    const key = `${failed.join(',')}|${[...profile.navigation].sort().join(',')}|${profile.bodyM}|${here}|${goal}`;
    if (this.doorReasons.has(key)) return this.doorReasons.get(key);
    const doorEdges = new Map(this.o.site.doors.filter((d) => this.failedDoors.has(d.id)).map((d) => [d.edge, d.id]));
    const cutOff = !this.routes.distancesOnFloor(profile, here, (edge) => doorEdges.has(edge)).has(goal) && this.routes.distancesOnFloor(profile, here).has(goal);
    const reason = cutOff ? `waiting for door ${failed.join(', ')}, which failed to open: no other way to ${goal}` : undefined;
    if (this.doorReasons.size > 10_000) this.doorReasons.clear();
    this.doorReasons.set(key, reason);
    return reason;
  }

  private readonly doorReasons = new Map<string, string | undefined>();

  private doorOpen(doorId: string): boolean {
    const door = this.o.doors.get(doorId);
    if (!door) return false;
    const s = door.state();
    if (s.position === 'open' && s.fault === null) return true;
    if (!this.doorWantedAt.has(doorId)) this.doorWantedAt.set(doorId, this.nowMs);
    return false;
  }

  private tickDoors(): void {
    const byId = new Map(this.o.site.doors.map((d) => [d.id, d]));
    const edges = new Map(this.o.site.edges.map((e) => [e.id, e]));
    for (const [doorId, door] of this.o.doors) {
      const spec = byId.get(doorId)!;
      const s = door.state();
      const wantedAt = this.doorWantedAt.get(doorId);
      const edge = edges.get(spec.edge)!;
      if (s.position === 'open' && s.fault === null) {
        this.doorWantedAt.delete(doorId);
        if (this.failedDoors.delete(doorId)) {
          this.o.event('info', 'door.recovered', `door ${doorId} is open again`);
          this.o.alarm?.(doorAlarmKey(doorId), 'DOOR_FAILED', undefined);
        }
        this.doorOpenedAt.set(doorId, this.doorOpenedAt.get(doorId) ?? this.nowMs);
        continue;
      }
      if (wantedAt === undefined) continue;
      if (!this.doorOpenedAt.has(doorId) && s.position === 'closed') {
        this.doorOpenedAt.set(doorId, this.nowMs);
        void door.open();
      }
      const late = this.nowMs - wantedAt > spec.openS * 2000 + 2000;
      if ((s.fault !== null || late) && !this.failedDoors.has(doorId)) {
        this.failedDoors.set(doorId, [edge.from, edge.to]);
        const message = `door ${doorId} did not open (${s.fault ?? `still ${s.position}`}); routes avoid it`;
        this.o.event('error', 'door.failed', message);
        this.o.alarm?.(doorAlarmKey(doorId), 'DOOR_FAILED', message);
      }
    }
    // Doors close again once nobody is on either side of them wanting through.
    for (const [doorId, openedAt] of this.doorOpenedAt) {
      const door = this.o.doors.get(doorId)!;
      const s = door.state();
      if (s.position !== 'open' || this.nowMs - openedAt < 10_000) continue;
      const edge = edges.get(byId.get(doorId)!.edge)!;
      if (this.anyoneHolds(edge.from, edge.to)) continue;
      this.doorOpenedAt.delete(doorId);
      void door.close();
    }
  }

  private anyoneHolds(a: string, b: string): boolean {
    return this.o.traffic.heldBy(a) !== undefined || this.o.traffic.heldBy(b) !== undefined;
  }

  // --- navigation areas ---

  /** The AGV's active mode works on from → to; otherwise a switch is sent where it stands, and it waits for it. */
  private navigationReady(agvId: string, from: string, to: string): boolean {
    const modes = edgeNavigationModes(this.navByNode, { from, to });
    const profile = this.o.profileOf(agvId);
    if (modes === undefined) return true;
    const usable = modes.filter((m) => profile.navigation.includes(m));
    if (usable.length === 0) return false;
    const current = this.navMode.get(agvId) ?? profile.navigation[0];
    if (current !== undefined && usable.includes(current)) return true;
    // A switch is needed: only where the AGV stands, and confirmed before it drives on.
    if (this.o.traffic.held(agvId)[0] !== from || this.navPending.has(agvId)) return false;
    const mode = usable[0]!;
    this.navPending.add(agvId);
    void this.o.switchNavigation(agvId, { mode, node: from }).then((outcome) => {
      this.navPending.delete(agvId);
      if (outcome.ok) {
        this.navMode.set(agvId, mode);
        this.o.event('info', 'navigation.switched', `${agvId} switched to ${mode} at ${from}`, agvId);
      } else {
        this.o.event('error', 'navigation.switch_failed', `${agvId} could not switch to ${mode} at ${from}: ${outcome.detail}`, agvId);
      }
    });
    return false;
  }
}

/** Alarm keys: outside the `platform:` / `agv:` keys the alarm engine evaluates (and would clear) itself. */
export const doorAlarmKey = (doorId: string): string => `equipment:door:${doorId}`;
export const relocalisationAlarmKey = (agvId: string): string => `lift:relocalisation:${agvId}`;

function arc(from: string, to: string): string {
  return `${from}\u0000${to}`;
}
