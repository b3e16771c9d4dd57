// Public entry of the planner package, what the platform plans with: maps as graphs, distance tables, and the one
// PIBT core (with per-agent bodies). Pure, no I/O. Research planners and harnesses are in './research/index.ts'.
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
export { DistanceTable, GoalDistance, type DistanceTableOptions, type Walls } from './distance.ts';
export { stronglyConnectedComponents } from './components.ts';
export { buildRoadmapGraph, type RoadmapInput, type RoadmapGraph } from './roadmap.ts';
export { Pibt, type MoveRank, type PibtOptions, type PibtStepInput } from './pibt.ts';
export { ConflictSetBodies, DiscBodies, NearbyNodes, footprintsOverlap, type Bodies, type NodeXY } from './bodies.ts';
