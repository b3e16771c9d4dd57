// Public entry of the agv package (`unifleet/agv`): the SDK vendors embed (AgvController over a VendorAdapter, and
// the AgvClient beneath it) and the transports it runs over. The simulator is a separate entry (`unifleet/agv/sim`).
export * from './sdk/index.ts';
export * from './transport/index.ts';
