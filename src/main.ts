// `npm start`: the platform on the demo warehouse with an embedded simulated multi-vendor fleet and a stream of demo
// tasks fed through the HTTP API. Everything embedded (SQLite in ./data), no external server needed.
import { ScaledClock, Simulator } from './agv/sim/index.ts';
import { systemClock } from './core/index.ts';
import { generateSm2KeyPair, type Sm2KeyPair } from './protocol/secure/index.ts';
import { ConfigError, describeConfig, loadConfig } from './rcs/config.ts';
import { DemoFeeder } from './demo/feeder.ts';
import { DEMO_DASHBOARD_USERS } from './demo/dashboard-users.ts';
import { startPlatform } from './rcs/platform.ts';
import { ReservationTrafficController } from './rcs/traffic/index.ts';

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(`UniFleet platform + simulated fleet\n\nOptions (flag, environment variable, default):\n${describeConfig()}`);
    return;
  }
  const config = loadConfig();
  const clock = config.timeFactor === 1 ? systemClock : new ScaledClock(config.timeFactor);
  const platform = await startPlatform({
    site: config.mapPath,
    dbPath: config.dbPath,
    apiHost: config.apiHost,
    apiPort: config.apiPort,
    rcsHost: config.rcsHost,
    rcsPort: config.rcsPort,
    clock,
    autoEnrol: config.autoEnrol,
    requireSecure: config.requireSecure,
    statusPeriodMs: config.statusPeriodMs,
    heartbeatTimeoutMs: config.heartbeatTimeoutMs,
    openReads: config.openReads,
    demoKey: config.demoKey,
    // Demo mode also seeds dashboard users (printed below), like the demo API key.
    ops: config.demoKey ? { seedUsers: DEMO_DASHBOARD_USERS } : {},
    traffic: config.traffic === 'reservation' ? (graph) => new ReservationTrafficController(graph) : undefined,
    registeredFootprints: config.registeredFootprints,
  });

  let sim: Simulator | undefined;
  if (config.simAgvs > 0) {
    // Every third simulated AGV (all of them with --require-secure) uses secure mode with a freshly enrolled key.
    const secureKeys = new Map<string, Sm2KeyPair>();
    for (let i = 0; i < config.simAgvs; i++) {
      if (!config.requireSecure && i % 3 !== 2) continue;
      const id = `AGV-${String(i + 1).padStart(3, '0')}`;
      const keys = generateSm2KeyPair();
      await platform.store.agvs.enrol({ id, publicKeyHex: Buffer.from(keys.publicKey).toString('hex') });
      secureKeys.set(id, keys);
    }
    sim = new Simulator({
      credentials: (id) => {
        const keys = secureKeys.get(id);
        return keys ? { ...keys, platformPublicKey: platform.platformPublicKey } : undefined;
      },
      clock,
      nodes: platform.site.nodes,
      count: config.simAgvs,
      startNodes: [...platform.site.parking.map((p) => p.node), ...platform.site.chargers.map((c) => c.node)],
      host: '127.0.0.1',
      port: platform.rcsPort,
    });
    sim.start();
  }
  const feeder =
    platform.demoApiKey && config.demoTasksPerMin > 0
      ? new DemoFeeder({ apiUrl: platform.apiUrl, apiKey: platform.demoApiKey, site: platform.site, tasksPerMinute: config.demoTasksPerMin, maxQueued: Math.max(10, config.simAgvs), onError: (m) => console.error(m) })
      : undefined;
  feeder?.start();

  console.log(`
UniFleet is running on site "${platform.site.name}" (${platform.site.nodes.length} nodes)
  Dashboard      ${platform.apiUrl}/   ${config.demoKey ? `(log in: ${DEMO_DASHBOARD_USERS.map((u) => `${u.username} / ${u.password}`).join(', ')})` : '(create users: POST /api/v1/users)'}
  Metrics        ${platform.apiUrl}/metrics   (probes: /healthz, /readyz)
  HTTP API       ${platform.apiUrl}/api/v1
  API docs       ${platform.apiUrl}/docs   (OpenAPI: ${platform.apiUrl}/openapi.json)
  AGV protocol   tcp://${config.rcsHost}:${platform.rcsPort}
  database       ${config.dbPath}
  demo API key   ${platform.demoApiKey ?? '(off)'}   (header X-API-Key)
  fleet          ${config.simAgvs} simulated AGVs of 3 vendors (${config.requireSecure ? 'all' : 'every third'} in secure mode); ${config.demoTasksPerMin} demo tasks/min; traffic: ${config.traffic}
Try: curl -H "X-API-Key: ${platform.demoApiKey ?? 'KEY'}" ${platform.apiUrl}/api/v1/agvs
Stop with Ctrl+C.
`);

  const status = setInterval(async () => {
    const counts: Record<string, number> = {};
    for (const task of (await platform.tasks.list({ limit: 500 })).items) counts[task.state] = (counts[task.state] ?? 0) + 1;
    const [p50, p99] = platform.sessions.latency.percentiles([50, 99]);
    console.log(
      `[fleet] online ${platform.registry.onlineCount()}/${platform.registry.size}  tasks ${JSON.stringify(counts)}  cmd latency p50 ${p50?.toFixed(1) ?? '-'} ms p99 ${p99?.toFixed(1) ?? '-'} ms`,
    );
  }, 10_000);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping`);
    clearInterval(status);
    feeder?.stop();
    sim?.stop();
    await platform.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
