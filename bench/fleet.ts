// npm run bench:fleet [-- --agvs N] [-- --measure-s S]
// The platform (session server, registry, coordinator, traffic control, SQLite) runs in this process; the simulated
// fleet runs in a child process over real TCP, status every 500 ms, heartbeat every 1 s. Scenario (idle-heavy):
// the AGVs stand on a generated grid big enough to hold them (≥ 1.4 nodes per AGV); every second 20 % of them (in ten
// slices 100 ms apart), in rotation, get a motion order for a one-hop move that traffic control reserved for them (so the fleet also moves
// and reservations are exercised). Command latency = RCS sends the command -> RCS receives the AGV's ack (so it
// includes the simulator process's own delay in answering).
// Ramps 250, 500, 1000, 2000, 5000, 10000 and stops after the first saturated step: AGVs could not all connect,
// the RCS used > 90 % of a core, or command p99 > 500 ms. "meets_goal" says whether p99 <= 50 ms (the goal).
// One JSON object per line on stdout.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startPlatform, type PlatformHandle } from '../src/rcs/platform.ts';
import type { SiteMap } from '../src/rcs/site/types.ts';

function gridSite(agvs: number): SiteMap {
  // Twice as many nodes as AGVs; AGVs start on the black squares of a checkerboard so each has free neighbours.
  const side = Math.ceil(Math.sqrt(agvs * 2)) + 1;
  const nodes: SiteMap['nodes'] = [];
  const edges: SiteMap['edges'] = [];
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      nodes.push({ id: `g${x}_${y}`, x: x * 1.5, y: y * 1.5, kind: 'waypoint' });
      if (x + 1 < side) edges.push({ id: `h${x}_${y}`, from: `g${x}_${y}`, to: `g${x + 1}_${y}`, length: 1.5, maxSpeed: 1.5, bidirectional: true });
      if (y + 1 < side) edges.push({ id: `v${x}_${y}`, from: `g${x}_${y}`, to: `g${x}_${y + 1}`, length: 1.5, maxSpeed: 1.5, bidirectional: true });
    }
  }
  nodes[0]!.kind = 'station';
  nodes[1]!.kind = 'station';
  nodes[0]!.stationId = 'S1';
  nodes[1]!.stationId = 'S2';
  // No parking spots in the platform's copy: the coordinator would otherwise send AGVs back after every hop.
  return { id: 'bench-grid', name: `bench grid ${side}x${side}`, nodes, edges, stations: [{ id: 'S1', node: nodes[0]!.id, kind: 'pick' }, { id: 'S2', node: nodes[1]!.id, kind: 'drop' }], chargers: [], parking: [] };
}

// Result lines are the only stdout output: keep the platform's operational logs quiet.
process.env.UNIFLEET_LOG_LEVEL ??= 'silent';

/** CPU time (ms) the simulator child has used so far. */
function childCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      const cpu = (m as { cpu?: { user: number; system: number } }).cpu;
      if (!cpu) return;
      child.off('message', onMessage);
      resolve((cpu.user + cpu.system) / 1000);
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

const side = (site: SiteMap) => Math.round(Math.sqrt(site.nodes.length));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function option(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

/** Neighbour lists and node lookup, built once per step so the command burst itself stays cheap. */
function siteIndex(site: SiteMap) {
  const byId = new Map(site.nodes.map((n) => [n.id, n]));
  const neighbours = new Map<string, string[]>(site.nodes.map((n) => [n.id, []]));
  for (const e of site.edges) {
    neighbours.get(e.from)!.push(e.to);
    if (e.bidirectional) neighbours.get(e.to)!.push(e.from);
  }
  return { byId, neighbours };
}

/** Sends one-hop moves to a rotating share of the AGVs, reserved through traffic control. */
function driveShare(platform: PlatformHandle, index: ReturnType<typeof siteIndex>, round: number, share: number): void {
  const online = [...platform.registry.all()].filter((a) => a.link && platform.traffic.held(a.identity.id).length === 1);
  const stride = Math.max(1, Math.round(1 / share));
  for (let i = round % stride; i < online.length; i += stride) {
    const agv = online[i]!;
    const id = agv.identity.id;
    const here = platform.traffic.held(id)[0]!;
    const free = index.neighbours.get(here)!.filter((n) => platform.traffic.heldBy(n) === undefined);
    const goal = free[(round + i) % Math.max(1, free.length)];
    if (!goal) continue;
    const grant = platform.traffic.request(id, goal, Date.now());
    if (grant.kind !== 'go') {
      platform.traffic.stop(id);
      continue;
    }
    const steps = grant.path.map((n) => {
      const p = index.byId.get(n)!;
      return { nodeId: n, x: p.x, y: p.y };
    });
    void agv.link!.sendMotion({ orderId: 1_000_000 + round * 100_000 + (i % 100_000), updateId: 0, released: steps, announced: [] }).then(() => platform.traffic.stop(id));
  }
}

async function runStep(agvs: number, measureS: number): Promise<{ line: Record<string, unknown>; saturated: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'unifleet-bench-'));
  const site = gridSite(agvs);
  const mapPath = join(dir, 'map.json');
  const startNodes = site.nodes.filter((_, i) => (i % side(site) + Math.floor(i / side(site))) % 2 === 0).map((n) => n.id);
  writeFileSync(mapPath, JSON.stringify({ nodes: site.nodes, startNodes }));
  const platform = await startPlatform(
    { apiHost: '127.0.0.1', apiPort: 0, rcsHost: '127.0.0.1', rcsPort: 0, dbPath: join(dir, 'bench.db'), autoEnrol: true, autoApprove: true, demoKey: false, webhooks: false, statusPeriodMs: 500, heartbeatPeriodMs: 1_000, heartbeatTimeoutMs: 15_000, logLevel: 'warn' },
    { site },
  );
  const child = fork(join(import.meta.dirname, 'fleet-sim-child.ts'), [mapPath, String(platform.rcsPort), String(agvs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const connectDeadline = Date.now() + 30_000 + agvs * 10;
    while (platform.registry.onlineCount() < agvs && Date.now() < connectDeadline) await sleep(250);
    const online = platform.registry.onlineCount();
    await sleep(3_000);
    platform.sessions.latency.reset();
    const frames0 = platform.sessions.framesIn();
    const simCpu0 = await childCpu(child);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const index = siteIndex(site);
    // 20 % of the fleet per second, sent in ten slices 100 ms apart (commands trickle in a real site, they do not
    // all leave in one burst).
    const share = Number(process.env.BENCH_SHARE ?? 0.2) / 10;
    for (let round = 0; round < measureS * 10; round++) {
      driveShare(platform, index, round, share);
      await sleep(100);
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const simCpu1 = await childCpu(child);
    const simCpuPct = ((simCpu1 - simCpu0) / wallMs) * 100;
    const frames = platform.sessions.framesIn() - frames0;
    const [p50, p99] = platform.sessions.latency.percentiles([50, 99]);
    const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
    const line = {
      bench: 'fleet',
      agvs,
      online,
      frames_per_s: Math.round(frames / (wallMs / 1000)),
      rcs_cpu_pct: Math.round(cpuPct * 10) / 10,
      rcs_rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024),
      sim_cpu_pct: Math.round(simCpuPct * 10) / 10,
      load_avg_1m: Math.round(loadavg()[0]! * 10) / 10,
      cmd_latency_p50_ms: p50 === undefined ? null : Math.round(p50 * 100) / 100,
      cmd_latency_p99_ms: p99 === undefined ? null : Math.round(p99 * 100) / 100,
      commands: platform.sessions.latency.total,
    };
    const saturated = online < agvs || p99 === undefined || p99 > 500 || cpuPct > 90;
    return { line: { ...line, meets_goal: p99 !== undefined && p99 <= 50 && online === agvs, saturated }, saturated };
  } finally {
    child.send('stop');
    await new Promise<void>((r) => {
      child.once('exit', () => r());
      setTimeout(() => {
        child.kill('SIGKILL');
        r();
      }, 5_000);
    });
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const single = option('agvs');
const measureS = option('measure-s') ?? 10;
const steps = single !== undefined ? [single] : [250, 500, 1000, 2000, 5000, 10000];
for (const agvs of steps) {
  const { line, saturated } = await runStep(agvs, measureS);
  console.log(JSON.stringify(line));
  if (saturated && single === undefined) break;
}
process.exit(0);
