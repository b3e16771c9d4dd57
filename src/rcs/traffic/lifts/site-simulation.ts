import { ManualClock } from '../../../core/clock.ts';
import { seededRandom } from '../../../core/random.ts';
import { setPath, step as stepMotion, type MotionState, type PathPoint } from '../../../agv/sim/motion.ts';
import type { VendorProfile } from '../../../agv/sim/profiles.ts';
import { SimulatedDoor } from '../../equipment/sim-door.ts';
import { SimulatedLift } from '../../equipment/sim-lift.ts';
import type { DoorState, LiftState } from '../../equipment/types.ts';
import type { RoutingProfile } from '../../site/routable.ts';
import type { NavigationMode, SiteMap, SiteNode } from '../../site/types.ts';
import { CentralTrafficController } from '../central/controller.ts';
import type { AgvSnapshot, SimTask } from '../central/simulation.ts';
import type { TrafficEvent } from '../types.ts';
import { LiftRides, type SwitchOutcome } from './rides.ts';

// A whole site in virtual time: central traffic control with LiftRides as its gate, simulated lifts and doors on
// the same clock, and AGVs with the simulator's motion model that switch maps after a ride and switch navigation
// modes at switch points, as the protocol flow does over sockets. Used by `npm run bench:site` and by tests that
// need hours of site operation; faults are injected on purpose (stalls, speed spreads, lifts leaving service, doors
// that jam, relocalisations that fail).

export interface SiteAgvSpec {
  id: string;
  profile: VendorProfile;
  /** Registered navigation modes (default from the profile: qr → qrCode, slam → laserSlam). */
  navigation?: NavigationMode[];
  /** False: it cannot ride lifts (as VDA 5050 AGVs through the bridge), so it only gets work on its floor. */
  liftRides?: boolean;
  speedFactor: number;
  start: string;
}

export type SiteTask = SimTask;

/** A fleet snapshot of the one-map simulation, plus the map the AGV is on. */
export interface SiteAgvSnapshot extends AgvSnapshot {
  map: string;
}

export interface SiteSimContext {
  lifts: ReadonlyMap<string, SimulatedLift>;
  doors: ReadonlyMap<string, SimulatedDoor>;
  rides: LiftRides;
  traffic: CentralTrafficController;
}

export interface SiteSimOptions {
  site: SiteMap;
  agvs: readonly SiteAgvSpec[];
  tasks: readonly SiteTask[];
  durationMs: number;
  dtMs?: number;
  seed?: number;
  stalls?: { perAgvHour: number; minMs: number; maxMs: number };
  /** Seconds an AGV needs to relocalise after a map switch (default 3). */
  relocaliseS?: number;
  /** Whether this map switch fails (attempt counts from 1 per ride); default never. */
  switchFails?: (agvId: string, attempt: number) => boolean;
  /** Faults injected at given times (lifts out of service, doors jammed...). */
  faults?: { atMs: number; apply(ctx: SiteSimContext): void }[];
  /** Whether an AGV may serve a task (default: when it can reach both stations). */
  mayServe?: (agv: SiteAgvSpec, task: SiteTask) => boolean;
  /** After every step: every AGV's pose on its map, every lift and door state (for independent checks). */
  observe?: (nowMs: number, agvs: readonly SiteAgvSnapshot[], lifts: readonly LiftState[], doors: readonly DoorState[], holdings: ReadonlyMap<string, readonly string[]>) => void;
  /** Meter work that needs a lift ride to the lifts' measured rate (default true; false: every task goes out at once). */
  meterRides?: boolean;
  /** The wait (s) dispatch aims to keep a ride under when metering (default RIDE_HORIZON_S). */
  rideHorizonS?: number;
  /** Every LiftRides event (alarms and notices). */
  onEvent?: (severity: string, type: string, message: string, agvId?: string) => void;
}

export interface SiteSimResult {
  tasksDone: number;
  crossFloorTasksDone: number;
  simMs: number;
  tasksPerHour: number;
  /** Longest time an AGV with an open task made no progress (reaching a node, working, riding a lift). */
  worstWaitMs: number;
  worstWaitAgv: string | undefined;
  /** Nodes an AGV reached that traffic control had not granted it. */
  unheldMoves: number;
  /** Fraction of lift-time spent serving a ride (called, riding or alighting), averaged over lifts. */
  liftUtilisation: number;
  rides: number;
  stallsInjected: number;
  mapSwitches: number;
  navSwitches: number;
  /** AGV-seconds with an open task, by what the AGV was doing: where the time goes. */
  timeS: WaitCauses;
  /** The worst wait by what the AGV was doing during it, and the reason it was last given. */
  worstWait: { causesS: WaitCauses; reason: string | undefined };
  /** The longest no-progress stretch among those spent mostly on each cause (seconds). */
  worstWaitByCauseS: Partial<WaitCauses>;
  /** Dispatch decisions where an AGV took newer work than the oldest it could serve, because the lifts were full. */
  ridesMetered: number;
  /** Each lift's measured seconds per ride at the end (called until its AGV left the cabin). */
  liftCycleS: Record<string, number>;
  /** AGV-seconds without a task (dispatch had nothing it could give them). */
  idleS: number;
  /** Mean seconds of a ride's phases on its lift (called: the cabin waits for the AGV to come; riding; alighting). */
  ridePhaseS: { called: number; riding: number; alighting: number };
  events: TrafficEvent[];
}

export interface WaitCauses {
  driving: number;
  working: number;
  liftQueue: number;
  liftRide: number;
  trafficWait: number;
}
type Cause = keyof WaitCauses;

type Phase = 'idle' | 'to_pick' | 'picking' | 'to_drop' | 'dropping';

interface RunAgv {
  spec: SiteAgvSpec;
  routing: RoutingProfile;
  map: string;
  motion: MotionState;
  phase: Phase;
  task?: SiteTask;
  busyUntil: number;
  lastProgressMs: number;
  /** What the AGV did this step, and during its current stretch without progress (ms by cause). */
  cause?: Cause;
  stretch: WaitCauses;
  pathKey: string;
  /** Set while the AGV relocalises: it does not move. */
  switching: boolean;
  /** On a hold leg: traffic control was told to forget its goal. */
  holding: boolean;
}

export function navigationOf(profile: VendorProfile): NavigationMode[] {
  return profile.navigation === 'qr' ? ['qrCode'] : ['laserSlam'];
}

export async function runSiteSimulation(o: SiteSimOptions): Promise<SiteSimResult> {
  const dt = o.dtMs ?? 100;
  const random = seededRandom(o.seed ?? 7);
  const clock = new ManualClock(0);
  const nodes = new Map<string, SiteNode>(o.site.nodes.map((n) => [n.id, n]));
  const speedOf = new Map<string, number>();
  for (const e of o.site.edges) {
    if (e.kind === 'lift') continue;
    speedOf.set(`${e.from}>${e.to}`, e.maxSpeed);
    if (e.bidirectional) speedOf.set(`${e.to}>${e.from}`, e.maxSpeed);
  }
  const storey = new Map(o.site.maps.map((m) => [m.id, m.floor ?? 0]));
  const lifts = new Map(
    o.site.lifts.map((l) => {
      const floors = [...l.stops].sort((a, b) => storey.get(a.map)! - storey.get(b.map)!).map((s) => s.map);
      return [l.id, new SimulatedLift({ liftId: l.id, floors, doorS: (l.doorOpenS + l.doorCloseS) / 2, travelSPerFloor: l.travelSPerFloor, clock })] as const;
    }),
  );
  const doors = new Map(o.site.doors.map((d) => [d.id, new SimulatedDoor({ doorId: d.id, travelS: d.openS, clock })] as const));
  const fleet = new Map<string, RunAgv>();
  const result: SiteSimResult = {
    tasksDone: 0, crossFloorTasksDone: 0, simMs: 0, tasksPerHour: 0, worstWaitMs: 0, worstWaitAgv: undefined, unheldMoves: 0,
    liftUtilisation: 0, rides: 0, stallsInjected: 0, mapSwitches: 0, navSwitches: 0, events: [],
    timeS: noCauses(), worstWait: { causesS: noCauses(), reason: undefined }, worstWaitByCauseS: {}, idleS: 0, ridesMetered: 0, liftCycleS: {},
    ridePhaseS: { called: 0, riding: 0, alighting: 0 },
  };
  const ridePhaseMs = { called: 0, riding: 0, alighting: 0 };
  const ridesSeen = new Set<string>();
  const sizes = new Map(o.agvs.map((a) => [a.id, { lengthM: a.profile.lengthM, widthM: a.profile.widthM }]));
  const traffic = new CentralTrafficController(o.site, {
    footprintOf: (id) => sizes.get(id),
    planIntervalMs: 200,
    gate: { allows: (a, f, t) => rides.allows(a, f, t), admit: (a, f, t) => rides.admit(a, f, t), walls: () => rides.walls() },
  });
  traffic.observe({ event: (e) => result.events.length < 2000 && result.events.push(e) });
  const switchAttempts = new Map<string, number>();
  const rides: LiftRides = new LiftRides({
    site: o.site,
    traffic,
    lifts,
    doors,
    profileOf: (id) => fleet.get(id)!.routing,
    event: (severity, type, message, agvId) => {
      if (type === 'lift.boarded') result.rides++;
      o.onEvent?.(severity, type, message, agvId);
    },
    switchMap: (agvId, request) =>
      new Promise<SwitchOutcome>((resolve) => {
        const agv = fleet.get(agvId)!;
        agv.switching = true;
        const attempt = (switchAttempts.get(agvId) ?? 0) + 1;
        switchAttempts.set(agvId, attempt);
        clock.setTimeout(() => {
          agv.switching = false;
          if (o.switchFails?.(agvId, attempt)) return resolve({ ok: false, detail: 'localisation score 12 % below 60 %' });
          // Relocalised: the AGV now reports its pose on the new map, on the cabin node there.
          const lift = o.site.lifts.find((l) => l.stops.some((s) => s.node === request.switchNode))!;
          const target = nodes.get(lift.stops.find((s) => s.map === request.targetMap)!.node)!;
          agv.map = request.targetMap;
          agv.motion = { x: request.pose.x, y: request.pose.y, theta: request.pose.theta, speed: 0, lastNodeId: target.id, ahead: [] };
          agv.pathKey = '';
          switchAttempts.delete(agvId);
          result.mapSwitches++;
          resolve({ ok: true, detail: '' });
        }, (o.relocaliseS ?? 3) * 1000);
      }),
    switchNavigation: () =>
      new Promise<SwitchOutcome>((resolve) => {
        result.navSwitches++;
        clock.setTimeout(() => resolve({ ok: true, detail: '' }), 1000);
      }),
  });
  for (const spec of o.agvs) {
    const start = nodes.get(spec.start);
    if (!start) throw new Error(`AGV ${spec.id} starts on unknown node ${spec.start}`);
    const navigation = spec.navigation ?? navigationOf(spec.profile);
    const agv: RunAgv = {
      spec, routing: { navigation, bodyM: Math.max(spec.profile.lengthM, spec.profile.widthM), liftRides: spec.liftRides }, map: start.map,
      motion: { x: start.x, y: start.y, theta: 0, speed: 0, lastNodeId: spec.start, ahead: [] },
      phase: 'idle', busyUntil: 0, lastProgressMs: 0, stretch: noCauses(), pathKey: '', switching: false, holding: false,
    };
    fleet.set(spec.id, agv);
    rides.setNavigationMode(spec.id, navigation[0]!);
    traffic.place(spec.id, spec.start);
  }
  const ctx: SiteSimContext = { lifts, doors, rides, traffic };
  const faults = [...(o.faults ?? [])].sort((a, b) => a.atMs - b.atMs);
  const pending = [...o.tasks];
  const mayServe = o.mayServe ?? defaultMayServe(rides, fleet);
  const stallChance = o.stalls ? (o.stalls.perAgvHour * dt) / 3_600_000 : 0;
  const meterRides = o.meterRides ?? true;
  const taskNeedsRide = (agv: RunAgv, t: SiteTask) => rides.needsRide(agv.motion.lastNodeId, t.pick) || rides.needsRide(t.pick, t.drop);
  // Cross-floor work not yet on board: the task's remaining way still crosses floors and the AGV is not in a cabin.
  const awaitsRide = (agv: RunAgv): boolean => {
    if (!agv.task || rides.onBoard(agv.spec.id)) return false;
    const here = agv.motion.lastNodeId;
    if (agv.phase === 'to_pick' || agv.phase === 'picking') return rides.needsRide(here, agv.task.pick) || rides.needsRide(agv.task.pick, agv.task.drop);
    return rides.needsRide(here, agv.task.drop);
  };
  let liftBusyMs = 0;
  let now = 0;
  while (now < o.durationMs) {
    while (faults.length > 0 && faults[0]!.atMs <= now) faults.shift()!.apply(ctx);
    clock.advance(now - clock.now());
    // Equipment and AGV answers (promises) settle before anyone looks at the site again, as they would between
    // two status reports.
    await new Promise<void>((resolve) => setImmediate(resolve));
    rides.tick(now);
    traffic.tick(now);
    for (const id of lifts.keys()) {
      const serving = rides.scheduler.serving(id);
      if (!serving) continue;
      liftBusyMs += dt;
      ridePhaseMs[serving.phase as keyof typeof ridePhaseMs] += dt;
      ridesSeen.add(serving.sessionId);
    }
    // Dispatch: each idle AGV takes, among the oldest tasks it may serve, one that starts on its own floor if there
    // is one (a ride saved), else the oldest. Work that needs a lift ride is metered to what the lifts serve
    // (LiftScheduler.capacity): beyond it, such tasks stay in the queue and the AGV takes one on its floor.
    let rideSlots = meterRides ? rides.rideSlots([...fleet.values()].filter((a) => awaitsRide(a)).length, o.rideHorizonS) : Infinity;
    for (const agv of fleet.values()) {
      if (agv.phase !== 'idle' || pending.length === 0) continue;
      const fits = (t: SiteTask) => mayServe(agv.spec, t) && (rideSlots > 0 || !taskNeedsRide(agv, t));
      const window = pending.slice(0, 50);
      const sameFloor = window.findIndex((t) => nodes.get(t.pick)!.map === agv.map && fits(t));
      const i = sameFloor >= 0 ? sameFloor : pending.findIndex(fits);
      if (i < 0) continue;
      if (rideSlots <= 0 && pending.some((t, k) => k < i && mayServe(agv.spec, t))) result.ridesMetered++;
      agv.task = pending.splice(i, 1)[0]!;
      if (taskNeedsRide(agv, agv.task)) rideSlots--;
      agv.phase = 'to_pick';
      agv.lastProgressMs = now;
    }
    for (const agv of fleet.values()) {
      agv.cause = undefined;
      if (agv.phase === 'idle') {
        result.idleS += dt / 1000;
        agv.lastProgressMs = now;
        continue;
      }
      if (agv.phase === 'picking' || agv.phase === 'dropping') {
        agv.cause = 'working';
        result.timeS.working += dt / 1000;
        agv.lastProgressMs = now;
        if (now < agv.busyUntil) continue;
        if (agv.phase === 'picking') agv.phase = 'to_drop';
        else {
          result.tasksDone++;
          if (nodes.get(agv.task!.pick)!.map !== nodes.get(agv.task!.drop)!.map) result.crossFloorTasksDone++;
          agv.phase = 'idle';
          agv.task = undefined;
          traffic.stop(agv.spec.id);
          continue;
        }
      }
      const goal = agv.phase === 'to_pick' ? agv.task!.pick : agv.task!.drop;
      const standing = agv.motion.ahead.length === 0 && agv.motion.speed === 0;
      const leg = rides.leg(agv.spec.id, agv.motion.lastNodeId, goal, now);
      const inLift = leg.kind === 'hold' && /^riding|^relocalising/.test(leg.reason);
      agv.cause = inLift
        ? 'liftRide'
        : leg.kind === 'hold' || (standing && /^queued|^waiting for lift/.test(leg.reason ?? ''))
          ? 'liftQueue'
          : !standing
            ? 'driving'
            : 'trafficWait';
      result.timeS[agv.cause] += dt / 1000;
      if (leg.kind === 'hold') {
        if (!agv.holding) traffic.stop(agv.spec.id);
        agv.holding = true;
        // Riding and relocalising are progress; waiting for a lift to come is not.
        if (inLift) agv.lastProgressMs = now;
        continue;
      }
      agv.holding = false;
      const grant = traffic.request(agv.spec.id, leg.goal, now);
      if (grant.kind === 'go') {
        const key = grant.path.join(' ');
        if (key !== agv.pathKey) {
          agv.pathKey = key;
          setPath(agv.motion, grant.path.map((id, i) => point(nodes, speedOf, id, grant.path[i - 1])));
        }
      } else if (grant.kind === 'arrived' && leg.final && standing && now >= agv.busyUntil) {
        agv.phase = agv.phase === 'to_pick' ? 'picking' : 'dropping';
        agv.busyUntil = now + agv.spec.profile.actionMs;
        agv.lastProgressMs = now;
      }
    }
    for (const agv of fleet.values()) {
      if (stallChance > 0 && random() < stallChance) {
        agv.busyUntil = Math.max(agv.busyUntil, now + o.stalls!.minMs + random() * (o.stalls!.maxMs - o.stalls!.minMs));
        result.stallsInjected++;
      }
      if (now < agv.busyUntil || agv.motion.ahead.length === 0 || agv.switching) continue;
      const limits = { maxSpeedMps: agv.spec.profile.maxSpeedMps * agv.spec.speedFactor, accelMps2: agv.spec.profile.accelMps2 * agv.spec.speedFactor };
      const { reached } = stepMotion(agv.motion, limits, dt / 1000);
      for (const node of reached) {
        if (!traffic.reportProgress(agv.spec.id, node)) result.unheldMoves++;
        agv.lastProgressMs = now;
      }
    }
    for (const agv of fleet.values()) {
      const idle = now - agv.lastProgressMs;
      if (idle === 0) {
        agv.stretch = noCauses();
        continue;
      }
      if (agv.cause) agv.stretch[agv.cause] += dt / 1000;
      const main = (Object.keys(agv.stretch) as Cause[]).reduce((a, b) => (agv.stretch[b] > agv.stretch[a] ? b : a));
      result.worstWaitByCauseS[main] = Math.max(result.worstWaitByCauseS[main] ?? 0, idle / 1000);
      if (idle > result.worstWaitMs) {
        result.worstWaitMs = idle;
        result.worstWaitAgv = agv.spec.id;
        result.worstWait = { causesS: { ...agv.stretch }, reason: rides.reasonFor(agv.spec.id) };
      }
    }
    o.observe?.(now, [...fleet.values()].map(snapshot), [...lifts.values()].map((l) => l.state()), [...doors.values()].map((d) => d.state()), traffic.holdings());
    now += dt;
  }
  result.simMs = now;
  result.tasksPerHour = now > 0 ? (result.tasksDone * 3_600_000) / now : 0;
  for (const k of Object.keys(ridePhaseMs) as (keyof typeof ridePhaseMs)[]) result.ridePhaseS[k] = ridesSeen.size > 0 ? ridePhaseMs[k] / 1000 / ridesSeen.size : 0;
  for (const id of lifts.keys()) result.liftCycleS[id] = Math.round(rides.scheduler.cycleS(id) * 10) / 10;
  result.liftUtilisation = lifts.size > 0 && now > 0 ? liftBusyMs / (lifts.size * now) : 0;
  return result;
}

function noCauses(): WaitCauses {
  return { driving: 0, working: 0, liftQueue: 0, liftRide: 0, trafficWait: 0 };
}

/** An AGV serves a task when its navigation and body let it reach both stations (across floors by lift). */
function defaultMayServe(rides: LiftRides, fleet: ReadonlyMap<string, RunAgv>): (agv: SiteAgvSpec, task: SiteTask) => boolean {
  return (spec, task) => {
    const routing = fleet.get(spec.id)!.routing;
    return rides.reaches(routing, fleet.get(spec.id)!.motion.lastNodeId, task.pick) && rides.reaches(routing, task.pick, task.drop);
  };
}

function snapshot(agv: RunAgv): SiteAgvSnapshot {
  const m = agv.motion;
  const next = m.ahead[0];
  const between = next !== undefined && (Math.abs(next.x - m.x) > 1e-9 || Math.abs(next.y - m.y) > 1e-9);
  return { id: agv.spec.id, map: agv.map, x: m.x, y: m.y, lastNode: m.lastNodeId, nextNode: between ? next.id : undefined, lengthM: agv.spec.profile.lengthM, widthM: agv.spec.profile.widthM };
}

function point(nodes: Map<string, SiteNode>, speedOf: Map<string, number>, id: string, previous: string | undefined): PathPoint {
  const node = nodes.get(id)!;
  return { id, x: node.x, y: node.y, maxSpeed: previous !== undefined ? speedOf.get(`${previous}>${id}`) : undefined };
}
