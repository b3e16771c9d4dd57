// Public entry of the rcs package: start a platform for one site, or assemble its parts yourself.
export { startPlatform, type InjectedParts, type PlatformHandle, type TrafficFactory } from './platform.ts';
export { loadConfig, describeConfig, DEFAULT_CONFIG, ConfigError, type PlatformConfig } from './config.ts';
export { FleetRegistry, type LiveAgv, type FleetEvent } from './fleet/registry.ts';
export type { AgvIdentity, AgvStatus, AgvLink, MotionOrder, PathStep, CommandOutcome, ControlCommand, LoadAction } from './fleet/types.ts';
export * from './traffic/index.ts';
export * from './dispatch/index.ts';
export { FleetCoordinator, type CoordinatorOptions } from './dispatch/coordinator.ts';
export * from './session/index.ts';
