import type { TrafficController } from '../traffic/types.ts';

// Taking over a site (failover or restart): every node the previous leader released and may still be driven is
// held again before anything new is granted. The releases come newest first, so a node released twice is given to
// the AGV it was released to last; the other had left it by then.

export interface RestoredHolds {
  /** AGV → the nodes it holds again. */
  restored: Map<string, string[]>;
  /** AGVs whose stored release could not be held at all (unknown nodes, or all taken by newer releases). */
  skipped: string[];
}

export function restoreHolds(traffic: TrafficController, releases: ReadonlyMap<string, readonly string[]>): RestoredHolds {
  const restored = new Map<string, string[]>();
  const skipped: string[] = [];
  if (!traffic.restore) return { restored, skipped: [...releases.keys()] };
  for (const [agvId, nodes] of releases) {
    const held = traffic.restore(agvId, nodes);
    if (held.length > 0) restored.set(agvId, held);
    else skipped.push(agvId);
  }
  return { restored, skipped };
}
