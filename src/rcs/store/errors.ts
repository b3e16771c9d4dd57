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

/**
 * A leader write carried a leadership epoch (fencing token) that is no longer the site's: another process took the
 * site over since. The write was refused in the database; the writer must stop commanding.
 */
export class StaleLeadershipError extends Error {
  override readonly name = 'StaleLeadershipError';
  constructor(
    readonly siteId: string,
    readonly epoch: number,
    readonly current: number | undefined,
  ) {
    super(`site ${siteId}: leadership epoch ${epoch} is stale (the site's epoch is now ${current ?? 'unclaimed'}); write refused`);
  }
}
