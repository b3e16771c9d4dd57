import type { RoadEdgeInput } from '../road-graph.ts';

/**
 * Ids of the nodes where one-way lanes merge, split or cross (two or more one-way edges in, or out). Two-way spurs
 * (to a charger or parking spot) do not count: they are side branches that are rarely used, and counting them would
 * make whole roads lined with spurs junctions.
 */
export function oneWayJunctions(edges: readonly RoadEdgeInput[]): Set<string> {
  const ins = new Map<string, number>();
  const outs = new Map<string, number>();
  for (const e of edges) {
    if (e.bidirectional === true) continue;
    outs.set(e.from, (outs.get(e.from) ?? 0) + 1);
    ins.set(e.to, (ins.get(e.to) ?? 0) + 1);
  }
  const junctions = new Set<string>();
  for (const [id, n] of outs) if (n >= 2) junctions.add(id);
  for (const [id, n] of ins) if (n >= 2) junctions.add(id);
  return junctions;
}
