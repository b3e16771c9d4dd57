// One error type for every bad input the planner refuses, so callers can catch planner input problems
// separately from programming errors and still switch on a stable code.

export type PlannerErrorCode =
  | 'MAP_FORMAT'
  | 'SCEN_FORMAT'
  | 'ROADMAP_INVALID'
  | 'GRAPH_INVALID'
  | 'INSTANCE_INVALID';

export class PlannerInputError extends Error {
  override readonly name = 'PlannerInputError';
  constructor(
    readonly code: PlannerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
