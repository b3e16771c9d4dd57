export type { TrafficController, TrafficEvent, TrafficEventKind, TrafficGrant, TrafficObserver, WaitInfo } from './types.ts';
export { RoadGraph, type RoadGraphInput, type RoadNodeInput, type RoadEdgeInput, type RoadArc, type PathResult } from './road-graph.ts';
export { ReservationTrafficController, type ReservationOptions } from './reservation-controller.ts';
