import type { Store } from './types.ts';
import { openPostgresStore } from './postgres/open.ts';
import { openStore } from './sqlite/open.ts';

/**
 * Opens the store a configuration names: a `postgres://` / `postgresql://` URL (optionally `?schema=name`) opens
 * PostgreSQL, anything else is a SQLite file path (or ':memory:').
 */
export async function openStoreAt(location: string): Promise<Store> {
  if (!/^postgres(ql)?:\/\//.test(location)) return openStore({ path: location });
  const url = new URL(location);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return openPostgresStore({ connectionString: url.toString(), schema });
}
