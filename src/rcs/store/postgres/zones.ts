// Operator zones, AGV holds and running-data samples in PostgreSQL.

import type pg from 'pg';
import type {
  AgvHold,
  AgvHoldRecord,
  AgvHoldRepository,
  RunningDataRepository,
  RunningDataSample,
  ZoneRecord,
  ZoneRepository,
  ZoneType,
} from '../types.ts';
import { toRunningDataSample, type RunningDataRow } from '../zone-rows.ts';
import { conflictOnUnique } from './db.ts';

interface ZoneRow {
  id: string;
  type: ZoneType;
  name: string;
  definition: unknown;
  created_by: string;
  created_at: number;
}

const toZone = (r: ZoneRow): ZoneRecord => ({ id: r.id, type: r.type, name: r.name, definition: r.definition, createdBy: r.created_by, createdAt: r.created_at });

export class PgZoneRepository implements ZoneRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(zone: ZoneRecord): Promise<ZoneRecord> {
    await this.pool
      .query('INSERT INTO zones (id, type, name, definition, created_by, created_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6)', [
        zone.id, zone.type, zone.name, JSON.stringify(zone.definition), zone.createdBy, zone.createdAt,
      ])
      .catch(conflictOnUnique(`zone '${zone.id}' exists`));
    return zone;
  }

  async get(id: string): Promise<ZoneRecord | undefined> {
    const { rows } = await this.pool.query<ZoneRow>('SELECT * FROM zones WHERE id = $1', [id]);
    return rows[0] ? toZone(rows[0]) : undefined;
  }

  async list(): Promise<ZoneRecord[]> {
    const { rows } = await this.pool.query<ZoneRow>('SELECT * FROM zones ORDER BY created_at, id');
    return rows.map(toZone);
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM zones WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }
}

export class PgAgvHoldRepository implements AgvHoldRepository {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<AgvHoldRecord[]> {
    const { rows } = await this.pool.query<{ agv_id: string; hold: AgvHold; held_by: string; held_at: number }>('SELECT * FROM agv_holds ORDER BY agv_id');
    return rows.map((r) => ({ agvId: r.agv_id, hold: r.hold, by: r.held_by, at: r.held_at }));
  }

  async set(agvId: string, hold: AgvHold | null, by: string, at: number): Promise<void> {
    if (hold === null) await this.pool.query('DELETE FROM agv_holds WHERE agv_id = $1', [agvId]);
    else {
      await this.pool.query(
        `INSERT INTO agv_holds (agv_id, hold, held_by, held_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (agv_id) DO UPDATE SET hold = EXCLUDED.hold, held_by = EXCLUDED.held_by, held_at = EXCLUDED.held_at`,
        [agvId, hold, by, at],
      );
    }
  }
}

export class PgRunningDataRepository implements RunningDataRepository {
  constructor(private readonly pool: pg.Pool) {}

  async append(s: RunningDataSample): Promise<void> {
    await this.pool.query(
      `INSERT INTO running_data (agv_id, at, odometer_m, operating_s, driving_s, lift_cycles, charge_cycles, battery_health,
       battery_temperature, diagnostics) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)`,
      [s.agvId, s.at, s.odometerM, s.operatingS, s.drivingS, s.liftCycles, s.chargeCycles, s.batteryHealth, s.batteryTemperature, JSON.stringify(s.diagnostics)],
    );
  }

  async list(agvId: string, since: number, limit: number): Promise<RunningDataSample[]> {
    const { rows } = await this.pool.query<RunningDataRow>(
      'SELECT * FROM (SELECT * FROM running_data WHERE agv_id = $1 AND at >= $2 ORDER BY at DESC, id DESC LIMIT $3) newest ORDER BY at, id',
      [agvId, since, limit],
    );
    return rows.map(toRunningDataSample);
  }

  async prune(before: number): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM running_data WHERE at < $1', [before]);
    return rowCount ?? 0;
  }
}
