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

/** An operator zone as GET /api/v1/zones gives it. */
export interface ZoneItem {
  id: string;
  type: 'blocked' | 'speedLimit' | 'oneWay' | 'maxOccupancy';
  name: string;
  reason: string;
  polygon: { x: number; y: number }[];
  mode?: 'leave' | 'stop';
  maxSpeed?: number;
  maxAgvs?: number;
  path?: string[];
  covered: { nodes: string[]; edges: string[] };
  effective: 'now' | 'nextStart';
  occupants?: string[];
  createdBy: string;
}

/** One running-data sample (GET /api/v1/agvs/{id}/running-data). */
export type { RunningDataSample as RunningDataItem } from '../../src/rcs/store/types.ts';

/** Space granted to an AGV (GET /api/v1/space/leases); 'lost' stays blocked until the AGV stands on a node. */
export interface LeaseItem {
  leaseId: number;
  agvId: string;
  requestId: number;
  state: 'granted' | 'lost';
  polygon: { x: number; y: number }[];
  nodes: string[];
  edges: string[];
  grantedAt: string;
  expiresAt: string;
  onLeaseLoss: 'stop' | 'finishLeaving';
}

/** A blockage an AGV reported (GET /api/v1/blockages): every AGV is planned around it until cleared. */
export interface BlockageItem {
  id: string;
  reportedBy: string;
  reportedAt: string;
  nodes: string[];
  edges: string[];
  polygon: { x: number; y: number }[];
  detail?: string;
}
