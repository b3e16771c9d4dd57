import type { Database } from 'better-sqlite3';

// Operations keeps its own tables (prefixed ops_) and its own migration ledger, so it can share the platform's
// SQLite file without coordinating schema versions with the store: each migration runs once, in order, in a
// transaction, and is recorded by name.
interface Migration {
  id: string;
  sql: string;
}

const MIGRATIONS: Migration[] = [
  {
    id: '001_alarms',
    sql: `
      CREATE TABLE ops_alarms (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dedup_key TEXT NOT NULL,
        source TEXT NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL,
        agv_id TEXT,
        task_id TEXT,
        message TEXT NOT NULL,
        state TEXT NOT NULL,
        occurrences INTEGER NOT NULL DEFAULT 1,
        raised_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        acknowledged_at INTEGER,
        acknowledged_by TEXT,
        cleared_at INTEGER
      );
      CREATE INDEX ops_alarms_state ON ops_alarms(state);
      CREATE INDEX ops_alarms_agv ON ops_alarms(agv_id, raised_at);
      CREATE UNIQUE INDEX ops_alarms_one_open_per_key ON ops_alarms(dedup_key) WHERE state != 'cleared';
    `,
  },
  {
    id: '002_events',
    sql: `
      CREATE TABLE ops_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        agv_id TEXT,
        task_id TEXT,
        message TEXT NOT NULL,
        data TEXT
      );
      CREATE INDEX ops_events_agv ON ops_events(agv_id, id);
      CREATE INDEX ops_events_task ON ops_events(task_id, id);
      CREATE INDEX ops_events_severity ON ops_events(severity, id);
    `,
  },
  {
    id: '003_health',
    sql: `
      CREATE TABLE ops_health_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        trigger TEXT NOT NULL,
        score INTEGER NOT NULL,
        findings TEXT NOT NULL
      );
    `,
  },
  {
    id: '004_users',
    sql: `
      CREATE TABLE ops_users (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE ops_sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES ops_users(username) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
];

export function migrateOps(db: Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS ops_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT id FROM ops_migrations').all() as { id: string }[]).map((r) => r.id),
  );
  const record = db.prepare('INSERT INTO ops_migrations (id, applied_at) VALUES (?, ?)');
  for (const m of MIGRATIONS) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.id, Date.now());
    })();
  }
}
