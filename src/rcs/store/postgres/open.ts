// PostgreSQL store for multi-instance deployments: the same Store interface as the embedded SQLite default.

import pg from 'pg';
import type { Store } from '../types.ts';
import type { Migration } from '../sqlite/migrations.ts';
import { inTransaction } from './db.ts';
import { PG_MIGRATIONS } from './migrations.ts';
import {
  PgAgvRepository,
  PgApiKeyRepository,
  PgEventRepository,
  PgOutboxRepository,
  PgSettingsRepository,
  PgWebhookRepository,
} from './repositories.ts';
import { PgAgvHoldRepository, PgRunningDataRepository, PgZoneRepository } from './zones.ts';
import { PgTaskRepository } from './tasks.ts';
import { PgTrafficHoldRepository } from './holds.ts';
import { PgSiteLeadershipRepository } from './leadership.ts';
import { PgAlarmRepository, PgHealthRunRepository, PgLoginSessionRepository, PgUserRepository } from './ops.ts';

export interface PostgresStoreOptions {
  /** e.g. postgres://unifleet@127.0.0.1:5432/unifleet */
  connectionString: string;
  /** Schema to use (created if missing); default 'public'. Lets several sites or test runs share one database. */
  schema?: string;
  /** Pool size; default 10. */
  maxConnections?: number;
}

const INT8_OID = 20;
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

// BIGINT columns hold epoch milliseconds and row ids, all far below 2^53: read them as numbers, not strings.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

// Any number will do as long as every UniFleet instance uses the same one: it serialises concurrent migrations.
const MIGRATION_LOCK = 0x756e6966;

async function migrate(pool: pg.Pool, migrations: readonly Migration[]): Promise<number> {
  return inTransaction(pool, async (db) => {
    await db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const current = Number((await db.query<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0]!.v);
    const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
    if (current > known) throw new Error(`database schema version ${current} is newer than this build knows (${known}); upgrade UniFleet`);
    for (const m of migrations) {
      if (m.version <= current) continue;
      await db.query(m.sql);
      await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
    }
    return Math.max(current, known);
  });
}

const DATABASE_MISSING = '3D000';
const DATABASE_EXISTS = '42P04';

/** host:port/database of a connection string, without the credentials, for messages. */
function describe(connectionString: string): string {
  const url = new URL(connectionString);
  return `${url.hostname || 'localhost'}:${url.port || 5432}${url.pathname}`;
}

async function connect(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  // A connection dropped by the server after use must not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
}

/**
 * Checks the server before the pool opens: creates the database if it does not exist yet (so a first start needs no
 * manual step), creates the schema, and turns an unreachable server into a message that says where it looked.
 */
async function prepareDatabase(connectionString: string, schema: string): Promise<void> {
  let client: pg.Client;
  try {
    client = await connect(connectionString);
  } catch (err) {
    if ((err as { code?: string }).code !== DATABASE_MISSING) {
      throw new Error(`PostgreSQL at ${describe(connectionString)} is not reachable: ${(err as Error).message}`, { cause: err });
    }
    await createDatabase(connectionString);
    client = await connect(connectionString);
  }
  try {
    if (schema !== 'public') await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await client.end();
  }
}

async function createDatabase(connectionString: string): Promise<void> {
  const target = new URL(connectionString);
  // libpq's rule: no database in the URL means the one named like the user.
  const name = decodeURIComponent(target.pathname.slice(1)) || decodeURIComponent(target.username);
  const maintenance = new URL(connectionString);
  maintenance.pathname = '/postgres';
  const admin = await connect(maintenance.toString());
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } catch (err) {
    // Another instance starting at the same time may have created it first.
    if ((err as { code?: string }).code !== DATABASE_EXISTS) {
      throw new Error(`database ${describe(connectionString)} does not exist and could not be created: ${(err as Error).message}`, { cause: err });
    }
  } finally {
    await admin.end();
  }
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`schema '${schema}' must be a lower-case SQL identifier`);
  await prepareDatabase(options.connectionString, schema);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    options: `-c search_path=${schema}`,
    types,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  let schemaVersion: number;
  try {
    schemaVersion = await migrate(pool, PG_MIGRATIONS);
  } catch (err) {
    await pool.end();
    throw err;
  }
  let closed: Promise<void> | undefined;
  const leadership = new PgSiteLeadershipRepository(pool);
  return {
    agvs: new PgAgvRepository(pool),
    zones: new PgZoneRepository(pool),
    holds: new PgAgvHoldRepository(pool),
    runningData: new PgRunningDataRepository(pool),
    tasks: new PgTaskRepository(pool, leadership),
    outbox: new PgOutboxRepository(pool),
    events: new PgEventRepository(pool),
    webhooks: new PgWebhookRepository(pool),
    apiKeys: new PgApiKeyRepository(pool),
    settings: new PgSettingsRepository(pool),
    alarms: new PgAlarmRepository(pool),
    users: new PgUserRepository(pool),
    loginSessions: new PgLoginSessionRepository(pool),
    healthRuns: new PgHealthRunRepository(pool),
    trafficHolds: new PgTrafficHoldRepository(pool, leadership),
    leadership,
    schemaVersion,
    close: () => (closed ??= pool.end()),
  };
}
