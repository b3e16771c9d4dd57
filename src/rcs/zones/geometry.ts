import type { SiteMap } from '../site/types.ts';

// Which nodes and edges of the site an area covers: a node inside the polygon, an edge that touches it (either end
// inside, or the segment crossing its outline). Pure; metres in the site's frame.

export interface Point {
  x: number;
  y: number;
}

/** Even-odd rule; a point on the outline counts as inside. */
export function pointInPolygon(p: Point, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i]!;
    const b = polygon[j]!;
    if (onSegment(p, a, b)) return true;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

export function segmentTouchesPolygon(a: Point, b: Point, polygon: readonly Point[]): boolean {
  if (pointInPolygon(a, polygon) || pointInPolygon(b, polygon)) return true;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) if (segmentsCross(a, b, polygon[j]!, polygon[i]!)) return true;
  return false;
}

export function coverage(site: SiteMap, polygon: readonly Point[]): { nodes: string[]; edges: string[] } {
  if (polygon.length < 3) return { nodes: [], edges: [] };
  const at = new Map(site.nodes.map((n) => [n.id, n]));
  const nodes = site.nodes.filter((n) => pointInPolygon(n, polygon)).map((n) => n.id);
  const edges = site.edges.filter((e) => segmentTouchesPolygon(at.get(e.from)!, at.get(e.to)!, polygon)).map((e) => e.id);
  return { nodes, edges };
}

/** A polygon whose sides cross each other has no clear inside: refused at validation. */
export function selfIntersects(polygon: readonly Point[]): boolean {
  const n = polygon.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      // Neighbouring sides share a corner, which is not a crossing.
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      if (segmentsCross(polygon[i]!, polygon[(i + 1) % n]!, polygon[j]!, polygon[(j + 1) % n]!)) return true;
    }
  }
  return false;
}

function cross(o: Point, a: Point, b: Point): number {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

function onSegment(p: Point, a: Point, b: Point): boolean {
  return Math.abs(cross(a, b, p)) < 1e-9 && Math.min(a.x, b.x) - 1e-9 <= p.x && p.x <= Math.max(a.x, b.x) + 1e-9 && Math.min(a.y, b.y) - 1e-9 <= p.y && p.y <= Math.max(a.y, b.y) + 1e-9;
}

function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return onSegment(a, c, d) || onSegment(b, c, d) || onSegment(c, a, b) || onSegment(d, a, b);
}
