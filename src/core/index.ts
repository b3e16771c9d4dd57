export * from './clock.ts';
export * from './random.ts';
export * from './geometry.ts';
export * from './slices.ts';
