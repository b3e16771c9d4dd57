export type * from './types.ts';
export { StaleLeadershipError, StoreConflictError } from './errors.ts';
export { openStore } from './sqlite/open.ts';
export { openPostgresStore, type PostgresStoreOptions } from './postgres/open.ts';
export { openStoreFrom } from './open-at.ts';
export { openSiteLease } from './site-lease.ts';
