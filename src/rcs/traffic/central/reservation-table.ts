import { footprintsOverlap, NearbyNodes, type NodeXY } from '../../../planner/index.ts';
import { DEFAULT_RADIUS_M } from './footprint.ts';
import type { Barrier } from './vertex-blocks.ts';

// The reservation table is the safety layer: whatever the planner proposes, a node is only handed to an AGV when
// no other AGV holds it or any node its footprint would overlap. Each AGV holds a contiguous path: element 0 is
// the node it stands on (or last passed), the rest lie ahead in driving order. Holding both ends of every edge it
// drives makes edges exclusive as well, so head-on meetings and swaps on an edge cannot be granted.
// Blocked nodes (space granted to an AGV, obstacles, operator zones: see vertex-blocks.ts) are refused to everyone
// but the block's holder, and no other body may cover them.

export type HoldCheck = { ok: true } | { ok: false; blocker: string; node: number };

export class ReservationTable {
  private readonly owner: (string | undefined)[];
  private readonly paths = new Map<string, number[]>();
  private readonly radii = new Map<string, number>();
  private nearby: NearbyNodes;

  constructor(
    private readonly points: readonly NodeXY[],
    initialRadiusM: number,
    private readonly barrier?: Barrier,
  ) {
    this.owner = new Array(points.length).fill(undefined);
    this.nearby = new NearbyNodes(points, 2 * Math.max(initialRadiusM, DEFAULT_RADIUS_M));
  }

  setRadius(agent: string, radius: number): void {
    this.radii.set(agent, radius);
    // The neighbour index must reach as far as the two largest bodies together.
    let largest = 0;
    for (const r of this.radii.values()) largest = Math.max(largest, r);
    if (2 * largest > this.nearby.reach) this.nearby = new NearbyNodes(this.points, 2 * largest);
  }

  /** The neighbour index, covering the two largest bodies placed so far. */
  nearbyIndex(): NearbyNodes {
    return this.nearby;
  }

  radius(agent: string): number {
    return this.radii.get(agent) ?? DEFAULT_RADIUS_M;
  }

  ownerOf(v: number): string | undefined {
    return this.owner[v];
  }

  path(agent: string): readonly number[] {
    return this.paths.get(agent) ?? [];
  }

  agents(): IterableIterator<string> {
    return this.paths.keys();
  }

  has(agent: string): boolean {
    return this.paths.has(agent);
  }

  /** Whether agent may hold v: nobody else holds v, and no other holder's footprint overlaps agent's at v. */
  check(agent: string, v: number): HoldCheck {
    const holder = this.owner[v];
    if (holder !== undefined && holder !== agent) return { ok: false, blocker: holder, node: v };
    const barred = this.barrier?.nodeBlocker(agent, v);
    if (barred !== undefined) return { ok: false, blocker: barred, node: v };
    const mine = this.radius(agent);
    for (const { node, distance } of this.nearby.of(v)) {
      const other = this.owner[node];
      if (other === undefined || other === agent) {
        // A blocked node is a body of no size: the AGV's disc must not cover it.
        if (this.barrier?.isBlocked(node) === true && footprintsOverlap(distance, mine, 0)) {
          const block = this.barrier.nodeBlocker(agent, node);
          if (block !== undefined) return { ok: false, blocker: block, node };
        }
        continue;
      }
      if (footprintsOverlap(distance, mine, this.radius(other))) return { ok: false, blocker: other, node };
    }
    return { ok: true };
  }

  /**
   * Another AGV whose body, on a node other than v itself, would overlap agent's body at v: a footprint block, as
   * opposed to v simply being the next place in a queue (held by the AGV ahead, which moves on).
   */
  footprintBlocker(agent: string, v: number): string | undefined {
    const mine = this.radius(agent);
    for (const { node, distance } of this.nearby.of(v)) {
      const other = this.owner[node];
      if (other === undefined || other === agent || other === this.owner[v]) continue;
      if (footprintsOverlap(distance, mine, this.radius(other))) return other;
    }
    return undefined;
  }

  /** Whether other holds v, or a node where its body overlaps agent's body at v. */
  blocks(other: string, agent: string, v: number): boolean {
    if (this.owner[v] === other) return true;
    const mine = this.radius(agent);
    const theirs = this.radius(other);
    for (const { node, distance } of this.nearby.of(v)) {
      if (this.owner[node] === other && footprintsOverlap(distance, mine, theirs)) return true;
    }
    return false;
  }

  /** Starts (or restarts) an agent's path at v. The caller has checked v; the old path is released. */
  place(agent: string, v: number): void {
    this.releaseAll(agent);
    this.paths.set(agent, [v]);
    this.owner[v] = agent;
  }

  /** Extends the agent's path by v (checked by the caller). */
  append(agent: string, v: number): void {
    const path = this.paths.get(agent);
    if (!path) throw new Error(`agent ${agent} has no path to extend`);
    path.push(v);
    this.owner[v] = agent;
  }

  /** The agent reached path[index]: everything before it is released. */
  advanceTo(agent: string, index: number): void {
    const path = this.paths.get(agent);
    if (!path || index <= 0) return;
    const passed = path.splice(0, index);
    for (const v of passed) if (!path.includes(v) && this.owner[v] === agent) this.owner[v] = undefined;
  }

  releaseAll(agent: string): void {
    const path = this.paths.get(agent);
    if (!path) return;
    for (const v of path) if (this.owner[v] === agent) this.owner[v] = undefined;
    this.paths.delete(agent);
  }

  forget(agent: string): void {
    this.releaseAll(agent);
    this.radii.delete(agent);
  }

}
