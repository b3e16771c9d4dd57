// Public entry of operations: the platform constructs an OpsService (attachOps) and serves it through buildApi.
export * from './ports.ts';
export { OpsService, type OpsServiceOptions, type OpsNotification, type OpsStore } from './service.ts';
export { AlarmEngine, type AlarmChange } from './alarms/engine.ts';
export { DEFAULT_THRESHOLDS, type Alarm, type AlarmCondition, type AlarmThresholds, type AlarmState } from './alarms/types.ts';
export type { Finding, HealthRun, HealthComparison } from './health/types.ts';
export { createLogger, objectLogger, type Logger } from '../logger.ts';
export * from './live/schema.ts';
export { attachOps, type PlatformOpsOptions, type OpsAttachment } from './attach.ts';
