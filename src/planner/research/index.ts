// Research entry of the planner package: one-shot MAPF (LaCAM, LNS), the lifelong engine and the League of Robot
// Runners harness, run from bench/ and test/. The platform does not plan with these; rcs may not import them.
export { Rng } from './random.ts';
export { checkInstance, type MapfInstance } from './instance.ts';
export { SwapAwarePibt, updatePriorities, orderByPriority, type AgentDistance, type SwapAwarePibtOptions } from './swap-aware-pibt.ts';
export { solveLacam, type LacamOptions, type LacamResult, type LacamStats, type LacamStatus } from './lacam.ts';
export { validatePlans, type PlanViolation, type PlanViolationKind, type ValidationResult, type ValidateOptions } from './validate.ts';
export { arrivalTime, sumOfCosts, makespan, sumOfCostsLowerBound } from './metrics.ts';
export { refineWithLns, type RefineOptions, type RefineResult } from './refine.ts';
export { SpaceTimeOccupancy, SpaceTimeSearchScratch, spaceTimeAStar } from './spacetime.ts';
export { solveOneShot, type OneShotOptions, type OneShotResult } from './oneshot.ts';
export * from './lifelong/index.ts';
export * from './lorr/index.ts';
