// Public entry of the planner package: maps as graphs, distance tables, multi-agent path planning. Pure, no I/O.
export { PlannerInputError, type PlannerErrorCode } from './errors.ts';
export { Graph, GraphBuilder } from './graph.ts';
export { GridGraph, gridToGraph, gridFromRows, DIRECTION_DX, DIRECTION_DY, type GridMap } from './grid.ts';
export {
  parseMovingAiMap,
  parseScen,
  MOVINGAI_PASSABLE,
  LORR_PASSABLE,
  type ParseMapOptions,
  type ScenEntry,
} from './movingai.ts';
export { DistanceTable, GoalDistance, type DistanceTableOptions } from './distance.ts';
export { buildRoadmapGraph, type RoadmapInput, type RoadmapGraph } from './roadmap.ts';
export { Pibt, updatePriorities, orderByPriority, type AgentDistance, type PibtOptions } from './pibt.ts';
export { Rng } from './random.ts';
export { checkInstance, type MapfInstance } from './instance.ts';
export { solveLacam, type LacamOptions, type LacamResult, type LacamStats, type LacamStatus } from './lacam.ts';
export { validatePlans, type PlanViolation, type PlanViolationKind, type ValidationResult, type ValidateOptions } from './validate.ts';
export { arrivalTime, sumOfCosts, makespan, sumOfCostsLowerBound } from './metrics.ts';
export { refineWithLns, type RefineOptions, type RefineResult } from './refine.ts';
export { SpaceTimeOccupancy, SpaceTimeSearchScratch, spaceTimeAStar } from './spacetime.ts';
export { solveOneShot, type OneShotOptions, type OneShotResult } from './oneshot.ts';
export * from './lifelong/index.ts';
export * from './lorr/index.ts';
