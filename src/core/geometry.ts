// Plane geometry for autonomous space and simulated obstacles (metres, map frame): an area is a polygon and/or a set
// of capsules (a segment swept by a disc: the body of an AGV driving an edge, or standing at a node when the segment
// is a point).
// Pure functions; no dependency on the map or on traffic state.

export interface Pt {
  x: number;
  y: number;
}

export interface Capsule {
  a: Pt;
  b: Pt;
  r: number;
}

export interface Area {
  /** Outline, at least 3 points; absent when the area is given only by nodes and edges. */
  polygon?: readonly Pt[];
  capsules: readonly Capsule[];
}

const EPS = 1e-9;

function cross(o: Pt, a: Pt, b: Pt): number {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/** Whether p lies inside the polygon or on its outline (even-odd rule). */
export function insidePolygon(p: Pt, polygon: readonly Pt[]): boolean {
  if (polygonEdgeDistance(p, polygon) <= EPS) return true;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i]!;
    const b = polygon[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

export function pointSegmentDistance(p: Pt, a: Pt, b: Pt): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

function segmentsIntersect(a: Pt, b: Pt, c: Pt, d: Pt): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  return ((d1 > EPS && d2 < -EPS) || (d1 < -EPS && d2 > EPS)) && ((d3 > EPS && d4 < -EPS) || (d3 < -EPS && d4 > EPS));
}

export function segmentSegmentDistance(a: Pt, b: Pt, c: Pt, d: Pt): number {
  if (segmentsIntersect(a, b, c, d)) return 0;
  return Math.min(pointSegmentDistance(a, c, d), pointSegmentDistance(b, c, d), pointSegmentDistance(c, a, b), pointSegmentDistance(d, a, b));
}

function polygonEdgeDistance(p: Pt, polygon: readonly Pt[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) best = Math.min(best, pointSegmentDistance(p, polygon[j]!, polygon[i]!));
  return best;
}

/** Distance from the segment a–b to the polygon (0 when they touch or the segment is inside). */
export function segmentPolygonDistance(a: Pt, b: Pt, polygon: readonly Pt[]): number {
  if (insidePolygon(a, polygon) || insidePolygon(b, polygon)) return 0;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) best = Math.min(best, segmentSegmentDistance(a, b, polygon[j]!, polygon[i]!));
  return best;
}

/** How far the segment a–b (a point when a = b) stays from the area; 0 when it touches or enters it. */
export function segmentAreaDistance(a: Pt, b: Pt, area: Area): number {
  let best = area.polygon ? segmentPolygonDistance(a, b, area.polygon) : Number.POSITIVE_INFINITY;
  for (const c of area.capsules) best = Math.min(best, Math.max(0, segmentSegmentDistance(a, b, c.a, c.b) - c.r));
  return best;
}

/**
 * Whether two areas share any ground. Conservative: outlines that only touch count as overlapping too, since a
 * body on one side and a body on the other could then meet on the shared line.
 */
export function areasOverlap(p: Area, q: Area): boolean {
  const touch = (d: number) => d <= EPS;
  if (p.polygon && q.polygon && polygonsOverlap(p.polygon, q.polygon)) return true;
  for (const c of q.capsules) if (p.polygon && touch(segmentPolygonDistance(c.a, c.b, p.polygon) - c.r)) return true;
  for (const c of p.capsules) {
    if (q.polygon && touch(segmentPolygonDistance(c.a, c.b, q.polygon) - c.r)) return true;
    for (const d of q.capsules) if (touch(segmentSegmentDistance(c.a, c.b, d.a, d.b) - c.r - d.r)) return true;
  }
  return false;
}

function polygonsOverlap(p: readonly Pt[], q: readonly Pt[]): boolean {
  for (let i = 0, j = p.length - 1; i < p.length; j = i++) if (segmentPolygonDistance(p[j]!, p[i]!, q) <= EPS) return true;
  // No outline meets the other polygon: overlap only if one lies wholly inside the other.
  return insidePolygon(q[0]!, p);
}

/** Twice the signed area; 0 for a degenerate outline. */
export function polygonArea(polygon: readonly Pt[]): number {
  let sum = 0;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) sum += polygon[j]!.x * polygon[i]!.y - polygon[i]!.x * polygon[j]!.y;
  return Math.abs(sum) / 2;
}

/** Whether the point is inside the area: in the polygon or within a capsule. */
export function pointInArea(p: Pt, area: Area): boolean {
  return segmentAreaDistance(p, p, area) <= EPS;
}
