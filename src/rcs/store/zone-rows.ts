// Row mapping shared by both backends for running-data samples.

import type { RunningDataSample } from './types.ts';

export interface RunningDataRow {
  agv_id: string;
  at: number;
  odometer_m: number;
  operating_s: number;
  driving_s: number;
  lift_cycles: number;
  charge_cycles: number;
  battery_health: number;
  battery_temperature: number;
  diagnostics: unknown;
}

export function toRunningDataSample(r: RunningDataRow): RunningDataSample {
  return {
    agvId: r.agv_id,
    at: r.at,
    odometerM: r.odometer_m,
    operatingS: r.operating_s,
    drivingS: r.driving_s,
    liftCycles: r.lift_cycles,
    chargeCycles: r.charge_cycles,
    batteryHealth: r.battery_health,
    batteryTemperature: r.battery_temperature,
    diagnostics: Array.isArray(r.diagnostics) ? (r.diagnostics as { key: number; value: number }[]) : [],
  };
}
