import { SPECIAL, type MessageOfKind } from '../../protocol/index.ts';
import type { AgvAlarm, AgvFootprint, AgvStatus, MotionOrder, PathStep } from '../fleet/types.ts';
import type { SiteNumbering } from './site-numbering.ts';

// Unit conversion at the session boundary: the wire carries mm, mrad, mm/s and 0.1 %; the platform works in
// metres, radians, m/s and percent.

type StatusReport = MessageOfKind<'statusReport'>;
type MotionCommand = MessageOfKind<'motionCommand'>;
type RegisteredCapabilities = MessageOfKind<'registerRequest'>['capabilities'];

/** Longest body side (mm) accepted at registration; nothing that drives in a warehouse aisle is longer. */
export const MAX_BODY_MM = 10_000;
/** Shortest body side (mm) accepted at registration; smaller is a unit slip (cm or m sent as mm), not an AGV. */
export const MIN_BODY_MM = 200;

const RUNNING_ACTION_STATES = new Set(['waiting', 'initializing', 'running', 'paused']);

export function statusFromReport(report: StatusReport, numbering: SiteNumbering, at: number): AgvStatus {
  const alarms: AgvAlarm[] = report.errors.map((e) => ({ code: e.code, severity: e.severity, message: `code ${e.code}` }));
  return {
    at,
    x: report.pose.x / 1000,
    y: report.pose.y / 1000,
    theta: report.pose.theta === SPECIAL.HEADING_FREE ? 0 : report.pose.theta / 1000,
    mapId: numbering.mapIdOf(report.mapId) ?? `map-${report.mapId}`,
    lastNodeId: numbering.nodeId(report.lastNodeId),
    speed: Math.hypot(report.vx, report.vy) / 1000,
    battery: report.battery === SPECIAL.UNKNOWN_U16 ? 0 : report.battery / 10,
    charging: report.charging,
    localisationScore: report.localisationScore === SPECIAL.UNKNOWN_U8 ? undefined : report.localisationScore / 100,
    navMode: report.navMode,
    loaded: report.loadState === 'loaded' || report.loadState === 'partial',
    state: report.state,
    actionRunning: report.actions.some((a) => RUNNING_ACTION_STATES.has(a.state)) || report.actuators.some((a) => a.state === 'running'),
    emergencyStop: report.eStop !== 'none',
    alarms,
  };
}

/**
 * The registered body in metres, or why it is refused. Traffic plans each AGV as a disc over its longest side, so
 * a wrong size is a safety problem: under 0.2 m (a field left unset) or more than 10 m (a unit mistake) is
 * refused rather than clamped, because any value the platform guessed could be smaller than the real AGV.
 */
export function footprintFromCapabilities(caps: Pick<RegisteredCapabilities, 'length' | 'width'>): { ok: true; footprint: AgvFootprint } | { ok: false; detail: string } {
  for (const [side, value] of [['length', caps.length], ['width', caps.width]] as const) {
    if (!(value >= MIN_BODY_MM) || value > MAX_BODY_MM) {
      return { ok: false, detail: `capabilities.${side} ${value} mm is outside ${MIN_BODY_MM}..${MAX_BODY_MM} mm; register the AGV's real body size` };
    }
  }
  return { ok: true, footprint: { lengthM: caps.length / 1000, widthM: caps.width / 1000 } };
}

export function mm(metres: number): number {
  return Math.round(metres * 1000);
}

export function mrad(radians: number): number {
  const wrapped = Math.atan2(Math.sin(radians), Math.cos(radians));
  return Math.max(-3142, Math.min(3142, Math.round(wrapped * 1000)));
}

/**
 * The edge's speed limit in mm/s: the stricter of the site map's limit and the path's own. An edge the map limits
 * is never sent as 0 ("no limit"): a limit under 1 mm/s still goes out as 1, and one above the field's range as
 * the largest limit the field holds.
 */
export function wireSpeedLimit(...limitsMps: (number | undefined)[]): number {
  const given = limitsMps.filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
  if (given.length === 0) return SPECIAL.NO_SPEED_LIMIT;
  return Math.max(1, Math.min(0xffff, mm(Math.min(...given))));
}

/** Builds the wire motion command: released nodes first, then the announced horizon. */
export function motionCommandFor(order: MotionOrder, numbering: SiteNumbering, taskType: MotionCommand['taskType'] = 'move'): MotionCommand {
  const all: PathStep[] = [...order.released, ...order.announced];
  const lastReleased = order.released.length - 1;
  const nodes: MotionCommand['nodes'] = all.map((step, i) => ({
    nodeId: numbering.nodeNumber(step.nodeId),
    sequenceId: 2 * i,
    pose: { x: mm(step.x), y: mm(step.y), theta: step.theta === undefined ? SPECIAL.HEADING_FREE : mrad(step.theta) },
    mapId: numbering.mapNumberOfNode(step.nodeId),
    allowedDeviation: 0,
    attribute: i === all.length - 1 ? 'endPoint' : i === lastReleased ? 'stop' : 'passThrough',
    actions: [],
  }));
  const edges: MotionCommand['edges'] = [];
  for (let i = 1; i < all.length; i++) {
    const from = all[i - 1]!;
    const to = all[i]!;
    edges.push({
      edgeId: Math.max(1, numbering.edgeNumber(from.nodeId, to.nodeId)),
      sequenceId: 2 * i - 1,
      startNodeId: numbering.nodeNumber(from.nodeId),
      endNodeId: numbering.nodeNumber(to.nodeId),
      maxSpeed: wireSpeedLimit(to.maxSpeed, numbering.edgeSpeedLimit(from.nodeId, to.nodeId)),
      maxAngularSpeed: 0,
      movement: 'forward',
      orientation: SPECIAL.HEADING_FREE,
      trajectory: 'line',
      controlPoints: [],
      actions: [],
    });
  }
  return { kind: 'motionCommand', orderId: order.orderId, orderUpdateId: order.updateId, taskType, nodes, edges, releasedNodeCount: order.released.length };
}
