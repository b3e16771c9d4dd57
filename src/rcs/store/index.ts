export type * from './types.ts';
export { StoreConflictError } from './errors.ts';
export { openStore } from './sqlite/open.ts';
