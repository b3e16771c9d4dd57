// Public entry of the agv package: the SDK vendors embed, the transports it runs over, and the simulator.
export * from './sdk/index.ts';
export * from './transport/index.ts';
export * from './sim/index.ts';
