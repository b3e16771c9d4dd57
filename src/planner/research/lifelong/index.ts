export { LifelongPlanner, type LifelongOptions, type LifelongStep, type LifelongStepStats, type PlannerSnapshot, type TimeSource } from './engine.ts';
export { GraphMotionModel, type MotionModel, type StepProposal } from './motion-model.ts';
export { RotationMotionModel, type RotationAction, type RotationModelOptions } from './rotation-model.ts';
export { GoalDistances, type EdgeCost } from './goal-distances.ts';
export { laneGuidance } from './guidance.ts';
