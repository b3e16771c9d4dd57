/** A write lost a race: the row changed since it was read, or a unique key is already taken. */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

/** A pagination cursor that this store did not issue (or that was altered). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('cursor is not valid; pass nextCursor from a previous page unchanged');
  }
}
