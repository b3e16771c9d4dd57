export * from './errors.ts';
export * from './formats.ts';
export * from './action-model.ts';
export * from './rules.ts';
export * from './tasks.ts';
export * from './simulation.ts';
export * from './planner.ts';
