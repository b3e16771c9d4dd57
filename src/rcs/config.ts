// Platform configuration: defaults, then environment variables, then command-line flags (--name=value or
// --name value). Documented in README "Configuration".

export interface PlatformConfig {
  /** Site map JSON file. */
  mapPath: string;
  /** SQLite file, or ':memory:' (used when dbUrl is empty). */
  dbPath: string;
  /** PostgreSQL connection URL (postgres://USER@HOST:PORT/DB); empty: the embedded SQLite file at dbPath. */
  dbUrl: string;
  apiHost: string;
  /** HTTP API port; 0 picks a free one. */
  apiPort: number;
  rcsHost: string;
  /** AGV protocol (TCP) port; 0 picks a free one. */
  rcsPort: number;
  /**
   * MQTT broker the platform also takes AGV links from (mqtt://[user:password@]host:1883, mqtts://…); empty: no
   * MQTT, TCP only. Topics: docs/protocol.md "MQTT binding".
   */
  mqttUrl: string;
  /** Topic root of the MQTT binding: links live under `{root}/{site id}/…`. */
  mqttTopicRoot: string;
  /** Accept AGVs that are not enrolled (registers them on first contact). */
  autoEnrol: boolean;
  /**
   * Give AGVs registered on first contact work at once. Off (the default), such an AGV is 'pending' — visible in
   * the API, no tasks, no reservations — until an operator approves it or it is enrolled through the API.
   */
  autoApprove: boolean;
  /** Refuse AGVs that do not use secure mode. */
  requireSecure: boolean;
  statusPeriodMs: number;
  heartbeatPeriodMs: number;
  /** An AGV not heard from for this long is offline (its session is closed). */
  heartbeatTimeoutMs: number;
  /** A connection must complete access (and key exchange, registration and config) this long after it opens. */
  accessTimeoutMs: number;
  /** Frames before access other than access and key exchange (each nacked) that close the connection. */
  preAccessStrikes: number;
  /** Frames one connection may send per second; beyond it the platform stops reading it until the second is over. */
  maxFramesPerSecond: number;
  /** Outbound bytes queued for one slow AGV before its connection is closed. */
  maxQueuedBytes: number;
  /**
   * Protocol gateway processes that terminate AGV connections (TCP and the secure channel) and hand plain frames to
   * this process, which keeps every session; 0 (default): connections are read in this process.
   */
  gateways: number;
  /**
   * Per-source limits (one source = one IP address). A whole fleet may share one address (NAT, a simulator), so
   * nothing bounds accessed AGVs per source; the limits are on what a fleet does only briefly per connection.
   * Connections from one source that have not completed access yet, at once:
   */
  maxUnaccessedPerSource: number;
  /** New connections per second from one source (sustained; connectionBurst at once). */
  connectionsPerSecond: number;
  connectionBurst: number;
  /** Key-exchange starts (SM2 work each) per second from one source (sustained; keyExchangeBurst at once). */
  keyExchangesPerSecond: number;
  keyExchangeBurst: number;
  /**
   * Secure handshakes (secure access to confirmed key exchange) the platform runs at once; more wait in line, each
   * source in turn, up to handshakeQueue of them for at most handshakeWaitMs, then get accessResponse(busy) with a
   * retry hint. An admitted handshake not done within handshakeTimeoutMs is ended.
   */
  maxHandshakes: number;
  handshakeQueue: number;
  handshakeWaitMs: number;
  handshakeTimeoutMs: number;
  /** How often running data (odometry, counters, diagnostics) is requested from every online AGV; 0: never. */
  runningDataPeriodMs: number;
  /** Running-data samples older than this are deleted. */
  runningDataRetentionMs: number;
  /** After a restart, how long motion waits for the AGVs that were active before to report where they stand. */
  recoveryMs: number;
  /** Autonomous space: lease length for AGVs that renew (protocol 1.2); others keep space for their asked window. */
  spaceLeaseMs: number;
  /** Anonymous read access to the API (demo on a closed network). */
  openReads: boolean;
  /** `/metrics` needs a key or login with role viewer (off: open to scrapers on the network). */
  metricsAuth: boolean;
  /** `/openapi.json` and `/docs` need a key or login with role viewer (off: open). */
  openapiAuth: boolean;
  /** Create and print an operator API key at start (demo). */
  demoKey: boolean;
  /** Simulated AGVs started inside the process (main job only; 0 for none). */
  simAgvs: number;
  /**
   * Demo tasks per minute fed through the HTTP API (main job only; 0 for none). The default is below what the
   * default fleet finishes on the default site, so the queue stays short (docs/operations.md, "Demo").
   */
  demoTasksPerMin: number;
  /** Share (0–1) of demo tasks whose drop is on another floor than their pick: they ride a lift. */
  demoCrossFloorShare: number;
  /**
   * Obstacles per minute the demo's simulator drops on free edges (each stays a minute; 0 for none): AGVs meeting
   * one ask the platform for a detour, which the dashboard shows as granted space.
   */
  demoObstaclesPerMin: number;
  /** Speed-up of simulated time (main job only). */
  timeFactor: number;
  /** Traffic control: 'central' (multi-agent planner, default) or 'reservation' (v1: shortest path + exclusive reservations). */
  traffic: TrafficMode;
  /**
   * Share the site with other platform processes on the same PostgreSQL database (dbUrl): one leads (commands
   * AGVs), the others stand by warm and take over when it fails (docs/deployment.md, "Site failover").
   */
  leaderElection: boolean;
  /** Post queued webhooks to their subscribers (off: they stay queued in the outbox). */
  webhooks: boolean;
  /**
   * MQTT broker of the site's lift and door gateways (mqtt://host:port); empty: lifts and doors are simulated in
   * the process. Topic contract: docs/lifts-and-doors.md.
   */
  equipmentMqttUrl: string;
  /** Topic prefix of this site's lifts and doors on that broker. */
  equipmentTopicPrefix: string;
  logLevel: LogLevel;
  /** Run the VDA 5050 master control (AGVs speaking VDA 5050 over MQTT join the same fleet). */
  vda5050: boolean;
  /** MQTT broker of the VDA 5050 AGVs (mqtt://, mqtts://, ws://). */
  vdaBrokerUrl: string;
  /** VDA 5050 interfaceName: the first topic level, one namespace per site. */
  vdaInterface: string;
  /** A VDA order or instant action not visible in the AGV's state after this long raises an alarm. */
  vdaCommandTimeoutMs: number;
  /** A VDA AGV silent this long (no state, no last will) is offline; VDA AGVs publish state at least every 30 s. */
  vdaStaleAfterMs: number;
  /** VDA 5050 virtual AGVs (vda-5050-lib) started inside the process (main job only; implies vda5050). */
  vdaAgvs: number;
}

export const TRAFFIC_MODES = ['reservation', 'central'] as const;
export type TrafficMode = (typeof TRAFFIC_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings that are a fraction from 0 to 1. */
const FRACTIONS: ReadonlySet<keyof PlatformConfig> = new Set(['demoCrossFloorShare']);

/** Settings that must be a whole number of at least 1 (0 would shut a door for good). */
const COUNTS: ReadonlySet<keyof PlatformConfig> = new Set(['maxHandshakes']);

/** Settings whose value must be one of a fixed set. */
const CHOICES: Partial<Record<keyof PlatformConfig, readonly string[]>> = { traffic: TRAFFIC_MODES, logLevel: LOG_LEVELS };

export const DEFAULT_CONFIG: PlatformConfig = {
  mapPath: 'maps/demo-site.json',
  dbPath: 'data/unifleet.db',
  dbUrl: '',
  apiHost: '0.0.0.0',
  apiPort: 8080,
  rcsHost: '0.0.0.0',
  rcsPort: 7700,
  mqttUrl: '',
  mqttTopicRoot: 'unifleet/v1',
  autoEnrol: true,
  autoApprove: false,
  requireSecure: false,
  statusPeriodMs: 500,
  heartbeatPeriodMs: 1_000,
  heartbeatTimeoutMs: 5_000,
  accessTimeoutMs: 10_000,
  preAccessStrikes: 3,
  maxFramesPerSecond: 200,
  maxQueuedBytes: 4 * 1024 * 1024,
  gateways: 0,
  // A fleet of thousands behind one address restarting at once gets in within seconds; refused connections retry
  // with the SDK's reconnect backoff. A hostile source is held to these rates, each cheap to refuse.
  maxUnaccessedPerSource: 1_024,
  connectionsPerSecond: 500,
  connectionBurst: 2_000,
  keyExchangesPerSecond: 50,
  keyExchangeBurst: 100,
  // A handshake costs the platform about a millisecond of CPU (native SM2) and lasts two round trips plus the AGV
  // side's SM2 work. Throughput is bound by CPU (both sides'), so more slots only make each handshake slower
  // (Little's law): 64 keep one well inside its deadline even when a simulator runs hundreds of AGVs on a starved
  // core, and still admit hundreds per second on a healthy one. The wait stays below the SDK's 10 s silence limit.
  maxHandshakes: 64,
  handshakeQueue: 2_048,
  handshakeWaitMs: 6_000,
  handshakeTimeoutMs: 10_000,
  runningDataPeriodMs: 60_000,
  runningDataRetentionMs: 30 * 86_400_000,
  recoveryMs: 15_000,
  spaceLeaseMs: 10_000,
  openReads: false,
  metricsAuth: false,
  openapiAuth: false,
  demoKey: true,
  simAgvs: 30,
  demoTasksPerMin: 5,
  demoCrossFloorShare: 0.2,
  demoObstaclesPerMin: 1,
  timeFactor: 1,
  traffic: 'central',
  leaderElection: false,
  webhooks: true,
  equipmentMqttUrl: '',
  equipmentTopicPrefix: 'unifleet/site',
  logLevel: 'info',
  vda5050: false,
  vdaBrokerUrl: 'mqtt://127.0.0.1:1883',
  vdaInterface: 'uagv',
  vdaCommandTimeoutMs: 10_000,
  vdaStaleAfterMs: 65_000,
  vdaAgvs: 0,
};

const ENV: Record<keyof PlatformConfig, string> = {
  mapPath: 'UNIFLEET_MAP',
  dbPath: 'UNIFLEET_DB',
  dbUrl: 'UNIFLEET_DB_URL',
  apiHost: 'UNIFLEET_API_HOST',
  apiPort: 'UNIFLEET_API_PORT',
  rcsHost: 'UNIFLEET_RCS_HOST',
  rcsPort: 'UNIFLEET_RCS_PORT',
  mqttUrl: 'UNIFLEET_MQTT_URL',
  mqttTopicRoot: 'UNIFLEET_MQTT_TOPIC_ROOT',
  autoEnrol: 'UNIFLEET_AUTO_ENROL',
  autoApprove: 'UNIFLEET_AUTO_APPROVE',
  requireSecure: 'UNIFLEET_REQUIRE_SECURE',
  statusPeriodMs: 'UNIFLEET_STATUS_PERIOD_MS',
  heartbeatPeriodMs: 'UNIFLEET_HEARTBEAT_PERIOD_MS',
  heartbeatTimeoutMs: 'UNIFLEET_HEARTBEAT_TIMEOUT_MS',
  accessTimeoutMs: 'UNIFLEET_ACCESS_TIMEOUT_MS',
  preAccessStrikes: 'UNIFLEET_PRE_ACCESS_STRIKES',
  maxFramesPerSecond: 'UNIFLEET_MAX_FRAMES_PER_SECOND',
  maxQueuedBytes: 'UNIFLEET_MAX_QUEUED_BYTES',
  gateways: 'UNIFLEET_GATEWAYS',
  maxUnaccessedPerSource: 'UNIFLEET_MAX_UNACCESSED_PER_SOURCE',
  connectionsPerSecond: 'UNIFLEET_CONNECTIONS_PER_SECOND',
  connectionBurst: 'UNIFLEET_CONNECTION_BURST',
  keyExchangesPerSecond: 'UNIFLEET_KEY_EXCHANGES_PER_SECOND',
  keyExchangeBurst: 'UNIFLEET_KEY_EXCHANGE_BURST',
  maxHandshakes: 'UNIFLEET_MAX_HANDSHAKES',
  handshakeQueue: 'UNIFLEET_HANDSHAKE_QUEUE',
  handshakeWaitMs: 'UNIFLEET_HANDSHAKE_WAIT_MS',
  handshakeTimeoutMs: 'UNIFLEET_HANDSHAKE_TIMEOUT_MS',
  runningDataPeriodMs: 'UNIFLEET_RUNNING_DATA_PERIOD_MS',
  runningDataRetentionMs: 'UNIFLEET_RUNNING_DATA_RETENTION_MS',
  recoveryMs: 'UNIFLEET_RECOVERY_MS',
  spaceLeaseMs: 'UNIFLEET_SPACE_LEASE_MS',
  openReads: 'UNIFLEET_OPEN_READS',
  metricsAuth: 'UNIFLEET_METRICS_AUTH',
  openapiAuth: 'UNIFLEET_OPENAPI_AUTH',
  demoKey: 'UNIFLEET_DEMO_KEY',
  simAgvs: 'UNIFLEET_SIM_AGVS',
  demoTasksPerMin: 'UNIFLEET_DEMO_TASKS_PER_MIN',
  demoCrossFloorShare: 'UNIFLEET_DEMO_CROSS_FLOOR_SHARE',
  demoObstaclesPerMin: 'UNIFLEET_DEMO_OBSTACLES_PER_MIN',
  timeFactor: 'UNIFLEET_TIME_FACTOR',
  traffic: 'UNIFLEET_TRAFFIC',
  leaderElection: 'UNIFLEET_LEADER_ELECTION',
  webhooks: 'UNIFLEET_WEBHOOKS',
  equipmentMqttUrl: 'UNIFLEET_EQUIPMENT_MQTT_URL',
  equipmentTopicPrefix: 'UNIFLEET_EQUIPMENT_TOPIC_PREFIX',
  logLevel: 'UNIFLEET_LOG_LEVEL',
  vda5050: 'UNIFLEET_VDA5050',
  vdaBrokerUrl: 'UNIFLEET_VDA_BROKER_URL',
  vdaInterface: 'UNIFLEET_VDA_INTERFACE',
  vdaCommandTimeoutMs: 'UNIFLEET_VDA_COMMAND_TIMEOUT_MS',
  vdaStaleAfterMs: 'UNIFLEET_VDA_STALE_AFTER_MS',
  vdaAgvs: 'UNIFLEET_VDA_AGVS',
};

/** Flag name for a key: apiPort -> --api-port. */
export function flagName(key: keyof PlatformConfig): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export class ConfigError extends Error {}

function parseValue(key: keyof PlatformConfig, raw: string, source: string): PlatformConfig[keyof PlatformConfig] {
  const kind = typeof DEFAULT_CONFIG[key];
  if (kind === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${source}: expected a non-negative number, got '${raw}'`);
    if (FRACTIONS.has(key) && n > 1) throw new ConfigError(`${source}: expected a fraction from 0 to 1, got '${raw}'`);
    if (COUNTS.has(key) && (!Number.isInteger(n) || n < 1)) throw new ConfigError(`${source}: expected a whole number of at least 1, got '${raw}'`);
    return n;
  }
  if (kind === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(`${source}: expected true/false, got '${raw}'`);
  }
  const choices = CHOICES[key];
  if (choices && !choices.includes(raw)) throw new ConfigError(`${source}: expected one of ${choices.join(', ')}, got '${raw}'`);
  return raw;
}

export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const config: PlatformConfig = { ...DEFAULT_CONFIG };
  const set = <K extends keyof PlatformConfig>(key: K, value: PlatformConfig[keyof PlatformConfig]) => {
    config[key] = value as PlatformConfig[K];
  };
  for (const key of Object.keys(ENV) as (keyof PlatformConfig)[]) {
    const raw = env[ENV[key]];
    if (raw !== undefined && raw !== '') set(key, parseValue(key, raw, ENV[key]));
  }
  const byFlag = new Map((Object.keys(ENV) as (keyof PlatformConfig)[]).map((k) => [flagName(k), k]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = byFlag.get(flag);
    if (!key) throw new ConfigError(`unknown option ${flag} (known: ${[...byFlag.keys()].join(', ')})`);
    let raw = inline;
    if (raw === undefined) {
      if (typeof DEFAULT_CONFIG[key] === 'boolean' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--'))) raw = 'true';
      else raw = argv[++i];
    }
    if (raw === undefined) throw new ConfigError(`${flag} needs a value`);
    set(key, parseValue(key, raw, flag));
  }
  // Each side pings only a link it has been quiet on for a period (docs/protocol.md §6), so silence of up to two
  // periods is normal: a shorter timeout would drop healthy AGVs.
  if (config.heartbeatTimeoutMs <= 2 * config.heartbeatPeriodMs) {
    throw new ConfigError(`heartbeat timeout ${config.heartbeatTimeoutMs} ms must be longer than twice the heartbeat period (${config.heartbeatPeriodMs} ms)`);
  }
  return config;
}

/** Env variable and flag per setting, for --help and the README. */
export function describeConfig(): string {
  return (Object.keys(ENV) as (keyof PlatformConfig)[])
    .map((k) => `  ${flagName(k).padEnd(26)} ${ENV[k].padEnd(30)} default ${JSON.stringify(DEFAULT_CONFIG[k])}`)
    .join('\n');
}
