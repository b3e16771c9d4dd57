export type { DispatchStrategy, DispatchInput, DispatchDecision, DispatchTask, DispatchAgv, DispatchCharger } from './types.ts';
export { GreedyDispatchStrategy, type GreedyOptions } from './greedy-strategy.ts';
