import type { TaskState } from './types.ts';

export class TaskNotFoundError extends Error {
  override readonly name = 'TaskNotFoundError';
  constructor(readonly taskId: string) {
    super(`task '${taskId}' not found`);
  }
}

/** The requested transition is not allowed from the task's current state (e.g. cancelling a completed task). */
export class TaskStateConflictError extends Error {
  override readonly name = 'TaskStateConflictError';
  constructor(
    readonly taskId: string,
    readonly from: TaskState,
    readonly to: TaskState,
    message = `task '${taskId}' is ${from}; it cannot become ${to}`,
  ) {
    super(message);
  }
}

/** The same idempotency key was used before with a different request. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(
    readonly key: string,
    readonly existingTaskId: string,
  ) {
    super(`idempotency key '${key}' was already used for a different request (task '${existingTaskId}')`);
  }
}

/** The request is well-formed but does not fit the site (unknown station, station of the wrong kind, pick = drop). */
export class TaskRejectedError extends Error {
  override readonly name = 'TaskRejectedError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}
