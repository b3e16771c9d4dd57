export type * from './types.ts';
export { SiteMapError, type SiteMapIssue } from './errors.ts';
export { loadSiteMap } from './validate.ts';
export { isLif, siteJsonFromLif, type LifImportOptions } from './lif.ts';
export { reachableFrom, unreachableNodes } from './analysis.ts';
export { readSiteMapFile, DEMO_WAREHOUSE_PATH, DEMO_WAREHOUSE_LARGE_PATH } from './file.ts';
