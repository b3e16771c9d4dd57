import { setPath, step as stepMotion, type MotionState, type PathPoint } from '../../../agv/sim/motion.ts';
import type { VendorProfile } from '../../../agv/sim/profiles.ts';
import { sitePlane } from '../../site/plane.ts';
import type { SiteMap, SiteNode } from '../../site/types.ts';
import type { TrafficController } from '../types.ts';
import { seededRandom as mulberry32 } from '../../../core/random.ts';

// A headless fleet run in virtual time: traffic control, a task dispatcher and the simulator's motion model in one
// process, without sockets. It drives any TrafficController exactly as the platform does (place, request, drive
// the granted path, report every node reached), so it serves as the large-fleet end-to-end harness and as the
// engine of the zoned-vs-central benchmark. Faults are injected on purpose: per-AGV speed factors, random stalls,
// and time to turn on the spot.

export interface SimAgvSpec {
  id: string;
  profile: VendorProfile;
  /** Multiplies the profile's top speed and acceleration (e.g. 0.6 for a worn-out AGV). */
  speedFactor: number;
  start: string;
}

export interface SimTask {
  id: number;
  pick: string;
  drop: string;
}

export interface AgvSnapshot {
  id: string;
  x: number;
  y: number;
  /** Last node reached, and the next node while driving between two nodes. */
  lastNode: string;
  nextNode?: string;
  lengthM: number;
  widthM: number;
}

export interface FleetSimOptions {
  site: SiteMap;
  traffic: TrafficController;
  agvs: readonly SimAgvSpec[];
  tasks: readonly SimTask[];
  /** Simulation step (default 100 ms). */
  dtMs?: number;
  /** Give up after this much simulated time (default 4 h). */
  maxSimMs?: number;
  /** Stop after this much simulated time even if tasks remain (throughput runs). */
  durationMs?: number;
  seed?: number;
  /** Random stalls: expected stalls per AGV per simulated hour, and their length range. */
  stalls?: { perAgvHour: number; minMs: number; maxMs: number };
  /** Time to turn a quarter on the spot at full speed factor (default 1 s). */
  quarterTurnMs?: number;
  /** Whether an AGV may serve a task (e.g. zoned operation); default any. */
  mayServe?: (agv: SimAgvSpec, task: SimTask) => boolean;
  /** Called after every simulation step with every AGV's pose (for independent collision checks). */
  observe?: (nowMs: number, agvs: readonly AgvSnapshot[]) => void;
}

export interface FleetSimResult {
  tasksDone: number;
  simMs: number;
  tasksPerHour: number;
  /** Longest time any AGV with an open task went without reaching a node or working at a station. */
  maxNoProgressMs: number;
  maxNoProgressAgv: string | undefined;
  stallsInjected: number;
  /** Nodes an AGV reached that traffic control had not granted it (must be zero). */
  unheldMoves: number;
  placementFailures: number;
}

type Phase = 'idle' | 'to_pick' | 'picking' | 'to_drop' | 'dropping' | 'to_park';

interface RunAgv {
  spec: SimAgvSpec;
  motion: MotionState;
  phase: Phase;
  task?: SimTask;
  parkAt?: string;
  busyUntil: number;
  lastProgressMs: number;
  pathKey: string;
}

export function runFleetSimulation(o: FleetSimOptions): FleetSimResult {
  const run = fleetSimulationSteps(o);
  for (let next = run.next(); ; next = run.next()) if (next.done) return next.value;
}

/**
 * The same run, handing the event loop back every `yieldEverySteps` simulation steps (default 500), so a long run
 * inside a test worker or a server does not starve its I/O (vitest's worker RPC times out otherwise).
 */
export async function runFleetSimulationAsync(o: FleetSimOptions, yieldEverySteps = 500): Promise<FleetSimResult> {
  const run = fleetSimulationSteps(o, yieldEverySteps);
  for (let next = run.next(); ; next = run.next()) {
    if (next.done) return next.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The simulation loop as a generator that pauses every `pauseEverySteps` steps (never, by default). */
function* fleetSimulationSteps(o: FleetSimOptions, pauseEverySteps = Number.POSITIVE_INFINITY): Generator<void, FleetSimResult> {
  const dt = o.dtMs ?? 100;
  const maxSim = o.maxSimMs ?? 4 * 3_600_000;
  const quarterTurnMs = o.quarterTurnMs ?? 1_000;
  const random = mulberry32(o.seed ?? 7);
  const nodes = planeNodes(o.site);
  const speedOf = new Map<string, number>();
  for (const e of o.site.edges) {
    speedOf.set(`${e.from}>${e.to}`, e.maxSpeed);
    if (e.bidirectional) speedOf.set(`${e.to}>${e.from}`, e.maxSpeed);
  }
  const pending = [...o.tasks];
  const result: FleetSimResult = {
    tasksDone: 0,
    simMs: 0,
    tasksPerHour: 0,
    maxNoProgressMs: 0,
    maxNoProgressAgv: undefined,
    stallsInjected: 0,
    unheldMoves: 0,
    placementFailures: 0,
  };
  const fleet: RunAgv[] = o.agvs.map((spec) => {
    const start = nodes.get(spec.start);
    if (!start) throw new Error(`AGV ${spec.id} starts on unknown node ${spec.start}`);
    if (!o.traffic.place(spec.id, spec.start)) result.placementFailures++;
    return {
      spec,
      motion: { x: start.x, y: start.y, theta: 0, speed: 0, lastNodeId: spec.start, ahead: [] },
      phase: 'idle',
      busyUntil: 0,
      lastProgressMs: 0,
      pathKey: '',
    };
  });
  const stallChance = o.stalls ? (o.stalls.perAgvHour * dt) / 3_600_000 : 0;
  let now = 0;
  const limit = o.durationMs ?? maxSim;
  let steps = 0;
  while (now < limit && (o.durationMs !== undefined || result.tasksDone < o.tasks.length)) {
    o.traffic.tick(now);
    dispatch(fleet, pending, o.mayServe, now);
    nudgeIdleBlockers(fleet, o, now);
    for (const agv of fleet) {
      if (agv.phase === 'idle' || agv.phase === 'to_park') {
        agv.lastProgressMs = now;
      }
      if (agv.phase === 'idle') {
        continue;
      }
      if (agv.phase === 'picking' || agv.phase === 'dropping') {
        agv.lastProgressMs = now;
        if (now < agv.busyUntil) continue;
        if (agv.phase === 'picking') agv.phase = 'to_drop';
        else {
          agv.phase = 'idle';
          agv.task = undefined;
          result.tasksDone++;
          o.traffic.stop(agv.spec.id);
          continue;
        }
      }
      const goal = agv.phase === 'to_park' ? agv.parkAt! : agv.phase === 'to_pick' ? agv.task!.pick : agv.task!.drop;
      const grant = o.traffic.request(agv.spec.id, goal, now);
      if (grant.kind === 'go') {
        const key = grant.path.join(' ');
        if (key !== agv.pathKey) {
          agv.pathKey = key;
          setPath(agv.motion, grant.path.map((id) => point(nodes, speedOf, id, grant.path)));
        }
      } else if (grant.kind === 'arrived' && agv.phase === 'to_park') {
        agv.phase = 'idle';
        agv.parkAt = undefined;
        o.traffic.stop(agv.spec.id);
      } else if (grant.kind === 'arrived' && agv.motion.speed === 0 && agv.motion.ahead.length === 0 && now >= agv.busyUntil) {
        agv.phase = agv.phase === 'to_pick' ? 'picking' : 'dropping';
        agv.busyUntil = now + agv.spec.profile.actionMs;
        agv.lastProgressMs = now;
      }
    }
    for (const agv of fleet) {
      if (stallChance > 0 && random() < stallChance) {
        const { minMs, maxMs } = o.stalls!;
        agv.busyUntil = Math.max(agv.busyUntil, now + minMs + random() * (maxMs - minMs));
        result.stallsInjected++;
      }
      if (now < agv.busyUntil || agv.motion.ahead.length === 0) continue;
      const headingBefore = agv.motion.theta;
      const moving = agv.motion.speed > 0;
      const limits = { maxSpeedMps: agv.spec.profile.maxSpeedMps * agv.spec.speedFactor, accelMps2: agv.spec.profile.accelMps2 * agv.spec.speedFactor };
      // Turning on the spot before setting off in a new direction takes time, more for slow AGVs.
      if (!moving) {
        const next = agv.motion.ahead[0]!;
        const wanted = Math.atan2(next.y - agv.motion.y, next.x - agv.motion.x);
        const quarters = Math.round(Math.abs(angleDiff(wanted, headingBefore)) / (Math.PI / 2));
        agv.motion.theta = wanted;
        if (quarters > 0) {
          agv.busyUntil = now + (quarters * quarterTurnMs) / agv.spec.speedFactor;
          continue;
        }
      }
      const { reached } = stepMotion(agv.motion, limits, dt / 1000);
      for (const node of reached) {
        if (!o.traffic.reportProgress(agv.spec.id, node)) result.unheldMoves++;
        agv.lastProgressMs = now;
      }
    }
    for (const agv of fleet) {
      const idle = now - agv.lastProgressMs;
      if (idle > result.maxNoProgressMs) {
        result.maxNoProgressMs = idle;
        result.maxNoProgressAgv = agv.spec.id;
      }
    }
    if (o.observe) o.observe(now, fleet.map((agv) => snapshot(agv)));
    now += dt;
    if (++steps % pauseEverySteps === 0) yield;
  }
  result.simMs = now;
  result.tasksPerHour = now > 0 ? (result.tasksDone * 3_600_000) / now : 0;
  return result;
}

/**
 * As the platform's coordinator does: an idle AGV that has stood in someone's way for a while is sent to the
 * nearest parking spot nobody holds or heads for (the traffic controller treats idle AGVs as fixed obstacles).
 */
function nudgeIdleBlockers(fleet: RunAgv[], o: FleetSimOptions, now: number): void {
  const byId = new Map(fleet.map((agv) => [agv.spec.id, agv]));
  const nodeById = planeNodes(o.site);
  const targeted = new Set(fleet.filter((a) => a.parkAt !== undefined).map((a) => a.parkAt!));
  for (const wait of o.traffic.waiting()) {
    if (now - wait.sinceMs < 2_000) continue;
    const blocker = byId.get(wait.blockedBy);
    // A parking AGV whose spot got taken meanwhile is re-sent too.
    if (!blocker || (blocker.phase !== 'idle' && blocker.phase !== 'to_park')) continue;
    if (blocker.parkAt !== undefined) targeted.delete(blocker.parkAt);
    const from = nodeById.get(blocker.motion.lastNodeId)!;
    // Parking first; when it is full, a charger spur; failing that any plain node that is no station.
    const stations = new Set(o.site.stations.map((st) => st.node));
    const tiers = [o.site.parking.map((p) => p.node), o.site.chargers.map((c) => c.node), o.site.nodes.filter((n) => !stations.has(n.id)).map((n) => n.id)];
    let best: string | undefined;
    for (const tier of tiers) {
      let bestDistance = Infinity;
      for (const node of tier) {
        if (targeted.has(node) || o.traffic.heldBy(node) !== undefined) continue;
        const n = nodeById.get(node)!;
        const d = Math.abs(n.x - from.x) + Math.abs(n.y - from.y);
        if (d > 0 && d < bestDistance) {
          best = node;
          bestDistance = d;
        }
      }
      if (best !== undefined) break;
    }
    if (best === undefined) continue;
    targeted.add(best);
    blocker.parkAt = best;
    blocker.phase = 'to_park';
  }
}

/** Each idle AGV takes the oldest task it may serve whose pick station is closest... kept simple: oldest first. */
function dispatch(fleet: RunAgv[], pending: SimTask[], mayServe: FleetSimOptions['mayServe'], now: number): void {
  if (pending.length === 0) return;
  for (const agv of fleet) {
    if (agv.phase !== 'idle' && agv.phase !== 'to_park') continue;
    const index = pending.findIndex((task) => !mayServe || mayServe(agv.spec, task));
    if (index < 0) continue;
    agv.task = pending.splice(index, 1)[0]!;
    agv.parkAt = undefined;
    agv.phase = 'to_pick';
    agv.lastProgressMs = now;
    if (pending.length === 0) return;
  }
}

/**
 * The site's nodes at their positions on the site plane (sitePlane): motion, distances and the poses handed to
 * observers then never mix two floors. For a single-map site these are the map's own coordinates.
 */
function planeNodes(site: SiteMap): Map<string, SiteNode> {
  const plane = sitePlane(site.nodes);
  return new Map(site.nodes.map((n, i) => [n.id, { ...n, x: plane[i]!.x, y: plane[i]!.y }]));
}

function snapshot(agv: RunAgv): AgvSnapshot {
  const m = agv.motion;
  const next = m.ahead[0];
  const between = next !== undefined && (Math.abs(next.x - m.x) > 1e-9 || Math.abs(next.y - m.y) > 1e-9);
  return {
    id: agv.spec.id,
    x: m.x,
    y: m.y,
    lastNode: m.lastNodeId,
    nextNode: between ? next.id : undefined,
    lengthM: agv.spec.profile.lengthM,
    widthM: agv.spec.profile.widthM,
  };
}

function point(nodes: Map<string, SiteNode>, speedOf: Map<string, number>, id: string, path: readonly string[]): PathPoint {
  const node = nodes.get(id)!;
  const i = path.indexOf(id);
  const maxSpeed = i > 0 ? speedOf.get(`${path[i - 1]}>${id}`) : undefined;
  return { id, x: node.x, y: node.y, maxSpeed };
}

function angleDiff(a: number, b: number): number {
  let d = a - b;
  while (d > Math.PI) d -= 2 * Math.PI;
  while (d < -Math.PI) d += 2 * Math.PI;
  return d;
}
