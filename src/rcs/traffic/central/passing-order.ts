import type { AgentState, Claim } from './agent-state.ts';
import type { ReservationTable } from './reservation-table.ts';

// Passing order (after the Action Dependency Graph, Hönig et al. 2019): when a proposed node cannot be granted yet,
// the AGV that was planned into it first claims it, and nobody else is granted that node while the claim stands.
// A claim lasts while its AGV keeps asking (it is renewed every round it still waits) and ends when the node is
// granted to it, it is sent elsewhere, or it leaves.

export class PassingOrder {
  /** Claims by node; deadlock resolution reads and moves them too. */
  readonly claims = new Map<number, Claim>();

  constructor(
    private readonly table: ReservationTable,
    private readonly agents: ReadonlyMap<string, AgentState>,
  ) {}

  /**
   * Another AGV whose standing claim on v keeps agvId out of it. A claim never binds the AGV the claimant waits
   * for, nor one that stands in the claimant's way at v (holds or covers it): those have to pass first, or the
   * two would wait on each other.
   */
  claimantOf(v: number, agvId: string, round: number): string | undefined {
    const claim = this.claims.get(v);
    if (!claim || claim.agvId === agvId || claim.blockedBy === agvId || claim.round < round - 1 || !this.agents.has(claim.agvId)) return undefined;
    return this.table.blocks(agvId, claim.agvId, v) ? undefined : claim.agvId;
  }

  /**
   * Claims the way from its first node that cannot be granted now to its end. Claiming the rest of a noStop run
   * too matters when merging from a bay onto a busy lane: the lane has to leave a gap at the merge.
   */
  claimBlockedWay(round: number, agvId: string, way: readonly number[]): void {
    for (let k = 0; k < way.length; k++) {
      const check = this.table.check(agvId, way[k]!);
      if (check.ok) continue;
      const claimed = way.slice(k);
      // Covered by a body passing on a crossing lane: claim the node it covers from too, or the crossing stream
      // would never leave a gap (the AGV there now is not bound; the next one stops before it).
      if (check.node !== way[k]) claimed.push(check.node);
      for (const v of claimed) if (this.claimantOf(v, agvId, round) === undefined) this.claims.set(v, { agvId, round, blockedBy: check.blocker });
      return;
    }
  }

  /** The node was granted: its claim is fulfilled. */
  granted(v: number): void {
    this.claims.delete(v);
  }

  dropFor(agvId: string): void {
    for (const [node, claim] of this.claims) if (claim.agvId === agvId) this.claims.delete(node);
  }

  /** Drops claims on these nodes except the holder's (they became blocked: nobody else gets them anyway). */
  dropOn(vertices: readonly number[], holder: string | undefined): void {
    for (const v of vertices) {
      const claim = this.claims.get(v);
      if (claim && claim.agvId !== holder) this.claims.delete(v);
    }
  }
}
