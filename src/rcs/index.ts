// Public entry of the rcs package.
export {};
