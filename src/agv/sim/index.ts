// Public entry of the simulator (`unifleet/agv/sim`): simulated AGVs built on the SDK's AgvController.
export { Simulator, type SimulatorOptions, type SimMapNode, type SimMapEdge, type RandomObstacles } from './simulator.ts';
export { Obstacles, type Obstacle, type ObstacleSpec } from './obstacles.ts';
export { planDetour, type DetourPlan } from './detour.ts';
export { SimAgv, type SimAgvOptions, type ObstacleOutcome } from './sim-agv.ts';
export { SimulatedMotionAdapter } from './sim-adapter.ts';
export { VirtualAgv } from './virtual-agv.ts';
export { COMPACT_PROFILES, VENDOR_PROFILES, type VendorProfile } from './profiles.ts';
export { ScaledClock } from './scaled-clock.ts';
