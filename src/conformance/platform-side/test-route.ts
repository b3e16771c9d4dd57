import type { MessageOfKind } from '../../protocol/index.ts';
import type { PlatformSide } from './harness.ts';

// The kit's test route: nodes laid out in a straight line ahead of the AGV, stepMm apart, so a vehicle can drive
// them without a site map. Node and edge numbers come from a range far above what small sites use.

export interface RoutePoint {
  nodeId: number;
  x: number;
  y: number;
}

type Status = MessageOfKind<'statusReport'>;
type Order = MessageOfKind<'motionCommand'>;

const ID_BASE = 900_000;
const FREE_HEADING = -32768;

/** Where the AGV stands now: the node the kit last drove it to, else its last node (or a new id) at its pose. */
export function startPoint(p: PlatformSide, status: Status): RoutePoint {
  if (p.here && p.here.nodeId === status.lastNodeId) return p.here;
  const nodeId = status.lastNodeId !== 0 ? status.lastNodeId : ID_BASE + p.id();
  return { nodeId, x: status.pose.x, y: status.pose.y };
}

/** `count` new points continuing straight on from `from` along the AGV's heading. */
export function pointsAhead(p: PlatformSide, from: RoutePoint, heading: number, count: number): RoutePoint[] {
  const theta = heading === FREE_HEADING ? 0 : heading / 1000;
  return Array.from({ length: count }, (_, i) => ({
    nodeId: ID_BASE + p.id(),
    x: Math.round(from.x + Math.cos(theta) * p.options.stepMm * (i + 1)),
    y: Math.round(from.y + Math.sin(theta) * p.options.stepMm * (i + 1)),
  }));
}

/** A motion command over `points`; sequence ids start at firstSequenceId (nodes even, edges odd). */
export function orderOver(o: { orderId: number; orderUpdateId: number; points: RoutePoint[]; released: number; mapId: number; firstSequenceId?: number; maxSpeed: number }): Order {
  const seq0 = o.firstSequenceId ?? 0;
  return {
    kind: 'motionCommand',
    orderId: o.orderId,
    orderUpdateId: o.orderUpdateId,
    taskType: 'move',
    nodes: o.points.map((pt, i) => ({
      nodeId: pt.nodeId,
      sequenceId: seq0 + 2 * i,
      pose: { x: pt.x, y: pt.y, theta: FREE_HEADING },
      mapId: o.mapId,
      allowedDeviation: 0,
      attribute: i === o.points.length - 1 ? 'stop' : 'passThrough',
      actions: [],
    })),
    edges: o.points.slice(1).map((pt, i) => ({
      edgeId: edgeIdTo(pt.nodeId),
      sequenceId: seq0 + 2 * i + 1,
      startNodeId: o.points[i]!.nodeId,
      endNodeId: pt.nodeId,
      maxSpeed: o.maxSpeed,
      maxAngularSpeed: 0,
      movement: 'forward',
      orientation: FREE_HEADING,
      trajectory: 'line',
      controlPoints: [],
      actions: [],
    })),
    releasedNodeCount: o.released,
  };
}

// The route is a line of fresh nodes, so each has exactly one edge leading to it: number the edge after it.
function edgeIdTo(endNodeId: number): number {
  return endNodeId + 500_000;
}

/** Speed limit the kit puts on its edges: a real limit (never "none"), within what the AGV declared. */
export function kitSpeedLimit(p: PlatformSide): number {
  return Math.max(1, Math.min(p.registration?.capabilities.maxSpeed ?? 1000, 1000));
}

/** Waits until the AGV reports `nodeId` as its last node (from log position `from`). */
export function arrival(p: PlatformSide, nodeId: number, from: number): Promise<Status | undefined> {
  return p.log.waitForKind('statusReport', p.options.moveTimeoutMs, from, (s) => s.lastNodeId === nodeId);
}

/** Waits until the AGV reports moving. */
export function moving(p: PlatformSide, from: number): Promise<Status | undefined> {
  return p.log.waitForKind('statusReport', 5_000, from, (s) => s.state === 'moving' || s.vx !== 0);
}

export function isStill(s: Status): boolean {
  return s.vx === 0 && (s.state === 'idle' || s.state === 'waiting');
}
