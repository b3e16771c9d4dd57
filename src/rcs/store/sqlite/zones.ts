// Operator zones, AGV holds and running-data samples in SQLite.

import type { Database, Statement } from 'better-sqlite3';
import { StoreConflictError } from '../errors.ts';
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
import { isUniqueViolation, parseJson, toJson } from './rows.ts';
import { toRunningDataSample, type RunningDataRow } from '../zone-rows.ts';
import { WriteBatch } from './write-batch.ts';

interface ZoneRow {
  id: string;
  type: ZoneType;
  name: string;
  definition: string;
  created_by: string;
  created_at: number;
}

const toZone = (r: ZoneRow): ZoneRecord => ({ id: r.id, type: r.type, name: r.name, definition: parseJson(r.definition), createdBy: r.created_by, createdAt: r.created_at });

export class SqliteZoneRepository implements ZoneRepository {
  private readonly insert: Statement;
  private readonly select: Statement<[string], ZoneRow>;
  private readonly selectAll: Statement<[], ZoneRow>;
  private readonly remove: Statement<[string]>;

  constructor(db: Database) {
    this.insert = db.prepare('INSERT INTO zones (id, type, name, definition, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.select = db.prepare('SELECT * FROM zones WHERE id = ?');
    this.selectAll = db.prepare('SELECT * FROM zones ORDER BY created_at, id');
    this.remove = db.prepare('DELETE FROM zones WHERE id = ?');
  }

  async create(zone: ZoneRecord): Promise<ZoneRecord> {
    try {
      this.insert.run(zone.id, zone.type, zone.name, toJson(zone.definition), zone.createdBy, zone.createdAt);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreConflictError(`zone '${zone.id}' exists`);
      throw err;
    }
    return zone;
  }

  async get(id: string): Promise<ZoneRecord | undefined> {
    const row = this.select.get(id);
    return row ? toZone(row) : undefined;
  }

  async list(): Promise<ZoneRecord[]> {
    return this.selectAll.all().map(toZone);
  }

  async delete(id: string): Promise<boolean> {
    return this.remove.run(id).changes > 0;
  }
}

interface HoldRow {
  agv_id: string;
  hold: AgvHold;
  held_by: string;
  held_at: number;
}

export class SqliteAgvHoldRepository implements AgvHoldRepository {
  private readonly selectAll: Statement<[], HoldRow>;
  private readonly upsert: Statement;
  private readonly remove: Statement<[string]>;

  constructor(db: Database) {
    this.selectAll = db.prepare('SELECT * FROM agv_holds ORDER BY agv_id');
    this.upsert = db.prepare(`INSERT INTO agv_holds (agv_id, hold, held_by, held_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (agv_id) DO UPDATE SET hold = excluded.hold, held_by = excluded.held_by, held_at = excluded.held_at`);
    this.remove = db.prepare('DELETE FROM agv_holds WHERE agv_id = ?');
  }

  async list(): Promise<AgvHoldRecord[]> {
    return this.selectAll.all().map((r) => ({ agvId: r.agv_id, hold: r.hold, by: r.held_by, at: r.held_at }));
  }

  async set(agvId: string, hold: AgvHold | null, by: string, at: number): Promise<void> {
    if (hold === null) this.remove.run(agvId);
    else this.upsert.run(agvId, hold, by, at);
  }
}

export class SqliteRunningDataRepository implements RunningDataRepository {
  private readonly insert: Statement;
  private readonly select: Statement<[string, number, number], RunningDataRow & { diagnostics: string }>;
  private readonly removeBefore: Statement<[number]>;

  /** At 10,000 AGVs a collection round answers thousands of samples within a second: written in batches. */
  private readonly batch: WriteBatch<RunningDataSample, void>;

  constructor(db: Database) {
    this.batch = new WriteBatch(db, (sample) => {
      this.insert.run({ ...sample, diagnostics: toJson(sample.diagnostics) });
    });
    this.insert = db.prepare(`INSERT INTO running_data (agv_id, at, odometer_m, operating_s, driving_s, lift_cycles, charge_cycles,
      battery_health, battery_temperature, diagnostics) VALUES (@agvId, @at, @odometerM, @operatingS, @drivingS, @liftCycles,
      @chargeCycles, @batteryHealth, @batteryTemperature, @diagnostics)`);
    // The newest `limit` rows, returned oldest first.
    this.select = db.prepare('SELECT * FROM (SELECT * FROM running_data WHERE agv_id = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT ?) ORDER BY at, id');
    this.removeBefore = db.prepare('DELETE FROM running_data WHERE at < ?');
  }

  async append(sample: RunningDataSample): Promise<void> {
    await this.batch.write(sample);
  }

  /** Stores every sample queued so far. */
  flush(): void {
    this.batch.flush();
  }

  async list(agvId: string, since: number, limit: number): Promise<RunningDataSample[]> {
    this.batch.flush();
    return this.select.all(agvId, since, limit).map((r) => toRunningDataSample({ ...r, diagnostics: parseJson(r.diagnostics) }));
  }

  async prune(before: number): Promise<number> {
    this.batch.flush();
    return this.removeBefore.run(before).changes;
  }
}
