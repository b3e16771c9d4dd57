// The same content as our statusReport / motionCommand, written as VDA 5050 2.x JSON `state` / `order`
// messages with the standard's field names and units (metres, radians, string ids), for the size comparison.
import type { MessageOfKind } from '../../src/protocol/index.ts';

const header = (n: number) => ({
  headerId: n,
  timestamp: '2025-11-24T21:00:00.000Z',
  version: '2.0.0',
  manufacturer: 'Acme Robotics',
  serialNumber: 'LB6-2024-00017',
});
const m = (mm: number): number => mm / 1000;
const rad = (mrad: number): number => mrad / 1000;
const upper = (s: string): string => s.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

export function vdaState(s: MessageOfKind<'statusReport'>): unknown {
  return {
    ...header(1042),
    orderId: `order-${s.orderId}`,
    orderUpdateId: s.orderUpdateId,
    zoneSetId: '',
    lastNodeId: `node-${s.lastNodeId}`,
    lastNodeSequenceId: s.lastNodeSequenceId,
    nodeStates: [],
    edgeStates: [],
    agvPosition: { x: m(s.pose.x), y: m(s.pose.y), theta: rad(s.pose.theta), mapId: `map-${s.mapId}`, positionInitialized: true, localizationScore: s.localisationScore / 100 },
    velocity: { vx: m(s.vx), vy: m(s.vy), omega: rad(s.omega) },
    loads: s.loadState === 'loaded' ? [{ loadId: 'unknown' }] : [],
    driving: s.state === 'moving',
    paused: s.state === 'paused',
    newBaseRequest: false,
    distanceSinceLastNode: 0.63,
    actionStates: s.actions.map((a) => ({ actionId: `action-${a.actionId}`, actionType: 'lift', actionStatus: upper(a.state) })),
    batteryState: { batteryCharge: s.battery / 10, batteryVoltage: s.batteryVoltage / 100, charging: s.charging },
    operatingMode: upper(s.operatingMode),
    errors: s.errors.map((e) => ({ errorType: String(e.code), errorLevel: e.severity === 'warning' ? 'WARNING' : 'FATAL' })),
    information: [],
    safetyState: { eStop: s.eStop === 'none' ? 'NONE' : 'MANUAL', fieldViolation: s.protectiveField },
  };
}

export function vdaOrder(o: MessageOfKind<'motionCommand'>): unknown {
  return {
    ...header(77),
    orderId: `order-${o.orderId}`,
    orderUpdateId: o.orderUpdateId,
    nodes: o.nodes.map((n, i) => ({
      nodeId: `node-${n.nodeId}`,
      sequenceId: n.sequenceId,
      released: i < o.releasedNodeCount,
      nodePosition: {
        x: m(n.pose.x), y: m(n.pose.y), ...(n.pose.theta === -32768 ? {} : { theta: rad(n.pose.theta) }), mapId: `map-${n.mapId}`,
        allowedDeviationXY: m(n.allowedDeviation),
      },
      actions: n.actions.map((a) => ({
        actionType: 'lift', actionId: `action-${a.actionId}`, blockingType: a.blocking ? 'HARD' : 'NONE',
        actionParameters: a.params.map((p) => ({ key: p.param, value: p.value / 1000 })),
      })),
    })),
    edges: o.edges.map((e, i) => ({
      edgeId: `edge-${e.edgeId}`,
      sequenceId: e.sequenceId,
      released: i < o.releasedNodeCount - 1,
      startNodeId: `node-${e.startNodeId}`,
      endNodeId: `node-${e.endNodeId}`,
      maxSpeed: m(e.maxSpeed),
      orientation: rad(e.orientation),
      actions: [],
    })),
  };
}
