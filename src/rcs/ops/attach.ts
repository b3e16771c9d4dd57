import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { systemClock } from '../../core/clock.ts';
import type { FleetCoordinator } from '../dispatch/coordinator.ts';
import { goalOf } from '../dispatch/jobs.ts';
import type { SessionServer } from '../session/server.ts';
import type { Store } from '../store/types.ts';
import type { AlarmThresholds } from './alarms/types.ts';
import { sessionAuthenticator } from './auth/http.ts';
import type { Role } from './auth/users.ts';
import { createLogger, type Logger } from '../logger.ts';
import { PlatformFleetSource, storeEventLog, type PlatformParts } from './platform-source.ts';
import { registerOps } from './plugin.ts';
import { OpsService } from './service.ts';

export interface PlatformOpsOptions {
  /** Users created if missing, e.g. the demo's admin/operator/viewer (printed by the demo). */
  seedUsers?: { username: string; password: string; role: Role }[];
  thresholds?: Partial<AlarmThresholds>;
  /** Run the health diagnosis on this schedule (platform time). */
  healthIntervalMs?: number;
  /** Built dashboard to serve at / (default: web/dist of this checkout). */
  webRoot?: string;
  logger?: Logger;
}

export interface OpsAttachment {
  ops: OpsService;
  source: PlatformFleetSource;
  /** Starts loops once the platform is up; marks it ready. */
  start(): Promise<void>;
  stop(): void;
}

export const DEFAULT_WEB_ROOT = join(import.meta.dirname, '../../../web/dist');

/** Operations keeps its tables in a file beside the platform's (its own connection must not contend for locks). */
export function opsDbPath(platformDbPath: string): string {
  if (platformDbPath === ':memory:') return ':memory:';
  return /\.[a-z0-9]+$/i.test(platformDbPath) ? platformDbPath.replace(/(\.[a-z0-9]+)$/i, '-ops$1') : `${platformDbPath}-ops`;
}

/**
 * Builds operations for a platform and mounts it on the platform's API app (call before app.listen): the dashboard
 * and its live feed, alarms, health, metrics, probes, events and dashboard logins (also accepted by the task API).
 */
export async function attachOps(
  app: FastifyInstance,
  parts: Omit<PlatformParts, 'goalOf'> & { store: Store; sessions: SessionServer; coordinator: FleetCoordinator; dbPath: string; heartbeatTimeoutMs?: number },
  options: PlatformOpsOptions = {},
): Promise<OpsAttachment> {
  const logger = options.logger ?? createLogger();
  const db = new Database(opsDbPath(parts.dbPath));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const source = new PlatformFleetSource({ ...parts, goalOf: (id) => goalOf(parts.coordinator.job(id)) });
  const ops = new OpsService({
    db,
    fleet: source,
    clock: parts.clock,
    feedClock: systemClock,
    thresholds: { heartbeatTimeoutMs: parts.heartbeatTimeoutMs ?? 5_000, ...options.thresholds },
    healthIntervalMs: options.healthIntervalMs,
    notify: ({ event, data }) => {
      parts.store.outbox.enqueue(event, data, parts.clock.now()).catch((err: unknown) => logger.error({ err, event }, 'ops: webhook not queued'));
    },
    events: storeEventLog(parts.store.events, logger),
    recordFleetChanges: false,
    framesInTotal: () => parts.sessions.framesIn(),
    seedUsers: options.seedUsers,
    logger,
  });
  observeRuntime(ops, parts.sessions, parts.traffic);
  if ('addAuthenticator' in app) app.addAuthenticator(sessionAuthenticator(ops.users));
  await registerOps(app, ops, { webRoot: options.webRoot ?? DEFAULT_WEB_ROOT });
  return {
    ops,
    source,
    async start() {
      await source.load();
      await ops.start();
      source.ready = true;
    },
    stop() {
      source.ready = false;
      ops.stop();
      source.close();
      db.close();
    },
  };
}

/**
 * Feeds command latency and planner step time into the metrics by wrapping the two calls that measure them, so the
 * session server and the traffic controller need no knowledge of metrics.
 */
function observeRuntime(ops: OpsService, sessions: SessionServer, traffic: PlatformParts['traffic']): void {
  const latency = sessions.latency;
  const record = latency.record.bind(latency);
  latency.record = (kind: string, ms: number) => {
    record(kind, ms);
    ops.observeCommandLatency(ms, kind);
  };
  const tick = traffic.tick.bind(traffic);
  traffic.tick = (nowMs: number) => {
    const started = performance.now();
    try {
      return tick(nowMs);
    } finally {
      ops.observePlannerStep(performance.now() - started);
    }
  };
}
