export { AgvClient, type ClientEvents } from './client.ts';
export type * from './types.ts';
