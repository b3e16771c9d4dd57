// Resources taken out of the pool: nodes and edges that traffic control must not grant to anyone but the block's
// holder. Space granted to an AGV, obstacles reported on the map and operator zones are all kept as blocks; the
// controllers plan around them and refuse every grant that would enter them.
//
// A block takes effect for new grants at once. Nodes an AGV already held when the block appeared stay its own
// (it was sent a path over them and may be driving there): it finishes leaving unless the caller stops it (see
// docs/traffic.md, "Blocked resources").

export interface ResourceBlock {
  id: string;
  nodes: readonly string[];
  /** Edge ids of the site map, or `from->to`; a blocked edge is closed in both directions. */
  edges: readonly string[];
  /** The AGV that may still use the blocked resources (e.g. the one a space was granted to). */
  holder?: string;
}

/** Prefix of the `blockedBy` a waiting AGV reports when a block, not another AGV, keeps it out. */
export const BLOCK_PREFIX = 'block:';

export function blockerName(blockId: string): string {
  return BLOCK_PREFIX + blockId;
}

/** Site edges by id and by `from->to`, resolved to their two end nodes. */
export type EdgeResolver = (edge: string) => readonly [string, string] | undefined;

export function edgeResolver(edges: readonly { id?: string; from: string; to: string; bidirectional?: boolean }[]): EdgeResolver {
  const byName = new Map<string, readonly [string, string]>();
  for (const e of edges) {
    const ends = [e.from, e.to] as const;
    if (e.id !== undefined) byName.set(e.id, ends);
    byName.set(`${e.from}->${e.to}`, ends);
    if (e.bidirectional === true) byName.set(`${e.to}->${e.from}`, ends);
  }
  return (edge) => byName.get(edge);
}

function edgeKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** The blocks in force, indexed by node and by (undirected) edge. */
export class BlockedResources {
  private readonly blocks = new Map<string, ResourceBlock>();
  private byNode = new Map<string, ResourceBlock[]>();
  private byEdge = new Map<string, { ends: readonly [string, string]; blocks: ResourceBlock[] }>();

  constructor(
    private readonly hasNode: (node: string) => boolean,
    private readonly resolveEdge: EdgeResolver,
  ) {}

  /** Adds the block (replacing one with the same id). Throws, changing nothing, when it names unknown nodes or edges. */
  add(block: ResourceBlock): void {
    if (block.id.length === 0) throw new Error('a block needs a non-empty id');
    const unknownNodes = block.nodes.filter((n) => !this.hasNode(n));
    const unknownEdges = block.edges.filter((e) => this.resolveEdge(e) === undefined);
    if (unknownNodes.length > 0 || unknownEdges.length > 0) {
      throw new Error(`block ${block.id} names unknown ${[...unknownNodes.map((n) => `node ${n}`), ...unknownEdges.map((e) => `edge ${e}`)].join(', ')}`);
    }
    this.blocks.set(block.id, { id: block.id, nodes: [...block.nodes], edges: [...block.edges], ...(block.holder !== undefined ? { holder: block.holder } : {}) });
    this.reindex();
  }

  remove(id: string): boolean {
    const removed = this.blocks.delete(id);
    if (removed) this.reindex();
    return removed;
  }

  get(id: string): ResourceBlock | undefined {
    return this.blocks.get(id);
  }

  list(): readonly ResourceBlock[] {
    return [...this.blocks.values()];
  }

  /** The id of a block that keeps agvId off node, if any. */
  nodeBlocker(node: string, agvId: string): string | undefined {
    return this.byNode.get(node)?.find((b) => b.holder !== agvId)?.id;
  }

  /** The id of a block that keeps agvId off the edge between a and b (either direction), if any. */
  edgeBlocker(a: string, b: string, agvId: string): string | undefined {
    return this.byEdge.get(edgeKey(a, b))?.blocks.find((block) => block.holder !== agvId)?.id;
  }

  /** Every blocked node with the blocks on it. */
  nodes(): ReadonlyMap<string, readonly ResourceBlock[]> {
    return this.byNode;
  }

  /** Every blocked edge as its two end nodes, with the blocks on it. */
  edges(): Iterable<{ ends: readonly [string, string]; blocks: readonly ResourceBlock[] }> {
    return this.byEdge.values();
  }

  private reindex(): void {
    this.byNode = new Map();
    this.byEdge = new Map();
    for (const block of this.blocks.values()) {
      for (const node of new Set(block.nodes)) push(this.byNode, node, block);
      const seen = new Set<string>();
      for (const edge of block.edges) {
        const ends = this.resolveEdge(edge)!;
        const key = edgeKey(ends[0], ends[1]);
        if (seen.has(key)) continue;
        seen.add(key);
        const entry = this.byEdge.get(key);
        if (entry) entry.blocks.push(block);
        else this.byEdge.set(key, { ends, blocks: [block] });
      }
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
