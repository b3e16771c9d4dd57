// npm run bench:space [-- --agvs N,N,...] [--minutes M] [--obstacles-per-min R] [--obstacle-s S] [--seed S]
// Autonomous space under load, in virtual time: a 16 x 8 warehouse grid (nodes 2 m apart), N AGVs of two real body
// sizes (0.9 x 0.65 m and 1.8 x 0.95 m, planned with those footprints) driving to random stations on the outer rows
// under central traffic control. Obstacles appear on random free edges (Poisson, R per minute, each for S seconds)
// that the platform does not know of. An AGV whose next step is obstructed stops at the node before it and asks for
// detour space beside it (the SDK's and simulator's geometry: 1 m to the side, its own body); granted, it drives its
// own trajectory there renewing the lease every step, then releases; queued, it waits; refused (or timed out), it
// reports the blockage, traffic re-plans everyone around it, and the blockage is cleared once the obstacle is gone.
// The decisions are the platform's own (SpaceGrants on CentralTrafficController); only the sockets are left out.
//
// An independent checker (bench/lib/space-checker.ts) looks at every step: no two bodies overlap, no body reaches
// into space granted to another AGV. Each configuration runs twice with the same seed, with obstacles and without,
// and prints one JSON line: requests and their decisions, revoked = leases lost without a release (expiry; none are
// revoked on purpose here), grant_p99_ms = 99th percentile of the wall time of one decision (SpaceGrants.request),
// tasks_per_hour with and without obstacles, violations. Goals: 0 violations, grant_p99_ms <= 50.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { planDetour } from '../src/agv/sim/detour.ts';
import { CentralTrafficController } from '../src/rcs/traffic/central/index.ts';
import { ReportedBlockages } from '../src/rcs/traffic/space/blockages.ts';
import { SpaceGrants, type Lease, type SpaceDecision } from '../src/rcs/traffic/space/space-grants.ts';
import { SpaceChecker } from './lib/space-checker.ts';

const { values } = parseArgs({
  options: {
    agvs: { type: 'string', default: '10,20' },
    minutes: { type: 'string', default: '20' },
    'obstacles-per-min': { type: 'string', default: '4' },
    'obstacle-s': { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
  },
});

const W = 16;
const H = 8;
const SPACING = 2;
const DT_MS = 100;
const DETOUR_OFFSET_M = 1;
const SIZES = [
  { lengthM: 0.9, widthM: 0.65, speed: 1.5 },
  { lengthM: 1.8, widthM: 0.95, speed: 1.0 },
];

const id = (x: number, y: number) => `${x},${y}`;
const nodes = Array.from({ length: W * H }, (_, i) => ({ id: id(i % W, Math.floor(i / W)), x: (i % W) * SPACING, y: Math.floor(i / W) * SPACING }));
const edges = nodes.flatMap((n) => {
  const [x, y] = n.id.split(',').map(Number) as [number, number];
  return [...(x + 1 < W ? [{ from: n.id, to: id(x + 1, y), bidirectional: true }] : []), ...(y + 1 < H ? [{ from: n.id, to: id(x, y + 1), bidirectional: true }] : [])];
});
const site = { nodes, edges };
const at = new Map(nodes.map((n) => [n.id, n]));
const stations = nodes.filter((n) => n.y === 0 || n.y === (H - 1) * SPACING).map((n) => n.id);

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Mover {
  id: string;
  r: number;
  speed: number;
  goal: string;
  at: string;
  /** Metres driven along the edge from `at` to the next held node. */
  along: number;
  mode: 'graph' | 'asking' | 'detour';
  /** Own trajectory in granted space. */
  trajectory?: { points: { x: number; y: number }[]; leg: number; along: number; lease: Lease; end: string };
  x: number;
  y: number;
}

interface Obstacle {
  a: string;
  b: string;
  until: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function run(agvs: number, minutes: number, obstaclesPerMin: number, obstacleS: number, seed: number) {
  const random = rng(seed);
  const sizeOf = new Map<string, (typeof SIZES)[number]>();
  const traffic = new CentralTrafficController(site, { footprintOf: (a) => sizeOf.get(a), seed });
  const grants = new SpaceGrants(traffic, site, (a) => traffic.footprintRadius(a), { leaseMs: 3_000, maxWindowMs: 120_000 });
  const blockages = new ReportedBlockages(traffic, site);
  const checker = new SpaceChecker();
  const counts = { obstacles: 0, requests: 0, granted: 0, queued: 0, refused: 0, revoked: 0, tasks: 0 };
  const decisionMs: number[] = [];
  const movers: Mover[] = [];
  const free = [...nodes.map((n) => n.id)].sort(() => random() - 0.5);
  for (let i = 0; i < agvs; i++) {
    const agvId = `agv-${i}`;
    const size = SIZES[i % SIZES.length]!;
    sizeOf.set(agvId, size);
    // Nodes 2 m apart hold any two bodies (at most 1.8 m across).
    const start = free[i];
    if (start === undefined) throw new Error(`${agvs} AGVs do not fit on ${nodes.length} nodes`);
    if (!traffic.place(agvId, start)) throw new Error(`cannot place ${agvId} at ${start}`);
    const p = at.get(start)!;
    movers.push({ id: agvId, r: traffic.footprintRadius(agvId), speed: size.speed, goal: stations[Math.floor(random() * stations.length)]!, at: start, along: 0, mode: 'graph', x: p.x, y: p.y });
  }
  const obstacles: Obstacle[] = [];
  const blockageOf = new Map<Obstacle, string>();
  const byAgv = new Map(movers.map((m) => [m.id, m]));
  const obstructed = (a: string, b: string) => obstacles.some((o) => (o.a === a && o.b === b) || (o.a === b && o.b === a));

  const decide = (m: Mover, decision: SpaceDecision, now: number) => {
    if (decision.decision === 'queued') return;
    if (decision.decision === 'refused') {
      counts.refused++;
      const next = pendingStep.get(m.id)!;
      const obstacle = obstacles.find((o) => (o.a === m.at && o.b === next) || (o.a === next && o.b === m.at));
      if (obstacle && !blockageOf.has(obstacle)) blockageOf.set(obstacle, blockages.report(m.id, { nodes: [], edges: [[m.at, next]], polygon: [], detail: '' }, now).id);
      // Re-routed from where it stands.
      traffic.standsAt(m.id, m.at);
      m.mode = 'graph';
      pendingStep.delete(m.id);
      return;
    }
    counts.granted++;
    const next = pendingStep.get(m.id)!;
    pendingStep.delete(m.id);
    traffic.stop(m.id);
    const plan = planDetour(at.get(m.at)!, at.get(next)!, m.r, DETOUR_OFFSET_M);
    m.mode = 'detour';
    m.trajectory = { points: plan.poses, leg: 0, along: 0, lease: decision.lease, end: next };
  };
  const pendingStep = new Map<string, string>();

  const endMs = minutes * 60_000;
  let nextObstacleMs = obstaclesPerMin > 0 ? (-Math.log(1 - random()) * 60_000) / obstaclesPerMin : Infinity;
  for (let now = 0; now < endMs; now += DT_MS) {
    // Obstacles come and go; a blockage reported for one is cleared once it is gone.
    for (const o of obstacles.filter((x) => x.until <= now)) {
      obstacles.splice(obstacles.indexOf(o), 1);
      const blockage = blockageOf.get(o);
      if (blockage) blockages.clear(blockage);
    }
    if (now >= nextObstacleMs) {
      nextObstacleMs += (-Math.log(1 - random()) * 60_000) / obstaclesPerMin;
      const held = new Set([...traffic.holdings().values()].flat());
      const candidates = edges.filter((e) => !held.has(e.from) && !held.has(e.to) && !obstructed(e.from, e.to));
      const e = candidates[Math.floor(random() * candidates.length)];
      if (e) {
        obstacles.push({ a: e.from, b: e.to, until: now + obstacleS * 1000 });
        counts.obstacles++;
      }
    }
    traffic.tick(now);
    const { expired, decided } = grants.tick(now);
    counts.revoked += expired.length;
    for (const lease of expired) grants.settled(lease.agvId);
    for (const { ask, result } of decided) decide(byAgv.get(ask.agvId)!, result, now);

    for (const m of movers) {
      if (m.mode === 'asking') continue;
      if (m.mode === 'detour') {
        driveTrajectory(m, now);
        continue;
      }
      const grant = traffic.request(m.id, m.goal, now);
      if (grant.kind === 'arrived') {
        counts.tasks++;
        m.goal = stations[Math.floor(random() * stations.length)]!;
        continue;
      }
      if (grant.kind !== 'go') continue;
      const path = traffic.held(m.id);
      const next = path[path.indexOf(m.at) + 1];
      if (next === undefined) continue;
      if (m.along === 0 && obstructed(m.at, next)) {
        // Its sensors see the obstacle: stop here and ask for space beside it.
        const plan = planDetour(at.get(m.at)!, at.get(next)!, m.r, DETOUR_OFFSET_M);
        counts.requests++;
        m.mode = 'asking';
        pendingStep.set(m.id, next);
        const started = performance.now();
        const decision = grants.request({ agvId: m.id, requestId: counts.requests, polygon: plan.polygon, nodes: [], startMs: 0, durationMs: 30_000, trajectory: plan.poses, renewable: true }, now);
        decisionMs.push(performance.now() - started);
        if (decision.decision === 'queued') counts.queued++;
        decide(m, decision, now);
        continue;
      }
      const a = at.get(m.at)!;
      const b = at.get(next)!;
      const length = Math.hypot(b.x - a.x, b.y - a.y);
      m.along += (m.speed * DT_MS) / 1000;
      if (m.along >= length) {
        m.along = 0;
        m.at = next;
        traffic.reportProgress(m.id, next);
        m.x = b.x;
        m.y = b.y;
      } else {
        m.x = a.x + ((b.x - a.x) * m.along) / length;
        m.y = a.y + ((b.y - a.y) * m.along) / length;
      }
    }
    const before = checker.violations.length;
    checker.check(now, movers, grants.leases().map((l) => ({ agvId: l.agvId, polygon: l.area.polygon ?? [] })));
    // SPACE_DEBUG=1: stop at the first violation and show the state that led to it.
    if (process.env.SPACE_DEBUG && checker.violations.length > before) {
      console.error(checker.violations.at(-1));
      for (const m of movers) console.error(JSON.stringify({ id: m.id, mode: m.mode, at: m.at, along: m.along, x: m.x.toFixed(2), y: m.y.toFixed(2), r: m.r, held: traffic.held(m.id), goal: m.goal }));
      for (const l of grants.leases()) console.error(JSON.stringify({ lease: l.leaseId, agv: l.agvId, polygon: l.area.polygon, nodes: l.nodes, edges: l.edges, at: l.grantedAtMs }));
      console.error(JSON.stringify(traffic.blockedResources().map((b) => b.id)));
      process.exit(1);
    }
  }
  return { counts, decisionMs, violations: checker.violations };

  function driveTrajectory(m: Mover, now: number): void {
    const t = m.trajectory!;
    grants.renew(m.id, t.lease.leaseId, now);
    let step = (m.speed * DT_MS) / 1000;
    while (step > 0 && t.leg < t.points.length - 1) {
      const a = t.points[t.leg]!;
      const b = t.points[t.leg + 1]!;
      const length = Math.hypot(b.x - a.x, b.y - a.y);
      const left = length - t.along;
      if (step >= left) {
        step -= left;
        t.leg++;
        t.along = 0;
      } else {
        t.along += step;
        step = 0;
      }
      const from = t.points[t.leg]!;
      const to = t.points[Math.min(t.leg + 1, t.points.length - 1)]!;
      const l = Math.hypot(to.x - from.x, to.y - from.y) || 1;
      m.x = from.x + ((to.x - from.x) * t.along) / l;
      m.y = from.y + ((to.y - from.y) * t.along) / l;
    }
    if (t.leg < t.points.length - 1) return;
    // At the end of its trajectory, on the node beyond the obstacle: placed there, then the space goes back.
    m.at = t.end;
    m.along = 0;
    if (!traffic.place(m.id, t.end)) throw new Error(`${m.id} cannot be placed at ${t.end} inside its own space`);
    grants.release(m.id, t.lease.leaseId);
    m.trajectory = undefined;
    m.mode = 'graph';
  }
}

const minutes = Number(values.minutes);
const rate = Number(values['obstacles-per-min']);
const lifetime = Number(values['obstacle-s']);
const seed = Number(values.seed);
for (const n of values.agvs.split(',').map(Number)) {
  const withObstacles = run(n, minutes, rate, lifetime, seed);
  const without = run(n, minutes, 0, lifetime, seed);
  const perHour = (tasks: number) => Math.round((tasks * 60) / minutes);
  console.log(JSON.stringify({
    bench: 'space',
    agvs: n,
    obstacles: withObstacles.counts.obstacles,
    requests: withObstacles.counts.requests,
    granted: withObstacles.counts.granted,
    queued: withObstacles.counts.queued,
    refused: withObstacles.counts.refused,
    revoked: withObstacles.counts.revoked,
    grant_p99_ms: Number(percentile(withObstacles.decisionMs, 99).toFixed(3)),
    grant_p50_ms: Number(percentile(withObstacles.decisionMs, 50).toFixed(3)),
    grant_max_ms: Number(percentile(withObstacles.decisionMs, 100).toFixed(3)),
    tasks_per_hour: perHour(withObstacles.counts.tasks),
    tasks_per_hour_no_obstacles: perHour(without.counts.tasks),
    violations: withObstacles.violations.length + without.violations.length,
    virtual_minutes: minutes,
    obstacles_per_min: rate,
    obstacle_s: lifetime,
    seed,
  }));
  for (const v of [...withObstacles.violations, ...without.violations].slice(0, 5)) console.error(`violation: ${v}`);
}
