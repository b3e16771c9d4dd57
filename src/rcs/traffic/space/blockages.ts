import type { RoadGraphInput } from '../road-graph.ts';
import type { TrafficController } from '../types.ts';
import { segmentAreaDistance, type Pt } from '../../../core/geometry.ts';

// Blockages AGVs report (an obstacle they cannot pass, protocol blockageReport): each becomes a block in traffic
// control, so every AGV is planned around it, and stays marked on the map until an operator clears it.

export interface Blockage {
  id: string;
  reportedBy: string;
  reportedAtMs: number;
  nodes: string[];
  /** Blocked edges as `from->to` (closed both ways). */
  edges: string[];
  /** Outline of the obstacle as reported (metres), empty when only nodes and edges were given. */
  polygon: Pt[];
  detail: string;
}

export interface BlockageReport {
  nodes: readonly string[];
  /** Edges as their two end nodes, either direction. */
  edges: readonly (readonly [string, string])[];
  polygon: readonly Pt[];
  detail: string;
}

export class BlockageError extends Error {
  override readonly name = 'BlockageError';
}

export class ReportedBlockages {
  private readonly records = new Map<string, Blockage>();
  private readonly points = new Map<string, Pt>();
  private readonly edgeList: { name: string; from: string; to: string; a: Pt; b: Pt }[];
  private counter = 0;

  constructor(
    private readonly traffic: TrafficController,
    site: RoadGraphInput,
  ) {
    for (const n of site.nodes) this.points.set(n.id, { x: n.x, y: n.y });
    this.edgeList = site.edges.map((e) => ({ name: `${e.from}->${e.to}`, from: e.from, to: e.to, a: this.points.get(e.from)!, b: this.points.get(e.to)! }));
  }

  /** Marks a reported blockage; throws BlockageError (nothing marked) when it names nothing known. */
  report(agvId: string, report: BlockageReport, nowMs: number): Blockage {
    const unknown = report.nodes.filter((n) => !this.points.has(n));
    if (unknown.length > 0) throw new BlockageError(`unknown nodes: ${unknown.join(', ')}`);
    const edges = new Set<string>();
    for (const [from, to] of report.edges) {
      const edge = this.edgeList.find((e) => (e.from === from && e.to === to) || (e.from === to && e.to === from));
      if (!edge) throw new BlockageError(`no edge between ${from} and ${to}`);
      edges.add(edge.name);
    }
    const nodes = new Set(report.nodes);
    if (report.polygon.length > 0) {
      if (report.polygon.length < 3) throw new BlockageError('an outline needs at least 3 points');
      const area = { polygon: report.polygon, capsules: [] };
      for (const [id, p] of this.points) if (segmentAreaDistance(p, p, area) === 0) nodes.add(id);
      for (const e of this.edgeList) if (segmentAreaDistance(e.a, e.b, area) === 0) edges.add(e.name);
    }
    if (nodes.size === 0 && edges.size === 0) throw new BlockageError('the blockage covers no node or edge of the map');
    const blockage: Blockage = {
      id: `blockage-${++this.counter}`,
      reportedBy: agvId,
      reportedAtMs: nowMs,
      nodes: [...nodes],
      edges: [...edges],
      polygon: [...report.polygon],
      detail: report.detail,
    };
    this.traffic.blockResources({ id: blockage.id, nodes: blockage.nodes, edges: blockage.edges });
    this.records.set(blockage.id, blockage);
    return blockage;
  }

  list(): Blockage[] {
    return [...this.records.values()];
  }

  /** Clears a blockage: its nodes and edges return to the pool at once. False when there is none with that id. */
  clear(id: string): boolean {
    if (!this.records.delete(id)) return false;
    this.traffic.unblockResources(id);
    return true;
  }
}
