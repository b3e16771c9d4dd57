// Public entry of the agv package.
export {};
