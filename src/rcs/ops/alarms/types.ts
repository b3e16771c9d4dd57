import { DEFAULT_CONFIG } from '../../config.ts';
import type { Severity } from '../ports.ts';

export type AlarmState = 'raised' | 'acknowledged' | 'cleared';
export type AlarmSource = 'agv' | 'platform';

export interface Alarm {
  id: number;
  /** Alarms with the same key are one alarm while open: a repeat bumps occurrences instead of adding a row. */
  key: string;
  source: AlarmSource;
  code: string;
  severity: Severity;
  agvId: string | null;
  taskId: string | null;
  message: string;
  state: AlarmState;
  occurrences: number;
  raisedAt: number;
  lastSeenAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  clearedAt: number | null;
}

/** A condition that currently holds; the engine turns conditions into alarms with a lifecycle. */
export interface AlarmCondition {
  key: string;
  source: AlarmSource;
  code: string;
  severity: Severity;
  agvId: string | null;
  taskId: string | null;
  message: string;
}

/** Thresholds for platform-detected alarms; they come from the platform's global config. */
export interface AlarmThresholds {
  /** Battery % below which an AGV that is not charging raises LOW_BATTERY (warning). */
  lowBatteryPct: number;
  /** Battery % below which LOW_BATTERY becomes an error. */
  criticalBatteryPct: number;
  /** Localisation score (0..1) below which LOW_LOCALISATION is raised. */
  minLocalisationScore: number;
  /** No frame for this long → HEARTBEAT_LOST. */
  heartbeatTimeoutMs: number;
  /** An AGV with an open task that has not moved for this long → NO_PROGRESS. */
  noProgressMs: number;
  /** This many emergency stops within estopWindowMs → REPEATED_ESTOP. */
  repeatedEstopCount: number;
  estopWindowMs: number;
  /** An AGV standing on a charger for longer than this → CHARGER_OCCUPIED_TOO_LONG. */
  chargerOccupiedMs: number;
}

export const DEFAULT_THRESHOLDS: AlarmThresholds = {
  lowBatteryPct: 20,
  criticalBatteryPct: 10,
  minLocalisationScore: 0.6,
  heartbeatTimeoutMs: DEFAULT_CONFIG.heartbeatTimeoutMs,
  noProgressMs: 60_000,
  repeatedEstopCount: 3,
  estopWindowMs: 10 * 60_000,
  chargerOccupiedMs: 2 * 60 * 60_000,
};

export interface AlarmQuery {
  state?: AlarmState | 'open';
  severity?: Severity;
  agvId?: string;
  code?: string;
  limit?: number;
  before?: number;
}
