import type { Store, StoreLocation } from './types.ts';
import { openPostgresStore } from './postgres/open.ts';
import { openStore } from './sqlite/open.ts';

/**
 * Opens the store a configuration names: `{ path }` is a SQLite file (or ':memory:'), `{ url }` a PostgreSQL
 * database (`postgres://USER@HOST:PORT/DB`, optionally `?schema=name`; the database and schema are created if missing).
 */
export async function openStoreFrom(location: StoreLocation): Promise<Store> {
  if ('path' in location) return openStore({ path: location.path });
  return openPostgresStore(splitPostgresUrl(location.url));
}

/** A PostgreSQL URL's connection string and the `?schema=` UniFleet reads from it. */
export function splitPostgresUrl(databaseUrl: string): { connectionString: string; schema: string | undefined } {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('database URL must start with postgres:// or postgresql://');
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}
