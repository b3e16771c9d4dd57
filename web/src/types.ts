// The dashboard speaks the server's own types: the live-feed schema and the ops read models.
export type {
  AgvLive,
  ServerMessage,
  HelloMessage,
  SnapshotMessage,
  DeltaMessage,
  DetailMessage,
  ClientMessage,
  LiftStatusView,
  DoorStatusView,
} from '../../src/rcs/ops/live/schema.ts';
export type { Alarm } from '../../src/rcs/ops/alarms/types.ts';
export type { SiteMapView, TaskView, Severity } from '../../src/rcs/ops/ports.ts';
export type { Finding, HealthRun, HealthComparison } from '../../src/rcs/ops/health/types.ts';
export type { EventRecord as OpsEvent } from '../../src/rcs/store/types.ts';

export interface SessionUser {
  username: string;
  role: 'viewer' | 'operator' | 'admin';
}
