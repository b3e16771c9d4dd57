import type { Database } from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.ts';

/** Applies pending migrations, each in its own transaction with its version row; returns the schema version. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const current = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
  const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  if (current > known) {
    throw new Error(`database schema version ${current} is newer than this build knows (${known}); upgrade UniFleet`);
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
  }
  return Math.max(current, known);
}
