import { MinHeap } from './min-heap.ts';

// The drivable graph of a site, built from the site map (metres). Directed edges; a bidirectional edge is two.
// Structural input types so this module needs only the shape of the site map, not its loader.

export interface RoadNodeInput {
  id: string;
  /** The site map (floor) the node is on; x / y are in that map's frame. */
  map?: string;
  x: number;
  y: number;
  /** AGVs may pass but not stop here (see SiteNode.noStop). */
  noStop?: boolean;
}

export interface RoadEdgeInput {
  id?: string;
  from: string;
  to: string;
  length?: number;
  maxSpeed?: number;
  bidirectional?: boolean;
}

export interface RoadGraphInput {
  nodes: readonly RoadNodeInput[];
  edges: readonly RoadEdgeInput[];
}

export interface RoadArc {
  to: string;
  length: number;
  maxSpeed?: number;
  edgeId?: string;
}

export interface PathResult {
  path: string[];
  cost: number;
}

export interface PathOptions {
  /** Extra cost for entering a node (e.g. a penalty for nodes held by other AGVs). */
  nodePenalty?: (node: string) => number;
  /** Nodes that may not be entered (the goal included). */
  blocked?: (node: string) => boolean;
  /** Arcs that may not be driven. */
  closed?: (from: string, to: string) => boolean;
}

export class RoadGraph {
  private readonly nodes = new Map<string, RoadNodeInput>();
  private readonly out = new Map<string, RoadArc[]>();
  private readonly distanceCache = new Map<string, Map<string, number>>();

  constructor(input: RoadGraphInput) {
    for (const node of input.nodes) {
      this.nodes.set(node.id, node);
      this.out.set(node.id, []);
    }
    for (const edge of input.edges) {
      const a = this.nodes.get(edge.from);
      const b = this.nodes.get(edge.to);
      if (!a || !b) throw new Error(`edge ${edge.id ?? `${edge.from}->${edge.to}`} references an unknown node`);
      const length = edge.length ?? Math.hypot(a.x - b.x, a.y - b.y);
      this.out.get(edge.from)!.push({ to: edge.to, length, maxSpeed: edge.maxSpeed, edgeId: edge.id });
      if (edge.bidirectional) this.out.get(edge.to)!.push({ to: edge.from, length, maxSpeed: edge.maxSpeed, edgeId: edge.id });
    }
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  node(id: string): RoadNodeInput | undefined {
    return this.nodes.get(id);
  }

  nodeIds(): string[] {
    return [...this.nodes.keys()];
  }

  arcs(from: string): readonly RoadArc[] {
    return this.out.get(from) ?? [];
  }

  /** An edge id of the map, or `from->to`, resolved to its end nodes. */
  edgeEnds(edge: string): readonly [string, string] | undefined {
    for (const [from, arcs] of this.out) {
      for (const arc of arcs) {
        if (arc.edgeId === edge || `${from}->${arc.to}` === edge) return [from, arc.to];
      }
    }
    return undefined;
  }

  arc(from: string, to: string): RoadArc | undefined {
    return this.out.get(from)?.find((a) => a.to === to);
  }

  /** Nearest node to a point, e.g. to place an AGV that reports a pose but no node. */
  nearestNode(x: number, y: number): { id: string; distance: number } | undefined {
    let best: { id: string; distance: number } | undefined;
    for (const node of this.nodes.values()) {
      const d = Math.hypot(node.x - x, node.y - y);
      if (!best || d < best.distance) best = { id: node.id, distance: d };
    }
    return best;
  }

  /** Dijkstra from one node to another; undefined when unreachable. */
  shortestPath(from: string, to: string, options: PathOptions = {}): PathResult | undefined {
    if (!this.nodes.has(from) || !this.nodes.has(to)) return undefined;
    if (from === to) return { path: [from], cost: 0 };
    const dist = new Map<string, number>([[from, 0]]);
    const prev = new Map<string, string>();
    const heap = new MinHeap<string>();
    heap.push(0, from);
    while (heap.size > 0) {
      const { key, value: node } = heap.pop()!;
      if (key > (dist.get(node) ?? Infinity)) continue;
      if (node === to) break;
      for (const arc of this.arcs(node)) {
        if (options.blocked?.(arc.to) === true || options.closed?.(node, arc.to) === true) continue;
        const cost = key + arc.length + (options.nodePenalty?.(arc.to) ?? 0);
        if (cost < (dist.get(arc.to) ?? Infinity)) {
          dist.set(arc.to, cost);
          prev.set(arc.to, node);
          heap.push(cost, arc.to);
        }
      }
    }
    if (!dist.has(to)) return undefined;
    const path = [to];
    while (path[path.length - 1] !== from) path.push(prev.get(path[path.length - 1]!)!);
    return { path: path.reverse(), cost: dist.get(to)! };
  }

  /** Travel distance (m) from one node to another ignoring other AGVs; Infinity when unreachable. Cached per source. */
  distance(from: string, to: string): number {
    let table = this.distanceCache.get(from);
    if (!table) {
      table = this.singleSource(from);
      this.distanceCache.set(from, table);
    }
    return table.get(to) ?? Infinity;
  }

  private singleSource(from: string): Map<string, number> {
    const dist = new Map<string, number>([[from, 0]]);
    const heap = new MinHeap<string>();
    heap.push(0, from);
    while (heap.size > 0) {
      const { key, value: node } = heap.pop()!;
      if (key > (dist.get(node) ?? Infinity)) continue;
      for (const arc of this.arcs(node)) {
        const cost = key + arc.length;
        if (cost < (dist.get(arc.to) ?? Infinity)) {
          dist.set(arc.to, cost);
          heap.push(cost, arc.to);
        }
      }
    }
    return dist;
  }

  /** Length of a node path (m); throws when two consecutive nodes are not connected. */
  pathLength(path: readonly string[]): number {
    let total = 0;
    for (let i = 1; i < path.length; i++) {
      const arc = this.arc(path[i - 1]!, path[i]!);
      if (!arc) throw new Error(`no edge ${path[i - 1]} -> ${path[i]}`);
      total += arc.length;
    }
    return total;
  }
}
