import pg from 'pg';
import { StoreConflictError } from '../errors.ts';

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Runs fn in one transaction on one pooled connection; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

export function conflictOnUnique<T>(message: string) {
  return (err: unknown): T => {
    if (isUniqueViolation(err)) throw new StoreConflictError(message);
    throw err;
  };
}
