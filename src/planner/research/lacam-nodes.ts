// Search-node storage for LaCAM: high-level nodes (joint configurations) and low-level constraint nodes, plus a
// hash table of explored configurations. Configurations are typed arrays, 16-bit when the graph allows.

export type Config = Uint16Array | Uint32Array;

/** Low-level node: "agent `who` moves to `where`", chained to its parent's constraints (no copying). */
export class LowNode {
  constructor(
    readonly parent: LowNode | null,
    readonly who: number,
    readonly where: number,
    readonly depth: number,
  ) {}
}

/** High-level node: one joint configuration with its lazily expanded constraint tree. */
export class HighNode {
  parent: HighNode | null;
  g: number;
  f: number;
  /** Configurations reached from this one (edges of the explored graph, used when costs are rewritten). */
  readonly successors: HighNode[] = [];
  /** Agent order by decreasing priority; built on first expansion. */
  order: Uint16Array | Uint32Array | null = null;
  /** FIFO of low-level nodes still to try. */
  private readonly tree: LowNode[] = [new LowNode(null, -1, -1, 0)];
  private treeHead = 0;
  /** Next node in the same hash bucket. */
  nextInBucket: HighNode | null = null;

  constructor(
    readonly config: Config,
    readonly hash: number,
    parent: HighNode | null,
    g: number,
    readonly h: number,
    readonly priorities: Float32Array,
  ) {
    this.parent = parent;
    this.g = g;
    this.f = g + h;
    if (parent) parent.successors.push(this);
  }

  get hasLowNodes(): boolean {
    return this.treeHead < this.tree.length;
  }

  popLowNode(): LowNode {
    const node = this.tree[this.treeHead++]!;
    // Compact now and then so the consumed prefix can be collected.
    if (this.treeHead > 1024 && this.treeHead * 2 > this.tree.length) {
      this.tree.splice(0, this.treeHead);
      this.treeHead = 0;
    }
    return node;
  }

  pushLowNode(node: LowNode): void {
    this.tree.push(node);
  }

  addSuccessor(node: HighNode): void {
    if (!this.successors.includes(node)) this.successors.push(node);
  }
}

export function hashConfig(config: ArrayLike<number>): number {
  let h = 0x811c9dc5 ^ config.length;
  for (let i = 0; i < config.length; i++) {
    h = Math.imul(h ^ config[i]!, 0x9e3779b1);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** Explored configurations, keyed by content. */
export class ConfigTable {
  private readonly buckets = new Map<number, HighNode>();
  size = 0;

  find(config: ArrayLike<number>, hash: number): HighNode | null {
    for (let node = this.buckets.get(hash) ?? null; node; node = node.nextInBucket) {
      if (sameConfig(node.config, config)) return node;
    }
    return null;
  }

  insert(node: HighNode): void {
    node.nextInBucket = this.buckets.get(node.hash) ?? null;
    this.buckets.set(node.hash, node);
    this.size++;
  }
}

function sameConfig(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
