import type { SiteMapView } from '../types.ts';

// Drawing what an area covers on the map overlay, shared by the panels that mark parts of the site (zones, granted
// space, blockages): the outline filled faintly, the covered edges as thick lines, the covered nodes marked.

export interface Coverage {
  polygon: readonly { x: number; y: number }[];
  nodes: readonly string[];
  edges: readonly string[];
}

export type Project = (v: number) => number;

/** Node and edge lookups of the map, built once per frame by the caller. */
export function mapIndex(map: SiteMapView) {
  return { at: new Map(map.nodes.map((n) => [n.id, n])), ends: new Map(map.edges.map((e) => [e.id, e])) };
}

/** Draws one coverage in `colour`; returns the covered nodes' positions (for a label). Leaves alpha and width reset. */
export function drawCoverage(g: CanvasRenderingContext2D, X: Project, Y: Project, index: ReturnType<typeof mapIndex>, c: Coverage, colour: string, node: 'fill' | 'outline'): { x: number; y: number }[] {
  const { at, ends } = index;
  g.strokeStyle = g.fillStyle = colour;
  g.globalAlpha = 0.25;
  if (c.polygon.length >= 3) {
    g.beginPath();
    c.polygon.forEach((p, i) => (i === 0 ? g.moveTo(X(p.x), Y(p.y)) : g.lineTo(X(p.x), Y(p.y))));
    g.closePath();
    g.fill();
  }
  g.globalAlpha = 0.8;
  g.lineWidth = 4;
  g.beginPath();
  for (const id of c.edges) {
    const e = ends.get(id);
    const [a, b] = [e && at.get(e.from), e && at.get(e.to)];
    if (!a || !b) continue;
    g.moveTo(X(a.x), Y(a.y));
    g.lineTo(X(b.x), Y(b.y));
  }
  g.stroke();
  const points = c.nodes.flatMap((id) => at.get(id) ?? []);
  for (const n of points) {
    if (node === 'fill') g.fillRect(X(n.x) - 5, Y(n.y) - 5, 10, 10);
    else g.strokeRect(X(n.x) - 7, Y(n.y) - 7, 14, 14);
  }
  g.globalAlpha = 1;
  g.lineWidth = 1;
  return points;
}
