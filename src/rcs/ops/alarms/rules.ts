import type { AgvDetail, Severity } from '../ports.ts';
import type { AlarmCondition, AlarmThresholds } from './types.ts';

// Platform-detected alarm rules. Pure: given what the AGV reports now, what we remembered about it, and the
// clock, say which conditions hold. Memory (when it last moved, when its e-stops happened) lives in AgvTrack.

export interface AgvTrack {
  /** Position we last saw change, and when. */
  lastPositionKey: string;
  lastProgressAt: number;
  /** Times of e-stop rising edges still inside the window. */
  estopTimes: number[];
  wasEstopped: boolean;
  /** When the AGV arrived on the charger node it stands on, or null. */
  onChargerSince: number | null;
}

export function newTrack(now: number): AgvTrack {
  return { lastPositionKey: '', lastProgressAt: now, estopTimes: [], wasEstopped: false, onChargerSince: null };
}

function positionKey(agv: AgvDetail): string {
  // Centimetre resolution: sensor jitter on a standing AGV must not count as progress.
  if (agv.pose) return `${Math.round(agv.pose.x * 100)},${Math.round(agv.pose.y * 100)}`;
  return agv.nodeId ?? '';
}

/** Updates the track with the AGV's latest report. Returns the new track (the old one is not modified). */
export function observe(
  track: AgvTrack,
  agv: AgvDetail,
  now: number,
  chargerNodes: ReadonlySet<string>,
  t: AlarmThresholds,
): AgvTrack {
  const key = positionKey(agv);
  const moved = key !== track.lastPositionKey;
  const estopTimes = track.estopTimes.filter((at) => now - at <= t.estopWindowMs);
  if (agv.emergencyStop && !track.wasEstopped) estopTimes.push(now);
  const onCharger = agv.nodeId !== null && chargerNodes.has(agv.nodeId);
  return {
    lastPositionKey: key,
    // Progress also restarts when the AGV has nothing to do, so NO_PROGRESS measures time stuck on a task.
    lastProgressAt: moved || agv.currentTaskId === undefined ? now : track.lastProgressAt,
    estopTimes,
    wasEstopped: agv.emergencyStop,
    onChargerSince: onCharger ? (moved || track.onChargerSince === null ? now : track.onChargerSince) : null,
  };
}

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

export function conditionsFor(agv: AgvDetail, track: AgvTrack, now: number, t: AlarmThresholds): AlarmCondition[] {
  const out: AlarmCondition[] = [];
  const add = (code: string, severity: Severity, message: string): void => {
    out.push({ key: `platform:${agv.id}:${code}`, source: 'platform', code, severity, agvId: agv.id, taskId: agv.currentTaskId ?? null, message });
  };
  // What the AGV last reported stays open while it is silent: it is still the best knowledge we have.
  for (const reported of agv.alarms) {
    out.push({
      key: `agv:${agv.id}:${reported.code}`,
      source: 'agv',
      code: reported.code,
      severity: reported.severity,
      agvId: agv.id,
      taskId: agv.currentTaskId ?? null,
      message: reported.message || `${agv.id} reports ${reported.code}`,
    });
  }
  const silentFor = now - agv.lastSeen;
  if (agv.connection === 'offline' || silentFor > t.heartbeatTimeoutMs) {
    add('HEARTBEAT_LOST', 'error', `${agv.id} has sent no heartbeat for ${minutes(silentFor)}; its held path stays reserved`);
    if (agv.heldNodes.length > 0) {
      // Safety: nobody knows where the AGV really is, so its nodes stay held until it returns or an operator frees them.
      add('OFFLINE_HOLDS_NODES', 'error', `${agv.id} is offline and still holds ${agv.heldNodes.join(', ')}; they stay reserved until it returns or an operator clears its reservations`);
    }
    // The other readings are stale while the AGV is silent; do not raise alarms from them.
    return out;
  }
  // Before its first status report an AGV's readings are placeholders, not measurements.
  if (agv.statusKnown === false) return out;
  if (!agv.charging && agv.battery < t.lowBatteryPct) {
    const severity = agv.battery < t.criticalBatteryPct ? 'error' : 'warning';
    add('LOW_BATTERY', severity, `${agv.id} battery at ${Math.round(agv.battery)}% and not charging`);
  }
  if (agv.localisationScore !== null && agv.localisationScore < t.minLocalisationScore) {
    add('LOW_LOCALISATION', 'warning', `${agv.id} localisation score ${agv.localisationScore.toFixed(2)} below ${t.minLocalisationScore}`);
  }
  if (agv.emergencyStop) add('EMERGENCY_STOP', 'error', `${agv.id} is in emergency stop`);
  if (track.estopTimes.length >= t.repeatedEstopCount) {
    add('REPEATED_ESTOP', 'warning', `${agv.id} had ${track.estopTimes.length} emergency stops within ${minutes(t.estopWindowMs)}`);
  }
  if (agv.currentTaskId !== undefined && now - track.lastProgressAt > t.noProgressMs) {
    add('NO_PROGRESS', 'warning', `${agv.id} has not moved for ${minutes(now - track.lastProgressAt)} on task ${agv.currentTaskId}`);
  }
  if (track.onChargerSince !== null && now - track.onChargerSince > t.chargerOccupiedMs) {
    add('CHARGER_OCCUPIED_TOO_LONG', 'warning', `${agv.id} has occupied charger node ${agv.nodeId} for ${minutes(now - track.onChargerSince)}`);
  }
  return out;
}
