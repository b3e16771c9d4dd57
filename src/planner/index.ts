// Public entry of the planner package.
export {};
