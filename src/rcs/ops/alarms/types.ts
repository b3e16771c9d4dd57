import { DEFAULT_CONFIG } from '../../config.ts';
// Alarms are stored by the platform store; operations speaks of them under these names.
export type {
  AlarmRecord as Alarm,
  NewAlarm as AlarmCondition,
  AlarmQuery,
  AlarmSource,
  AlarmState,
} from '../../store/types.ts';

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
