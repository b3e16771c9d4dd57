import type { AgvAlarm, AgvFootprint, AgvStatus, MotionOrder, PathStep } from '../fleet/types.ts';
import { footprintFromCapabilities } from '../session/convert.ts';
import type { SiteMap } from '../site/types.ts';
import type { VdaAction, VdaEdge, VdaError, VdaFactsheet, VdaNode, VdaState } from './wire.ts';

// VDA 5050 ↔ the fleet runtime's units, free of I/O. VDA speaks metres, radians and m/s like the site map, so the
// work here is naming: node/edge ids and positions from the site map, released (base) vs announced (horizon),
// sequence ids that stitch order updates, and the AGV's state read as the runtime's AgvStatus.

/** Action states during which the AGV is still busy with an action (pick/drop wait for these to end). */
const ACTION_BUSY = new Set(['WAITING', 'INITIALIZING', 'RUNNING', 'PAUSED']);

/**
 * Alarm codes for VDA error types: VDA names errors by string, the platform's alarms carry a number. The table
 * keeps the codes stable across restarts; types not in it share OTHER.
 */
export const VDA_ERROR_CODES: Readonly<Record<string, number>> = {
  orderError: 0x5001,
  orderUpdateError: 0x5002,
  noRouteError: 0x5003,
  validationError: 0x5004,
  orderActionError: 0x5005,
  instantActionError: 0x5006,
  noOrderToCancel: 0x5007,
  batteryLowError: 0x5008,
  /** Raised by the platform (not the AGV) when an order was not taken up in time. */
  orderTimeout: 0x50fe,
  other: 0x50ff,
};

export function alarmsFromErrors(errors: readonly VdaError[]): AgvAlarm[] {
  return errors.map((e) => ({
    code: VDA_ERROR_CODES[e.errorType] ?? VDA_ERROR_CODES.other!,
    severity: e.errorLevel === 'FATAL' ? 'fatal' : 'warning',
    message: e.errorDescription ? `${e.errorType}: ${e.errorDescription}` : e.errorType,
  }));
}

/**
 * The runtime's status from a VDA state. `nodeIds` says which node ids the site knows: a lastNodeId outside the
 * site map (an AGV that has not been on the map yet reports "" or its own id) is no node. The VDA state has no
 * single state name; the one the dashboard shows is derived in the order an operator cares about.
 */
export function statusFromState(state: VdaState, at: number, isSiteNode: (id: string) => boolean, extraAlarms: readonly AgvAlarm[] = []): AgvStatus {
  const pos = state.agvPosition;
  const v = state.velocity;
  const speed = v ? Math.hypot(v.vx ?? 0, v.vy ?? 0) : state.driving ? 0.1 : 0;
  const actionRunning = state.actionStates.some((a) => ACTION_BUSY.has(a.actionStatus) && a.actionType !== 'startPause' && a.actionType !== 'stopPause');
  const emergencyStop = state.safetyState.eStop !== 'NONE';
  const fatal = state.errors.some((e) => e.errorLevel === 'FATAL');
  const charging = state.batteryState.charging;
  const name = emergencyStop ? 'emergencyStop' : fatal ? 'error' : state.operatingMode === 'MANUAL' ? 'manual' : state.paused ? 'paused' : charging ? 'charging' : state.driving ? 'moving' : actionRunning ? 'executingAction' : state.nodeStates.length > 0 ? 'waiting' : 'idle';
  return {
    at,
    x: pos?.x ?? 0,
    y: pos?.y ?? 0,
    theta: pos?.theta ?? 0,
    mapId: pos?.mapId ?? '',
    lastNodeId: state.lastNodeId !== '' && isSiteNode(state.lastNodeId) ? state.lastNodeId : undefined,
    speed: state.driving ? Math.max(speed, 0.01) : speed,
    battery: Math.max(0, Math.min(100, state.batteryState.batteryCharge)),
    charging,
    localisationScore: pos?.localizationScore,
    loaded: (state.loads?.length ?? 0) > 0,
    state: name,
    actionRunning,
    emergencyStop,
    alarms: [...alarmsFromErrors(state.errors), ...extraAlarms],
  };
}

/** Where the site's nodes and edges are, for building orders. */
export interface OrderSite {
  mapId: string;
  /** The site edge between two nodes (either direction of a bidirectional edge); undefined when none. */
  edge(from: string, to: string): { id: string; maxSpeed: number } | undefined;
  position(nodeId: string): { x: number; y: number } | undefined;
}

/** The site map as orders need it: node positions and the edge between two nodes, looked up by id. */
export function orderSiteOf(site: SiteMap): OrderSite & { has(nodeId: string): boolean } {
  const nodes = new Map(site.nodes.map((n) => [n.id, { x: n.x, y: n.y }]));
  const edges = new Map<string, { id: string; maxSpeed: number }>();
  for (const e of site.edges) {
    edges.set(`${e.from}\u0000${e.to}`, { id: e.id, maxSpeed: e.maxSpeed });
    if (e.bidirectional && !edges.has(`${e.to}\u0000${e.from}`)) edges.set(`${e.to}\u0000${e.from}`, { id: e.id, maxSpeed: e.maxSpeed });
  }
  return {
    mapId: site.id,
    edge: (from, to) => edges.get(`${from}\u0000${to}`),
    position: (id) => nodes.get(id),
    has: (id) => nodes.has(id),
  };
}

/**
 * The nodes and edges of an order (or order update) for a motion order: released steps are the base, announced
 * steps the horizon. `firstSequenceId` is 0 for a new order; for an update it is the sequence id the update's first
 * node (the last base node so far) had, so base and update stitch (VDA 5050 §6.6).
 */
export function orderGraph(order: MotionOrder, site: OrderSite, firstSequenceId: number): { nodes: VdaNode[]; edges: VdaEdge[]; lastBaseSequenceId: number } {
  const all: PathStep[] = [...order.released, ...order.announced];
  const base = order.released.length;
  const nodes: VdaNode[] = all.map((step, i) => ({
    nodeId: step.nodeId,
    sequenceId: firstSequenceId + 2 * i,
    released: i < base,
    nodePosition: { x: step.x, y: step.y, mapId: site.mapId },
    actions: [],
  }));
  const edges: VdaEdge[] = [];
  for (let i = 1; i < all.length; i++) {
    const from = all[i - 1]!;
    const to = all[i]!;
    const mapEdge = site.edge(from.nodeId, to.nodeId);
    const limits = [to.maxSpeed, mapEdge?.maxSpeed].filter((s): s is number => s !== undefined && Number.isFinite(s) && s > 0);
    edges.push({
      edgeId: mapEdge?.id ?? `${from.nodeId}->${to.nodeId}`,
      sequenceId: firstSequenceId + 2 * i - 1,
      released: i < base,
      startNodeId: from.nodeId,
      endNodeId: to.nodeId,
      ...(limits.length > 0 ? { maxSpeed: Math.min(...limits) } : {}),
      actions: [],
    });
  }
  return { nodes, edges, lastBaseSequenceId: firstSequenceId + 2 * (base - 1) };
}

/** Pick/drop as a node action: VDA's predefined `pick`/`drop` with the station named and the load type given. */
export function loadAction(kind: 'pick' | 'drop', actionId: string, stationId: string, loadType: string): VdaAction {
  return {
    actionType: kind,
    actionId,
    blockingType: 'HARD',
    actionParameters: [
      { key: 'stationType', value: 'floor' },
      { key: 'loadType', value: loadType },
      { key: 'stationName', value: stationId },
    ],
  };
}

export interface FactsheetReading {
  footprint: AgvFootprint;
  capabilities: Record<string, unknown>;
  model: string;
  type: string;
}

/**
 * What registration needs from a factsheet: the body (checked by the same rule as the guide protocol's
 * registration: a side under 0.2 m or over 10 m is refused, never guessed), the top speed, the actions and the
 * navigation types. A factsheet without physicalParameters gives no body and is refused.
 */
export function readFactsheet(sheet: VdaFactsheet, protocolVersion: string): { ok: true; reading: FactsheetReading } | { ok: false; detail: string } {
  const p = sheet.physicalParameters;
  if (!p || typeof p.length !== 'number' || typeof p.width !== 'number') {
    return { ok: false, detail: 'factsheet has no physicalParameters.length/width; the platform needs the real body size' };
  }
  const body = footprintFromCapabilities({ length: Math.round(p.length * 1000), width: Math.round(p.width * 1000) });
  if (!body.ok) return { ok: false, detail: `factsheet ${body.detail.replace('capabilities.', 'physicalParameters.')}` };
  const t = sheet.typeSpecification ?? {};
  return {
    ok: true,
    reading: {
      footprint: body.footprint,
      model: t.seriesName ?? 'unknown',
      type: (t.agvClass ?? 'vda5050').toLowerCase(),
      capabilities: {
        protocol: 'vda5050',
        protocolVersion,
        length: Math.round(p.length * 1000),
        width: Math.round(p.width * 1000),
        maxSpeed: p.speedMax,
        kinematics: t.agvKinematic,
        navigationTypes: t.navigationTypes ?? [],
        actions: (sheet.protocolFeatures?.agvActions ?? []).map((a) => a.actionType),
      },
    },
  };
}

/** An error in a state that refuses the order `orderId` (VDA errors reference the order they are about). */
export function orderRefusal(state: VdaState, orderId: string, orderUpdateId: number): VdaError | undefined {
  return state.errors.find((e) => {
    if (!/^(orderError|orderUpdateError|noRouteError|validationError)$/.test(e.errorType)) return false;
    const refs = e.errorReferences ?? [];
    const update = refs.find((r) => r.referenceKey === 'orderUpdateId');
    return refs.some((r) => r.referenceKey === 'orderId' && r.referenceValue === orderId) && (!update || update.referenceValue === String(orderUpdateId));
  });
}

/** An error in a state that refuses the instant action `actionId`. */
export function actionRefusal(state: VdaState, actionId: string): VdaError | undefined {
  return state.errors.find((e) => (e.errorReferences ?? []).some((r) => r.referenceKey === 'actionId' && r.referenceValue === actionId));
}
