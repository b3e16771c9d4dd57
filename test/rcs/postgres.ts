import pg from 'pg';

// The PostgreSQL the store tests use (127.0.0.1:5432 or $UNIFLEET_TEST_PG; .ci/run starts it), and the two chores
// every such test needs: knowing whether it is reachable, and dropping the schemas it created.

export const PG_URL = process.env.UNIFLEET_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await client.end();
}
