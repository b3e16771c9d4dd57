import type { SiteMap } from './types.ts';

/**
 * The site-level fields of a site with one map and no lifts, doors or navigation areas: what the loader gives a
 * single-map file. For programs that build a site in code (benchmarks, tests) rather than load one.
 */
export function singleMapLevels(id: string, name: string): Pick<SiteMap, 'maps' | 'lifts' | 'doors' | 'navigationAreas'> {
  return { maps: [{ id, name, frame: { x: 0, y: 0, theta: 0 } }], lifts: [], doors: [], navigationAreas: [] };
}
