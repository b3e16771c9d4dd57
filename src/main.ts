// `npm start`: the platform on the demo warehouse with an embedded simulated multi-vendor fleet and a stream of demo
// tasks fed through the HTTP API. Everything embedded (SQLite in ./data), no external server needed.
import { ScaledClock, Simulator } from './agv/sim/index.ts';
import { VdaVirtualFleet } from './agv/vda5050/virtual-fleet.ts';
import { systemClock } from './core/index.ts';
import { generateSm2KeyPair, type Sm2KeyPair } from './protocol/secure/index.ts';
import { VdaBridgeError } from './rcs/vda5050/bridge.ts';
import { ConfigError, DEFAULT_CONFIG, describeConfig, loadConfig } from './rcs/config.ts';
import { DemoFeeder } from './demo/feeder.ts';
import { startNodesByFloor } from './demo/start-nodes.ts';
import { DEMO_DASHBOARD_USERS } from './demo/dashboard-users.ts';
import { createLogger, type Logger } from './rcs/logger.ts';
import { startPlatform } from './rcs/platform.ts';
import { mapHashHex } from './rcs/session/site-export.ts';

/** Until the configuration is read, failures go to a logger at the default level. */
let logger: Logger = createLogger({ level: DEFAULT_CONFIG.logLevel });

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(`UniFleet platform + simulated fleet\n\nOptions (flag, environment variable, default):\n${describeConfig()}`);
    return;
  }
  const config = loadConfig();
  // Virtual VDA AGVs need the platform's VDA 5050 side.
  if (config.vdaAgvs > 0) config.vda5050 = true;
  const clock = config.timeFactor === 1 ? systemClock : new ScaledClock(config.timeFactor);
  logger = createLogger({ level: config.logLevel });
  const platform = await startPlatform(config, {
    clock,
    logger,
    // Demo mode also seeds dashboard users (printed below), like the demo API key.
    ops: config.demoKey ? { seedUsers: DEMO_DASHBOARD_USERS } : {},
  });

  // A standby waits here (its API answers /readyz 'standby') until the leader of the site fails.
  platform.onLeadershipLost(() => process.exit(1));
  if (platform.role === 'standby') logger.info({ site: platform.site.id }, 'standing by: another instance leads this site');
  await platform.leading;

  let sim: Simulator | undefined;
  if (config.simAgvs > 0) {
    // The demo enrols its own fleet, as a site would (unknown AGVs wait for an operator's approval). Every third
    // simulated AGV (all of them with --require-secure) uses secure mode with a freshly enrolled key.
    const secureKeys = new Map<string, Sm2KeyPair>();
    for (let i = 0; i < config.simAgvs; i++) {
      const id = `AGV-${String(i + 1).padStart(3, '0')}`;
      if (!config.requireSecure && i % 3 !== 2) {
        await platform.store.agvs.enrol({ id });
        continue;
      }
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
      maps: platform.site.maps,
      count: config.simAgvs,
      startNodes: startNodesByFloor(platform.site),
      host: '127.0.0.1',
      port: platform.rcsPort,
    });
    sim.start();
    // Obstacles on the drive edges (not lift rides) so AGVs meet them and ask for detours; each stays a minute.
    if (config.demoObstaclesPerMin > 0) {
      const edges = platform.site.edges.filter((e) => (e.kind ?? 'drive') === 'drive');
      sim.scatterObstacles({ edges, everyMs: 60_000 / config.demoObstaclesPerMin, lifetimeMs: 60_000, max: 3 }, (o) => logger.info({ obstacle: o }, 'demo obstacle placed'));
    }
  }
  // VDA 5050 virtual AGVs (vda-5050-lib's AgvController + VirtualAgvAdapter) on the parking and charger nodes the
  // guide-protocol fleet leaves free, talking to the platform only through the MQTT broker.
  let vdaFleet: VdaVirtualFleet | undefined;
  if (config.vdaAgvs > 0) {
    const spots = [...platform.site.parking.map((p) => p.node), ...platform.site.chargers.map((c) => c.node)].slice(config.simAgvs);
    const nodes = spots.map((id) => platform.site.nodes.find((n) => n.id === id)!);
    if (nodes.length < config.vdaAgvs) throw new ConfigError(`--vda-agvs ${config.vdaAgvs}: the site has ${nodes.length} free parking/charger nodes beside ${config.simAgvs} simulated AGVs`);
    for (let i = 0; i < config.vdaAgvs; i++) await platform.store.agvs.enrol({ id: `VDA-${String(i + 1).padStart(3, '0')}` });
    vdaFleet = new VdaVirtualFleet({ brokerUrl: config.vdaBrokerUrl, interfaceName: config.vdaInterface, manufacturer: 'VirtualAgvCo', serialPrefix: 'VDA-', count: config.vdaAgvs, startNodes: nodes, mapId: platform.site.id, timeLapse: config.timeFactor });
    await vdaFleet.start();
  }
  const feeder =
    platform.demoApiKey && config.demoTasksPerMin > 0
      ? new DemoFeeder({ apiUrl: platform.apiUrl, apiKey: platform.demoApiKey, site: platform.site, tasksPerMinute: config.demoTasksPerMin, crossFloorShare: config.demoCrossFloorShare, maxQueued: Math.max(10, config.simAgvs + config.vdaAgvs), onError: (m) => logger.error(`demo feeder: ${m}`) })
      : undefined;
  feeder?.start();

  console.log(`
UniFleet is running on site "${platform.site.name}" (${platform.site.maps.length} map${platform.site.maps.length === 1 ? '' : 's'}, ${platform.site.nodes.length} nodes, ${platform.site.lifts.length} lifts)
  Dashboard      ${platform.apiUrl}/   ${config.demoKey ? `(log in: ${DEMO_DASHBOARD_USERS.map((u) => `${u.username} / ${u.password}`).join(', ')})` : '(create users: POST /api/v1/users)'}
  Metrics        ${platform.apiUrl}/metrics   (probes: /healthz, /readyz)
  HTTP API       ${platform.apiUrl}/api/v1
  API docs       ${platform.apiUrl}/docs   (OpenAPI: ${platform.apiUrl}/openapi.json)
  AGV protocol   tcp://${config.rcsHost}:${platform.rcsPort}   (map hash ${mapHashHex(platform.numbering.mapHash)}; export: ${platform.apiUrl}/api/v1/site/export)
${config.mqttUrl ? `                 and MQTT ${config.mqttUrl.replace(/:[^:@/]*@/, ':***@')}   (topics ${config.mqttTopicRoot}/${encodeURIComponent(platform.site.id)}/{agvKey}/up|down/{link})
` : ''}  platform key   SM2 ${Buffer.from(platform.platformPublicKey).toString('hex')}
                 (pin it on secure AGVs; also at ${platform.apiUrl}/api/v1/platform/identity)
  database       ${config.dbUrl ? config.dbUrl.replace(/:[^:@/]*@/, ':***@') : config.dbPath}
  demo API key   ${platform.demoApiKey ?? '(off)'}   (header X-API-Key)
  VDA 5050       ${platform.vda ? `${config.vdaBrokerUrl} interface "${config.vdaInterface}" (${config.vdaAgvs} virtual VDA AGVs)` : '(off: --vda5050 or --vda-agvs N)'}
  fleet          ${config.simAgvs} simulated AGVs of 3 vendors with their true bodies (${config.requireSecure ? 'all' : 'every third'} in secure mode); ${config.demoTasksPerMin} demo tasks/min (${Math.round(config.demoCrossFloorShare * 100)} % across floors); ${config.demoObstaclesPerMin} obstacles/min; traffic: ${config.traffic}
Try: curl -H "X-API-Key: ${platform.demoApiKey ?? 'KEY'}" ${platform.apiUrl}/api/v1/agvs
Stop with Ctrl+C.
`);

  const reportStatus = async () => {
    const counts: Record<string, number> = {};
    for (const task of (await platform.tasks.list({ limit: 500 })).items) counts[task.state] = (counts[task.state] ?? 0) + 1;
    const [p50, p99] = platform.sessions.latency.percentiles([50, 99]);
    logger.info({ online: platform.registry.onlineCount(), known: platform.registry.size, tasks: counts, commandLatencyP50Ms: p50, commandLatencyP99Ms: p99 }, 'fleet status');
  };
  const status = setInterval(() => void reportStatus().catch((err: unknown) => logger.error({ err }, 'fleet status not read')), 10_000);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    clearInterval(status);
    feeder?.stop();
    sim?.stop();
    await vdaFleet?.stop();
    await platform.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) logger.fatal(`configuration error: ${err.message}`);
  else if (err instanceof VdaBridgeError) logger.fatal(err.message);
  else logger.fatal({ err }, 'platform failed');
  process.exit(1);
});
