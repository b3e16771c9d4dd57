export { CentralTrafficController } from './controller.ts';
export type { CentralTrafficOptions, CentralTrafficStats, TrafficEvent, TrafficEventKind } from './types.ts';
export { radiusOf, DEFAULT_RADIUS_M, type Dimensions } from './footprint.ts';
export { findCycles } from '../wait-for.ts';
