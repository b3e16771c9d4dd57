import type { SiteMap } from '../site/types.ts';
import { insidePolygon, segmentPolygonDistance, segmentSegmentDistance, type Pt } from '../../core/geometry.ts';

// Which nodes and edges of the site an area covers: a node inside the polygon, an edge that touches it (either end
// inside, or the segment crossing its outline). Pure; metres in the site's frame. The plane geometry is the one
// autonomous space uses.

export type Point = Pt;

const EPS = 1e-9;

export function coverage(site: SiteMap, polygon: readonly Point[]): { nodes: string[]; edges: string[] } {
  if (polygon.length < 3) return { nodes: [], edges: [] };
  const at = new Map(site.nodes.map((n) => [n.id, n]));
  const nodes = site.nodes.filter((n) => insidePolygon(n, polygon)).map((n) => n.id);
  const edges = site.edges.filter((e) => segmentPolygonDistance(at.get(e.from)!, at.get(e.to)!, polygon) <= EPS).map((e) => e.id);
  return { nodes, edges };
}

/** A polygon whose sides cross or touch each other (other than neighbours at their corner) has no clear inside. */
export function selfIntersects(polygon: readonly Point[]): boolean {
  const n = polygon.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      if (segmentSegmentDistance(polygon[i]!, polygon[(i + 1) % n]!, polygon[j]!, polygon[(j + 1) % n]!) <= EPS) return true;
    }
  }
  return false;
}
