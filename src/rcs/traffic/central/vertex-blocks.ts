import type { RoadmapGraph } from '../../../planner/index.ts';
import { blockerName, type BlockedResources, type ResourceBlock } from '../blocked-resources.ts';

// The blocks in force, by planner vertex: the reservation table asks per node on every check, so the string-keyed
// bookkeeping is turned into arrays each time the set of blocks changes (rarely, next to planning rounds).

/** What the reservation table consults besides other AGVs: nodes nobody but a block's holder may hold. */
export interface Barrier {
  /** `block:<id>` of a block that keeps agent off v, if any. */
  nodeBlocker(agent: string, v: number): string | undefined;
  /** Whether v is blocked for anyone at all (cheap pre-check). */
  isBlocked(v: number): boolean;
}

export class VertexBlocks implements Barrier {
  private atVertex: (readonly ResourceBlock[] | undefined)[] = [];
  private readonly atEdge = new Map<number, readonly ResourceBlock[]>();
  private walls: number[] = [];
  private wallEdges: number[] = [];

  constructor(
    private readonly roadmap: RoadmapGraph,
    private readonly blocks: BlockedResources,
  ) {
    this.sync();
  }

  /** Re-reads the blocks; call after every change. */
  sync(): void {
    const n = this.roadmap.graph.vertexCount;
    this.atVertex = new Array(n).fill(undefined);
    this.atEdge.clear();
    for (const [node, blocks] of this.blocks.nodes()) this.atVertex[this.roadmap.vertexOf(node)] = blocks;
    for (const { ends, blocks } of this.blocks.edges()) {
      const a = this.roadmap.vertexOf(ends[0]);
      const b = this.roadmap.vertexOf(ends[1]);
      this.atEdge.set(a * n + b, blocks);
      this.atEdge.set(b * n + a, blocks);
    }
    this.walls = [];
    for (let v = 0; v < n; v++) if (this.atVertex[v]) this.walls.push(v);
    this.wallEdges = [...this.atEdge.keys()];
  }

  nodeBlocker(agent: string, v: number): string | undefined {
    const block = this.atVertex[v]?.find((b) => b.holder !== agent);
    return block ? blockerName(block.id) : undefined;
  }

  isBlocked(v: number): boolean {
    return this.atVertex[v] !== undefined;
  }

  /** `block:<id>` of a block that keeps agent off the edge from u to v, if any. */
  edgeBlocker(agent: string, u: number, v: number): string | undefined {
    if (this.atEdge.size === 0) return undefined;
    const block = this.atEdge.get(u * this.roadmap.graph.vertexCount + v)?.find((b) => b.holder !== agent);
    return block ? blockerName(block.id) : undefined;
  }

  /** Blocked vertices, walls for obstacle-aware distances. */
  blockedVertices(): readonly number[] {
    return this.walls;
  }

  /** Blocked directed edges as `u * vertexCount + v`, closed for obstacle-aware distances. */
  blockedEdgeKeys(): readonly number[] {
    return this.wallEdges;
  }

  /** Whether the directed way u→v passes a blocked edge or ends on a blocked node for agent: the first blocker. */
  stepBlocker(agent: string, u: number, v: number): string | undefined {
    return this.edgeBlocker(agent, u, v) ?? this.nodeBlocker(agent, v);
  }
}
