// Public entry of operations: the platform constructs an OpsService and mounts it with registerOps().
export * from './ports.ts';
export { OpsService, type OpsServiceOptions, type OpsNotification } from './service.ts';
export { registerOps, type RegisterOpsOptions } from './plugin.ts';
export { requireRole, sessionAuthenticator, sessionToken, SESSION_COOKIE } from './auth/http.ts';
export { UserStore, roleAtLeast, ROLES, type Role, type User } from './auth/users.ts';
export { AlarmEngine, type AlarmChange } from './alarms/engine.ts';
export { DEFAULT_THRESHOLDS, type Alarm, type AlarmCondition, type AlarmThresholds, type AlarmState } from './alarms/types.ts';
export type { Finding, HealthRun, HealthComparison } from './health/types.ts';
export { SqliteEventLog, type OpsEvent, type EventQuery, type EventLog, type NewEvent } from './events/event-log.ts';
export { createLogger, objectLogger, type Logger } from '../logger.ts';
export { migrateOps } from './db.ts';
export * from './live/schema.ts';
export { attachOps, opsDbPath, type PlatformOpsOptions, type OpsAttachment } from './attach.ts';
