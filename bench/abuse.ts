// npm run bench:abuse [-- --seconds S] [-- --attack NAME]
// With 30 simulated AGVs connected (a child process, real TCP), one hostile source (another child process, all
// from 127.0.0.1) runs each attack for S seconds (default 15): a heartbeat flood from 20 connections that never
// access, a key-exchange flood (secure access + SM2 key-exchange starts for an enrolled AGV, 10 at a time), 2,000
// idle connections that never access but send a heartbeat every 4 s, and a malformed-frame flood from 20
// connections. The platform runs in this process with its default settings (the fleet is enrolled, as in the
// demo). One JSON object per attack on stdout:
//   frames: frames the attacker got out; agvs_online_min: fewest of the 30 online during the attack;
//   readyz_fail_s: seconds /readyz failed or did not answer within 1 s (sampled every 250 ms);
//   rss_mb_max / loop_lag_ms_max: the platform process's peak RSS and event-loop delay during the attack.
// Goal (the issue's): no attack takes an AGV offline, fails /readyz or grows RSS by more than 100 MB.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { generateSm2KeyPair } from '../src/protocol/secure/index.ts';
import { DEFAULT_CONFIG, loadConfig, type PlatformConfig } from '../src/rcs/config.ts';
import { startPlatform } from '../src/rcs/platform.ts';
import { readSiteMapFile } from '../src/rcs/site/index.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const AGVS = 30;
const ATTACKS = [
  { attack: 'heartbeat-flood', clients: 20 },
  { attack: 'key-exchange-flood', clients: 10 },
  { attack: 'idle-connections', clients: 2_000 },
  { attack: 'malformed-flood', clients: 20 },
] as const;

const secondsFlag = process.argv.indexOf('--seconds');
const seconds = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 15;
const attackFlag = process.argv.indexOf('--attack');
const only = attackFlag > 0 ? process.argv[attackFlag + 1] : undefined;

const dir = mkdtempSync(join(tmpdir(), 'unifleet-abuse-'));
const site = await readSiteMapFile('maps/demo-site.json');
const platform = await startPlatform(
  { apiHost: '127.0.0.1', apiPort: 0, rcsHost: '127.0.0.1', rcsPort: 0, dbPath: join(dir, 'abuse.db'), ...limitOverrides(), demoKey: false, webhooks: false, demoTasksPerMin: 0, simAgvs: 0, logLevel: 'error' },
  { site },
);
// The fleet is enrolled as a site would; the key-exchange target is an enrolled secure AGV that is not connected.
for (let i = 1; i <= AGVS; i++) await platform.store.agvs.enrol({ id: `B${String(i).padStart(3, '0')}` });
const target = generateSm2KeyPair();
const targetKeyHex = Buffer.from(target.publicKey).toString('hex');
await platform.store.agvs.enrol({ id: 'KX-TARGET', publicKeyHex: targetKeyHex });

const mapPath = join(dir, 'map.json');
writeFileSync(mapPath, JSON.stringify({ nodes: site.nodes, startNodes: site.parking.map((p) => p.node) }));
const fleet = fork(join(import.meta.dirname, 'fleet-sim-child.ts'), [mapPath, String(platform.rcsPort), String(AGVS)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });

try {
  const deadline = Date.now() + 60_000;
  while (platform.registry.onlineCount() < AGVS && Date.now() < deadline) await sleep(250);
  if (platform.registry.onlineCount() < AGVS) throw new Error(`only ${platform.registry.onlineCount()} of ${AGVS} AGVs came online`);
  await sleep(2_000);
  console.error(`platform RSS before the attacks: ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
  for (const { attack, clients } of ATTACKS.filter((a) => !only || a.attack === only)) {
    console.log(JSON.stringify(await runAttack(attack, clients)));
    // Let the platform close what the attack left behind before the next one.
    await sleep(3_000);
  }
} finally {
  fleet.send('stop');
  await platform.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function runAttack(attack: string, clients: number): Promise<Record<string, unknown>> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let onlineMin = platform.registry.onlineCount();
  let rssMax = process.memoryUsage().rss;
  let readyFailMs = 0;
  let running = true;
  const sampler = setInterval(() => {
    onlineMin = Math.min(onlineMin, platform.registry.onlineCount());
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }, 100);
  const probe = (async () => {
    while (running) {
      const started = Date.now();
      const ok = await fetch(`${platform.apiUrl}/readyz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
      if (!ok) readyFailMs += 250;
      await sleep(Math.max(0, 250 - (Date.now() - started)));
    }
  })();
  const attacker = fork(join(import.meta.dirname, 'abuse-attacker.ts'), [attack, String(platform.rcsPort), String(seconds), String(clients), 'KX-TARGET', targetKeyHex], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const frames = await new Promise<number>((resolve) => {
    let sent = 0;
    attacker.on('message', (m: { frames: number }) => (sent = m.frames));
    attacker.on('exit', () => resolve(sent));
  });
  running = false;
  await probe;
  clearInterval(sampler);
  lag.disable();
  return {
    bench: 'abuse',
    attack,
    clients,
    frames,
    agvs_online_min: onlineMin,
    readyz_fail_s: readyFailMs / 1000,
    rss_mb_max: Math.round(rssMax / 1e6),
    loop_lag_ms_max: Math.round(lag.max / 1e6),
  };
}

/** UNIFLEET_* settings from the environment (e.g. UNIFLEET_MAX_UNACCESSED_PER_SOURCE) to try other limits. */
function limitOverrides(): Partial<PlatformConfig> {
  const config = loadConfig([], process.env);
  const changed: Partial<PlatformConfig> = {};
  for (const key of Object.keys(DEFAULT_CONFIG) as (keyof PlatformConfig)[]) {
    if (config[key] !== DEFAULT_CONFIG[key] && !['logLevel', 'dbPath', 'apiPort', 'rcsPort'].includes(key)) Object.assign(changed, { [key]: config[key] });
  }
  return changed;
}
