import { join } from 'node:path';
import { systemClock } from '../../core/clock.ts';
import type { FleetCoordinator } from '../dispatch/coordinator.ts';
import { goalOf } from '../dispatch/jobs.ts';
import type { SessionServer } from '../session/server.ts';
import type { Store } from '../store/types.ts';
import type { OperationsDeps } from '../api/server.ts';
import type { Role } from '../auth/roles.ts';
import type { AlarmThresholds } from './alarms/types.ts';
import { leavesException, lostLoadAlarm, lostLoadAlarmKey } from './alarms/lost-load.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { PlatformFleetSource, type PlatformParts } from './platform-source.ts';
import { OpsService } from './service.ts';
import type { ConnectionTierStatus, EquipmentView } from './ports.ts';

export interface PlatformOpsOptions {
  /** Users created if missing, e.g. the demo's admin/operator/viewer (printed by the demo). */
  seedUsers?: { username: string; password: string; role: Role }[];
  thresholds?: Partial<AlarmThresholds>;
  /** Run the health diagnosis on this schedule (platform time). */
  healthIntervalMs?: number;
  /** Built dashboard to serve at / (default: web/dist of this checkout). */
  webRoot?: string;
  logger?: Logger;
  /** The site's lifts and doors as they are now, for the dashboard; given, it replaces the platform's own lift runtime view. */
  equipment?: () => EquipmentView;
}

export interface OpsAttachment {
  ops: OpsService;
  source: PlatformFleetSource;
  /** What buildApi needs to serve operations' routes and the dashboard. */
  api: OperationsDeps;
  /** Starts loops once the platform is up; marks it ready. */
  start(): Promise<void>;
  /** Stops the loops; resolves once operations' pending writes are stored. */
  stop(): Promise<void>;
}

export const DEFAULT_WEB_ROOT = join(import.meta.dirname, '../../../web/dist');

/**
 * Builds operations for a platform: alarms, health, metrics, events, the live feed and dashboard users. Its HTTP side
 * (`api`) goes to buildApi.
 */
export async function attachOps(
  parts: Omit<PlatformParts, 'goalOf'> & { store: Store; sessions: SessionServer; coordinator: FleetCoordinator; heartbeatTimeoutMs: number; connectionTier?: () => ConnectionTierStatus },
  options: PlatformOpsOptions = {},
): Promise<OpsAttachment> {
  const logger = options.logger ?? silentLogger();
  const source = new PlatformFleetSource({ ...parts, equipment: options.equipment ?? parts.equipment, goalOf: (id) => goalOf(parts.coordinator.job(id)) });
  const ops = new OpsService({
    store: parts.store,
    fleet: source,
    clock: parts.clock,
    feedClock: systemClock,
    thresholds: { heartbeatTimeoutMs: parts.heartbeatTimeoutMs, ...options.thresholds },
    healthIntervalMs: options.healthIntervalMs,
    notify: ({ event, data }) => {
      parts.store.outbox.enqueue(event, data, parts.clock.now()).catch((err: unknown) => logger.error({ err, event }, 'ops: webhook not queued'));
    },
    recordFleetChanges: false,
    framesInTotal: () => parts.sessions.framesIn(),
    connectionTier: parts.connectionTier,
    seedUsers: options.seedUsers,
    logger,
  });
  const alarmFailed = (err: unknown): void => logger.error({ err }, 'ops: lost-load alarm not stored');
  let stopWatchingTasks: (() => void) | undefined;
  return {
    ops,
    source,
    api: { service: ops, webRoot: options.webRoot ?? DEFAULT_WEB_ROOT },
    async start() {
      await source.load();
      await ops.start();
      stopWatchingTasks = parts.tasks.onChange((change) => {
        const raise = lostLoadAlarm(change);
        if (raise) ops.alarms.raise(raise).catch(alarmFailed);
        else if (leavesException(change)) ops.alarms.clear(lostLoadAlarmKey(change.task.id)).catch(alarmFailed);
      });
      source.ready = true;
    },
    async stop() {
      stopWatchingTasks?.();
      source.ready = false;
      await ops.stop();
      source.close();
    },
  };
}
