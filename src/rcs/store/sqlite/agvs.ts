import type { Database, Statement } from 'better-sqlite3';
import type { AgvAdmission, AgvEnrolment, AgvRecord, AgvRepository, AgvSighting } from '../types.ts';
import { parseJson, toJson } from './rows.ts';
import { WriteBatch } from './write-batch.ts';

interface AgvRow {
  id: string;
  vendor: string;
  model: string;
  serial: string;
  type: string;
  capabilities: string;
  public_key_hex: string | null;
  secret_verifier_hex: string | null;
  mode: 'normal' | 'secure';
  first_seen: number | null;
  last_seen: number | null;
  last_node: string | null;
  admission: AgvAdmission;
  in_service: number;
}

function toRecord(r: AgvRow): AgvRecord {
  return {
    id: r.id,
    vendor: r.vendor,
    model: r.model,
    serial: r.serial,
    type: r.type,
    capabilities: parseJson(r.capabilities),
    publicKeyHex: r.public_key_hex,
    secretVerifierHex: r.secret_verifier_hex,
    mode: r.mode,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    lastNode: r.last_node,
    admission: r.admission,
    inService: r.in_service !== 0,
  };
}

/**
 * Sightings (status, heartbeats, registrations) arrive from thousands of AGVs; each committed alone would cost a WAL
 * commit, so they are written in batches at the end of the event-loop turn (WriteBatch): each caller's promise
 * settles once its batch committed. Reads and enrolments flush the queue first, so callers always see their own
 * writes.
 */
export class SqliteAgvRepository implements AgvRepository {
  private readonly sightings: WriteBatch<AgvSighting, AgvRecord>;
  private readonly select: Statement<[string], AgvRow>;
  private readonly selectAll: Statement<[], AgvRow>;
  private readonly enrolStmt: Statement;
  private readonly seenStmt: Statement<unknown[], AgvRow>;
  private readonly admissionStmt: Statement;
  private readonly serviceStmt: Statement<[number, string]>;

  constructor(db: Database) {
    this.select = db.prepare('SELECT * FROM agvs WHERE id = ?');
    this.selectAll = db.prepare('SELECT * FROM agvs ORDER BY id');
    this.enrolStmt = db.prepare(`
      INSERT INTO agvs (id, vendor, model, serial, type, public_key_hex, secret_verifier_hex, admission)
      VALUES (@id, COALESCE(@vendor, ''), COALESCE(@model, ''), COALESCE(@serial, ''), COALESCE(@type, ''), @publicKeyHex, @secretVerifierHex, 'approved')
      ON CONFLICT (id) DO UPDATE SET admission = 'approved',
        vendor = COALESCE(@vendor, vendor), model = COALESCE(@model, model), serial = COALESCE(@serial, serial),
        type = COALESCE(@type, type), public_key_hex = CASE WHEN @keyGiven THEN @publicKeyHex ELSE public_key_hex END,
        secret_verifier_hex = CASE WHEN @secretGiven THEN @secretVerifierHex ELSE secret_verifier_hex END`);
    this.seenStmt = db.prepare(`
      INSERT INTO agvs (id, vendor, model, serial, type, capabilities, mode, first_seen, last_seen, last_node, admission)
      VALUES (@id, COALESCE(@vendor, ''), COALESCE(@model, ''), COALESCE(@serial, ''), COALESCE(@type, ''),
              COALESCE(@capabilities, 'null'), COALESCE(@mode, 'normal'), @at, @at, @lastNode, COALESCE(@admission, 'approved'))
      ON CONFLICT (id) DO UPDATE SET
        vendor = COALESCE(@vendor, vendor), model = COALESCE(@model, model), serial = COALESCE(@serial, serial),
        type = COALESCE(@type, type), capabilities = COALESCE(@capabilities, capabilities), mode = COALESCE(@mode, mode),
        first_seen = COALESCE(first_seen, @at), last_seen = MAX(COALESCE(last_seen, 0), @at),
        last_node = CASE WHEN @nodeGiven THEN @lastNode ELSE last_node END
      RETURNING *`);
    this.admissionStmt = db.prepare('UPDATE agvs SET admission = ? WHERE id = ?');
    this.serviceStmt = db.prepare('UPDATE agvs SET in_service = ? WHERE id = ?');
    this.sightings = new WriteBatch(db, (input) => this.writeSighting(input));
  }

  /** Writes queued sightings now and settles their promises. */
  flush(): void {
    this.sightings.flush();
  }

  private writeSighting(input: AgvSighting): AgvRecord {
    return toRecord(this.seenStmt.get({
      id: input.id,
      at: input.at,
      vendor: input.vendor ?? null,
      model: input.model ?? null,
      serial: input.serial ?? null,
      type: input.type ?? null,
      capabilities: input.capabilities === undefined ? null : toJson(input.capabilities),
      mode: input.mode ?? null,
      lastNode: input.lastNode ?? null,
      nodeGiven: input.lastNode === undefined ? 0 : 1,
      admission: input.admission ?? null,
    })!);
  }

  async enrol(input: AgvEnrolment): Promise<AgvRecord> {
    this.flush();
    this.enrolStmt.run({
      id: input.id,
      vendor: input.vendor ?? null,
      model: input.model ?? null,
      serial: input.serial ?? null,
      type: input.type ?? null,
      publicKeyHex: input.publicKeyHex ?? null,
      keyGiven: input.publicKeyHex === undefined ? 0 : 1,
      secretVerifierHex: input.secretVerifierHex ?? null,
      secretGiven: input.secretVerifierHex === undefined ? 0 : 1,
    });
    return toRecord(this.select.get(input.id)!);
  }

  async setAdmission(id: string, admission: AgvAdmission): Promise<AgvRecord | undefined> {
    this.flush();
    this.admissionStmt.run(admission, id);
    const row = this.select.get(id);
    return row ? toRecord(row) : undefined;
  }

  async get(id: string): Promise<AgvRecord | undefined> {
    this.flush();
    const row = this.select.get(id);
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<AgvRecord[]> {
    this.flush();
    return this.selectAll.all().map(toRecord);
  }

  async setInService(id: string, inService: boolean): Promise<AgvRecord | undefined> {
    this.flush();
    if (this.serviceStmt.run(inService ? 1 : 0, id).changes === 0) return undefined;
    return toRecord(this.select.get(id)!);
  }

  upsertSeen(input: AgvSighting): Promise<AgvRecord> {
    return this.sightings.write(input);
  }
}
