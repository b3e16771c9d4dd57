// The VDA 5050 messages the platform reads and writes, as plain JSON shapes (2.0 field names; 3.0 adds only optional
// parts the platform reads defensively). Schema validation of what arrives is vda-5050-lib's (see validate.ts); these
// types say what the bridge relies on after that check.

export type VdaTopic = 'order' | 'instantActions' | 'state' | 'connection' | 'factsheet' | 'visualization' | 'zoneSet' | 'responses';

export interface VdaHeader {
  headerId: number;
  timestamp: string;
  version: string;
  manufacturer: string;
  serialNumber: string;
}

export type VdaBlockingType = 'NONE' | 'SOFT' | 'HARD';

export interface VdaActionParameter {
  key: string;
  value: string | number | boolean | unknown[];
}

export interface VdaAction {
  actionType: string;
  actionId: string;
  blockingType: VdaBlockingType;
  actionParameters?: VdaActionParameter[];
}

export interface VdaNodePosition {
  x: number;
  y: number;
  theta?: number;
  mapId: string;
  allowedDeviationXy?: number;
}

export interface VdaNode {
  nodeId: string;
  sequenceId: number;
  released: boolean;
  nodePosition?: VdaNodePosition;
  actions: VdaAction[];
}

export interface VdaEdge {
  edgeId: string;
  sequenceId: number;
  released: boolean;
  startNodeId: string;
  endNodeId: string;
  maxSpeed?: number;
  actions: VdaAction[];
}

export interface VdaOrder extends VdaHeader {
  orderId: string;
  orderUpdateId: number;
  nodes: VdaNode[];
  edges: VdaEdge[];
}

export interface VdaInstantActions extends VdaHeader {
  /** 2.0 as vda-5050-lib 1.4 publishes it; 3.0 renames it `actions` (both are sent to a 3.0 AGV). */
  instantActions: VdaAction[];
  actions?: VdaAction[];
}

export type VdaActionStatus = 'WAITING' | 'INITIALIZING' | 'RUNNING' | 'PAUSED' | 'FINISHED' | 'FAILED';

export interface VdaActionState {
  actionId: string;
  actionType?: string;
  actionStatus: VdaActionStatus;
  resultDescription?: string;
}

export interface VdaError {
  errorType: string;
  errorLevel: 'WARNING' | 'FATAL';
  errorDescription?: string;
  errorReferences?: { referenceKey: string; referenceValue: string }[];
}

export interface VdaState extends VdaHeader {
  orderId: string;
  orderUpdateId: number;
  lastNodeId: string;
  lastNodeSequenceId: number;
  nodeStates: { nodeId: string; sequenceId: number; released: boolean }[];
  edgeStates: { edgeId: string; sequenceId: number; released: boolean }[];
  agvPosition?: { x: number; y: number; theta: number; mapId: string; positionInitialized: boolean; localizationScore?: number };
  velocity?: { vx?: number; vy?: number; omega?: number };
  loads?: unknown[];
  driving: boolean;
  paused?: boolean;
  operatingMode: string;
  actionStates: VdaActionState[];
  batteryState: { batteryCharge: number; charging: boolean };
  errors: VdaError[];
  safetyState: { eStop: string; fieldViolation: boolean };
  /** 3.0: requests for zones and edges the AGV wants to enter (answered on `responses`). */
  zoneRequests?: unknown[];
  edgeRequests?: unknown[];
}

export interface VdaConnection extends VdaHeader {
  connectionState: 'ONLINE' | 'OFFLINE' | 'CONNECTIONBROKEN';
}

export interface VdaFactsheet extends VdaHeader {
  typeSpecification?: { seriesName?: string; agvKinematic?: string; agvClass?: string; navigationTypes?: string[]; localizationTypes?: string[]; maxLoadMass?: number };
  physicalParameters?: { speedMin?: number; speedMax?: number; length?: number; width?: number; heightMax?: number };
  protocolFeatures?: { agvActions?: { actionType: string; actionScopes?: string[] }[] };
}
