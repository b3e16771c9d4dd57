export interface SiteMapIssue {
  /** JSON path of the offending value, e.g. `edges[3].to`. */
  path: string;
  message: string;
}

/** The map is unusable; `issues` lists every problem found, not just the first. */
export class SiteMapError extends Error {
  override readonly name = 'SiteMapError';
  constructor(readonly issues: SiteMapIssue[]) {
    super(
      `invalid site map: ${issues
        .slice(0, 10)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}${issues.length > 10 ? ` (and ${issues.length - 10} more)` : ''}`,
    );
  }
}
