export * from './types.ts';
export * from './errors.ts';
export { TaskService, type TaskServiceOptions } from './service.ts';
