import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SiteMapError } from './errors.ts';
import type { SiteMap } from './types.ts';
import { isLif, siteJsonFromLif } from './lif.ts';
import { loadSiteMap } from './validate.ts';

/** Reads and validates a site map JSON file; errors name the file. */
export async function readSiteMapFile(path: string): Promise<SiteMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SiteMapError([{ path, message: `cannot read: ${(err as Error).message}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SiteMapError([{ path, message: `not valid JSON: ${(err as Error).message}` }]);
  }
  // A LIF document (VDA's Layout Interchange Format) is imported; anything else is read as a native site map.
  return loadSiteMap(isLif(json) ? siteJsonFromLif(json) : json);
}

/** The default site of `npm start`: two floors joined by two lifts, laid out for the demo's mixed fleet. */
export const DEMO_SITE_PATH = fileURLToPath(new URL('../../../maps/demo-site.json', import.meta.url));

/** A one-floor demo warehouse on a 1 m lattice, for compact AGVs (bodies up to 1 m). */
export const DEMO_WAREHOUSE_PATH = fileURLToPath(new URL('../../../maps/demo-warehouse.json', import.meta.url));

/** An 80 m × 52 m warehouse laid out for ~200 AGVs of mixed sizes (bodies up to 1.8 m). */
export const DEMO_WAREHOUSE_LARGE_PATH = fileURLToPath(new URL('../../../maps/demo-warehouse-large.json', import.meta.url));
