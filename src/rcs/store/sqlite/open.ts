// Embedded default store: one SQLite file in WAL mode.

import Database from 'better-sqlite3';
import type { Store, StoreOptions } from '../types.ts';
import { migrate } from './migrate.ts';
import { SqliteAgvRepository } from './agvs.ts';
import { SqliteTaskRepository } from './tasks.ts';
import { SqliteOutboxRepository } from './outbox.ts';
import { SqliteEventRepository } from './events.ts';
import { SqliteApiKeyRepository, SqliteSettingsRepository, SqliteWebhookRepository } from './small.ts';
import { SqliteAgvHoldRepository, SqliteRunningDataRepository, SqliteZoneRepository } from './zones.ts';
import { SqliteTrafficHoldRepository } from './holds.ts';
import { SqliteSiteLeadershipRepository } from './leadership.ts';
import { SqliteAlarmRepository, SqliteHealthRunRepository, SqliteLoginSessionRepository, SqliteUserRepository } from './ops.ts';

export interface SqliteStoreOptions extends StoreOptions {
  /**
   * 'normal' (default): synchronous=NORMAL. In WAL mode every commit is in the WAL file (the OS page cache) before
   * the call returns, so a crash or kill -9 of the process loses nothing acknowledged; only an OS crash or power cut
   * can drop the last few commits, and the database stays consistent either way. It saves one fsync per commit,
   * which is most of a write's cost. 'full' fsyncs every commit for sites that must survive power loss too.
   */
  durability?: 'normal' | 'full';
}

export function openStore(options: SqliteStoreOptions): Store {
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  // Another process (a tool, a second test process) may hold the write lock briefly; wait rather than fail.
  db.pragma('busy_timeout = 5000');
  const schemaVersion = migrate(db);

  const agvs = new SqliteAgvRepository(db);
  const leadership = new SqliteSiteLeadershipRepository(db);
  const events = new SqliteEventRepository(db);
  const runningData = new SqliteRunningDataRepository(db);
  return {
    agvs,
    zones: new SqliteZoneRepository(db),
    holds: new SqliteAgvHoldRepository(db),
    runningData,
    tasks: new SqliteTaskRepository(db, leadership),
    outbox: new SqliteOutboxRepository(db),
    events,
    webhooks: new SqliteWebhookRepository(db),
    apiKeys: new SqliteApiKeyRepository(db),
    settings: new SqliteSettingsRepository(db),
    alarms: new SqliteAlarmRepository(db),
    users: new SqliteUserRepository(db),
    loginSessions: new SqliteLoginSessionRepository(db),
    healthRuns: new SqliteHealthRunRepository(db),
    trafficHolds: new SqliteTrafficHoldRepository(db, leadership),
    leadership,
    schemaVersion,
    async close() {
      if (!db.open) return;
      // Writes still queued for the end of the turn are stored before the database closes.
      agvs.flush();
      events.flush();
      runningData.flush();
      db.close();
    },
  };
}
