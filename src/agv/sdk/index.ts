export { AgvController, type AgvControllerOptions, type ControllerEvents } from './controller.ts';
export type * from './adapter.ts';
export { AgvClient, type ClientEvents, type MapSwitchOutcome, type NavSwitchOutcome } from './client.ts';
export type { SpaceOutcome, SpaceDriver } from './space-mover.ts';
export type * from './types.ts';
