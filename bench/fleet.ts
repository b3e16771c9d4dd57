// npm run bench:fleet [-- --agvs N] [-- --secure-share F] [-- --measure-s S] [-- --segment-s P] [-- --gateways N] [-- --profile DIR]
//                     [-- --transport tcp|mqtt] [-- --broker mqtt://127.0.0.1:1883]
// The platform (session server, registry, coordinator, central traffic control, SQLite) runs in this process; the
// simulated fleet runs in a child process over real TCP, status every 500 ms, heartbeat every 1 s. With
// --transport mqtt every AGV reaches the platform through the MQTT broker instead (docs/protocol.md "MQTT binding":
// one MQTT connection per AGV, the platform on one connection for the site, topics under a root of their own per
// step); the line then also gives the broker's CPU (broker_cpu_pct: the local process listening on the broker port,
// read from /proc; null for a remote broker).
//
// Load: every AGV gets a new one-hop motion segment every P s (default 2). Chosen design: direct motion commands
// through the session's command path (AgvLink.sendMotion, what dispatch uses) for hops reserved through the
// platform's traffic controller, on a grid where each AGV owns its own pair of nodes (bench/lib/pair-grid.ts). A
// hop central control does not grant at once is asked for again every 50 ms until its next planning round grants
// it, so the load no longer depends on an immediate `go`, and since no AGV's route crosses another's pair the
// offered rate is the same at every fleet size (N / P commands per second). Why not tasks through dispatch: a task
// costs pick/drop actions and store writes besides motion, and its rate depends on route lengths and congestion,
// so the offered command load would not be known or comparable between fleet sizes. The driver runs in the RCS
// process, so its (small) CPU counts toward rcs_cpu_pct.
//
// Reported per step (one JSON object per line on stdout): commands sent in the measured window and how many were
// acked; commands_per_s = acks received in the window / window length (never the offered rate); command latency
// p50/p99 over every acked command sent in the window (RCS sends the command -> RCS receives the AGV's ack, so it
// includes the simulator process's own delay in answering); segment_interval_s = online AGVs / commands_per_s (the
// mean time between segments per AGV); frames/s and status frames/s received; RCS and simulator CPU (% of one core)
// and RSS; event-loop lag p99 of the RCS (perf_hooks); the RCS's garbage-collection pauses in the window (gc_pauses,
// gc_pause_total_ms, gc_pause_max_ms); secure_share (--secure-share F runs that fraction of the fleet
// in secure mode, with SM2 keys enrolled through the store before connecting, as `npm start` does); online_s: seconds
// from starting the simulator until every AGV was online (null if some never were), with the busy answers of the
// secure handshake queue and handshakes ended at their deadline meanwhile (handshake_busy_answers,
// handshake_timeouts).
// --gateways N runs N protocol gateway processes (the platform's `--gateways`): they terminate TCP and the secure
// channel, and the RCS process (the coordinator) keeps the sessions; the line then adds the gateways' CPU and RSS,
// and rcs_cpu_us_per_frame / rcs_cpu_us_per_agv_s give the coordinator's own cost apart (with 0 gateways they
// include the socket and crypto work).
//
// plan_step_p50/p99_ms: planning time per round (the sum of its slices); plan_slice_p99_ms / plan_slice_max_ms: the
// longest uninterrupted stretches of planning, i.e. how long planning held the RCS's event loop (the platform
// plans in slices of about 5 ms, docs/architecture.md).
// --profile DIR: samples the RCS process's CPU (V8 profiler, in process) during the measured window of each step,
// writes DIR/fleet-<agvs>.cpuprofile (open it in Chrome DevTools) and prints after the step's line the top 25
// functions by self time, one JSON line each ({"bench":"fleet-profile",...}), with their cost per received frame.
// The simulator's CPU is not in it. Profiling slows the RCS down a little; compare figures without it.
//
// Ramp: 250, 500, 1000, 1000 all-secure, 2000, 5000, 10000; stops after the first saturated plain step: AGVs could
// not all connect, the RCS used > 90 % of a core, command p99 > 500 ms, or the fleet got a segment less often than
// every 2.5 s on average. "meets_goal" says whether p99 <= 50 ms with every AGV online.
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { summarizeProfile, type CpuProfile } from './lib/cpu-profile-summary.ts';
import { generateSm2KeyPair } from '../src/protocol/secure/index.ts';
import { loadConfig } from '../src/rcs/config.ts';
import { startPlatform, type PlatformHandle } from '../src/rcs/platform.ts';
import { LatencyRecorder } from '../src/rcs/session/latency.ts';
import { pairGrid } from './lib/pair-grid.ts';
import { SegmentDriver } from './lib/segment-driver.ts';
import { brokerCpuReader } from './lib/broker-cpu.ts';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

// Result lines are the only stdout output; the platform's operational logs (one line per dropped AGV when a step
// saturates) go to stderr only at this level or above (UNIFLEET_LOG_LEVEL=warn to see them). Dropped connections
// are counted in the result line instead.
const logLevel = process.env.UNIFLEET_LOG_LEVEL === undefined ? 'fatal' : loadConfig([], process.env).logLevel;

/** CPU time (ms) and RSS (bytes) of the simulator child so far. */
function childUsage(child: ChildProcess): Promise<{ cpuMs: number; rss: number }> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      const { cpu, rss } = m as { cpu?: { user: number; system: number }; rss?: number };
      if (!cpu) return;
      child.off('message', onMessage);
      resolve({ cpuMs: (cpu.user + cpu.system) / 1000, rss: rss ?? 0 });
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number | undefined) => (n === undefined ? null : Math.round(n * 100) / 100);

function option(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a non-negative number`);
  return value;
}

function textOption(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

/** Simulator ids of the AGVs that run in secure mode: `share` of them, spread evenly over the fleet. */
function secureIds(agvs: number, share: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < agvs; i++) if (Math.floor((i + 1) * share) > Math.floor(i * share)) ids.push(`B${String(i + 1).padStart(3, '0')}`);
  return ids;
}

/** Enrols a fresh SM2 key per secure AGV through the store and writes the credentials file the simulator reads. */
async function enrolSecure(platform: PlatformHandle, ids: string[], path: string): Promise<void> {
  const keys: Record<string, { privateKey: string; publicKey: string }> = {};
  for (const id of ids) {
    const pair = generateSm2KeyPair();
    const publicKey = Buffer.from(pair.publicKey).toString('hex');
    await platform.store.agvs.enrol({ id, publicKeyHex: publicKey });
    keys[id] = { privateKey: Buffer.from(pair.privateKey).toString('hex'), publicKey };
  }
  writeFileSync(path, JSON.stringify({ platformPublicKey: Buffer.from(platform.platformPublicKey).toString('hex'), keys }));
}

/** Garbage-collection pauses of this (the RCS) process from now until stop(). */
function gcPauses(): { stop(): { count: number; totalMs: number; maxMs: number } } {
  let count = 0;
  let totalMs = 0;
  let maxMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      count++;
      totalMs += entry.duration;
      maxMs = Math.max(maxMs, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      observer.disconnect();
      return { count, totalMs, maxMs };
    },
  };
}

function percentiles(samples: number[], ps: number[]): (number | undefined)[] {
  const recorder = new LatencyRecorder(Math.max(1, samples.length));
  for (const s of samples) recorder.record('', s);
  return recorder.percentiles(ps);
}

interface Transport {
  kind: 'tcp' | 'mqtt';
  broker: string;
}

/** Total CPU ms and RSS bytes of the gateway processes (zero without gateways). */
async function gatewayUsage(platform: PlatformHandle): Promise<{ cpuMs: number; rss: number }> {
  const all = (await platform.gateways?.usage()) ?? [];
  return { cpuMs: all.reduce((sum, u) => sum + u.cpuMs, 0), rss: all.reduce((sum, u) => sum + u.rss, 0) };
}

/** Samples this process's CPU between start() and stop(); stop() writes the .cpuprofile and returns it. */
async function startProfiler(): Promise<{ stop(path: string): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop(path) {
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
      session.disconnect();
      writeFileSync(path, JSON.stringify(profile));
      return profile;
    },
  };
}

async function runStep(agvs: number, secureShare: number, measureS: number, segmentS: number, transport: Transport, gateways: number, profileDir?: string): Promise<{ line: Record<string, unknown>; saturated: boolean; profile?: Record<string, unknown>[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'unifleet-bench-'));
  const grid = pairGrid(agvs);
  const mapPath = join(dir, 'map.json');
  writeFileSync(mapPath, JSON.stringify({ nodes: grid.site.nodes, startNodes: grid.startNodes }));
  // A topic root of its own per step: runs sharing the broker never see each other's links.
  const mqtt = transport.kind === 'mqtt' ? { url: transport.broker, root: `bench-${randomBytes(4).toString('hex')}/unifleet/v1`, site: grid.site.id } : undefined;
  const platform = await startPlatform(
    { apiHost: '127.0.0.1', apiPort: 0, rcsHost: '127.0.0.1', rcsPort: 0, dbPath: join(dir, 'bench.db'), autoEnrol: true, autoApprove: true, demoKey: false, webhooks: false, statusPeriodMs: 500, heartbeatPeriodMs: 1_000, heartbeatTimeoutMs: 15_000, logLevel, mqttUrl: mqtt?.url ?? '', mqttTopicRoot: mqtt?.root, gateways },
    { site: grid.site },
  );
  const secure = secureIds(agvs, secureShare);
  let securePath = '';
  if (secure.length > 0) {
    securePath = join(dir, 'secure.json');
    await enrolSecure(platform, secure, securePath);
  }
  // Secure handshakes refused as busy (the handshake queue's retry hints) and ended at their deadline, while connecting.
  let busyAnswers = 0;
  let handshakeTimeouts = 0;
  const stopAudit = platform.sessions.onAudit((entry) => {
    if (entry.reason.startsWith('busy_')) busyAnswers++;
    else if (entry.reason === 'handshake_timeout') handshakeTimeouts++;
  });
  const childArgs = [mapPath, String(platform.rcsPort), String(agvs), securePath, mqtt ? JSON.stringify(mqtt) : ''];
  const brokerCpu = mqtt ? brokerCpuReader(mqtt.url) : undefined;
  const child = fork(join(import.meta.dirname, 'fleet-sim-child.ts'), childArgs, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const driver = new SegmentDriver(platform, grid, segmentS * 1000);
  let statusFrames = 0;
  let disconnects = 0;
  const stopCounting = platform.registry.onEvent((e) => {
    if (e.type === 'status') statusFrames++;
    else if (e.type === 'offline') disconnects++;
  });
  let planSteps: number[] | undefined;
  let planSlices: number[] | undefined;
  const stopPlanWatch = platform.traffic.observe({ planStep: (ms) => planSteps?.push(ms), planSlice: (ms) => planSlices?.push(ms) });
  try {
    const connectStart = Date.now();
    const connectDeadline = connectStart + 30_000 + agvs * (secure.length > 0 ? 30 : 10);
    while (platform.registry.onlineCount() < agvs && Date.now() < connectDeadline) await sleep(250);
    const online = platform.registry.onlineCount();
    const onlineS = online === agvs ? (Date.now() - connectStart) / 1000 : undefined;
    const connectBusy = busyAnswers;
    const connectTimeouts = handshakeTimeouts;
    const secureOnline = [...platform.registry.all()].filter((a) => a.link && a.mode === 'secure').length;
    driver.start();
    // One full segment period (plus settling) before measuring, so every AGV is in its shuttle rhythm.
    await sleep(3_000 + segmentS * 1000);
    const lag = monitorEventLoopDelay({ resolution: 10 });
    const gc = gcPauses();
    const frames0 = platform.sessions.framesIn();
    const status0 = statusFrames;
    const disconnects0 = disconnects;
    const sim0 = await childUsage(child);
    const broker0 = brokerCpu?.();
    const gateways0 = await gatewayUsage(platform);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const profiler = profileDir !== undefined ? await startProfiler() : undefined;
    lag.enable();
    planSteps = [];
    planSlices = [];
    driver.beginWindow();
    await sleep(measureS * 1000);
    driver.endWindow();
    const plans = planSteps;
    const slices = planSlices;
    planSteps = undefined;
    planSlices = undefined;
    lag.disable();
    const gcSeen = gc.stop();
    const wallMs = performance.now() - t0;
    const cpuProfile = profiler && profileDir !== undefined ? await profiler.stop(join(profileDir, `fleet-${agvs}.cpuprofile`)) : undefined;
    const cpu = process.cpuUsage(cpu0);
    const sim1 = await childUsage(child);
    const broker1 = brokerCpu?.();
    const gateways1 = await gatewayUsage(platform);
    const frames = platform.sessions.framesIn() - frames0;
    const status = statusFrames - status0;
    const dropped = disconnects - disconnects0;
    await driver.stop(5_000);
    const c = driver.counts;
    const [p50, p99] = percentiles(c.latencies, [50, 99]);
    const [grantP99] = percentiles(c.grantWaits, [99]);
    const [planP50, planP99] = percentiles(plans, [50, 99]);
    const [sliceP99] = percentiles(slices, [99]);
    const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
    const commandsPerS = c.ackedInWindow / (wallMs / 1000);
    const segmentInterval = commandsPerS > 0 ? online / commandsPerS : undefined;
    const line = {
      bench: 'fleet',
      transport: transport.kind,
      agvs,
      online,
      secure_share: secureShare,
      secure_online: secureOnline,
      online_s: onlineS === undefined ? null : round1(onlineS),
      handshake_busy_answers: connectBusy,
      handshake_timeouts: connectTimeouts,
      disconnects_in_window: dropped,
      frames_per_s: Math.round(frames / (wallMs / 1000)),
      status_frames_per_s: Math.round(status / (wallMs / 1000)),
      rcs_cpu_pct: round1(cpuPct),
      rcs_rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024),
      sim_cpu_pct: round1(((sim1.cpuMs - sim0.cpuMs) / wallMs) * 100),
      gateways,
      gateway_cpu_pct: round1(((gateways1.cpuMs - gateways0.cpuMs) / wallMs) * 100),
      gateway_rss_mb: Math.round(gateways1.rss / 1024 / 1024),
      rcs_cpu_us_per_frame: frames > 0 ? round1((cpu.user + cpu.system) / frames) : null,
      rcs_cpu_us_per_agv_s: online > 0 ? round1((cpu.user + cpu.system) / online / (wallMs / 1000)) : null,
      sim_rss_mb: Math.round(sim1.rss / 1024 / 1024),
      broker_cpu_pct: broker0 !== undefined && broker1 !== undefined ? round1(((broker1 - broker0) / wallMs) * 100) : null,
      load_avg_1m: round1(loadavg()[0]!),
      event_loop_lag_p99_ms: round2(lag.percentile(99) / 1e6),
      gc_pauses: gcSeen.count,
      gc_pause_total_ms: round1(gcSeen.totalMs),
      gc_pause_max_ms: round2(gcSeen.maxMs),
      cmd_latency_p50_ms: round2(p50),
      cmd_latency_p99_ms: round2(p99),
      commands: c.acked,
      commands_sent: c.sent,
      commands_acked: c.acked,
      commands_failed: c.failed,
      commands_per_s: round1(commandsPerS),
      segment_interval_s: round2(segmentInterval),
      grant_wait_p99_ms: round2(grantP99),
      plan_steps: plans.length,
      plan_step_p50_ms: round2(planP50),
      plan_step_p99_ms: round2(planP99),
      plan_slice_p99_ms: round2(sliceP99),
      plan_slice_max_ms: round2(slices.length > 0 ? Math.max(...slices) : undefined),
      measure_s: round1(wallMs / 1000),
    };
    const saturated = online < agvs || p99 === undefined || p99 > 500 || cpuPct > 90 || segmentInterval === undefined || segmentInterval > 2.5;
    const profile = cpuProfile
      ? summarizeProfile(cpuProfile, 25, `${join(import.meta.dirname, '..')}/`).map((f) => ({ bench: 'fleet-profile', agvs, ...f, us_per_frame: frames > 0 ? round2((f.self_ms * 1000) / frames) : null }))
      : undefined;
    return { line: { ...line, meets_goal: p99 !== undefined && p99 <= 50 && online === agvs, saturated }, saturated, profile };
  } finally {
    stopCounting();
    stopAudit();
    stopPlanWatch();
    await driver.stop(0);
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
const secureShare = option('secure-share') ?? 0;
if (secureShare > 1) throw new Error('--secure-share is a fraction of the fleet, 0 to 1');
const measureS = option('measure-s') ?? 10;
const segmentS = option('segment-s') ?? 2;
const transport: Transport = { kind: textOption('transport') === 'mqtt' ? 'mqtt' : 'tcp', broker: textOption('broker') ?? 'mqtt://127.0.0.1:1883' };
if (!['tcp', 'mqtt', undefined].includes(textOption('transport'))) throw new Error('--transport is tcp or mqtt');
const gateways = option('gateways') ?? 0;
const profileDir = textOption('profile');
if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
if (!Number.isInteger(gateways)) throw new Error('--gateways is a whole number of processes');
const steps: { agvs: number; secureShare: number; ends: boolean }[] =
  single !== undefined
    ? [{ agvs: single, secureShare, ends: false }]
    : [250, 500, 1000, 'secure', 2000, 5000, 10000].map((s) => (s === 'secure' ? { agvs: 1000, secureShare: 1, ends: false } : { agvs: s as number, secureShare, ends: true }));
for (const step of steps) {
  const { line, saturated, profile } = await runStep(step.agvs, step.secureShare, measureS, segmentS, transport, gateways, profileDir);
  console.log(JSON.stringify(line));
  for (const f of profile ?? []) console.log(JSON.stringify(f));
  if (saturated && step.ends) break;
}
process.exit(0);
