// Public entry of operations: the platform constructs an OpsService (attachOps) and serves it through buildApi.
export * from './ports.ts';
export { OpsService, type OpsServiceOptions, type OpsNotification } from './service.ts';
export { AlarmEngine, type AlarmChange } from './alarms/engine.ts';
export { DEFAULT_THRESHOLDS, type Alarm, type AlarmCondition, type AlarmThresholds, type AlarmState } from './alarms/types.ts';
export type { Finding, HealthRun, HealthComparison } from './health/types.ts';
export { SqliteEventLog, type OpsEvent, type EventQuery, type EventLog, type NewEvent } from './events/event-log.ts';
export { createLogger, objectLogger, type Logger } from '../logger.ts';
export { migrateOps } from './db.ts';
export * from './live/schema.ts';
export { attachOps, DEMO_DASHBOARD_USERS, opsDbPath, type PlatformOpsOptions, type OpsAttachment } from './attach.ts';
