export type * from './types.ts';
export { SiteMapError, type SiteMapIssue } from './errors.ts';
export { loadSiteMap } from './validate.ts';
