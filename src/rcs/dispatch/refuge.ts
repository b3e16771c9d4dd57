import type { RoadGraph } from '../traffic/road-graph.ts';
import type { TrafficController } from '../traffic/types.ts';

/**
 * Where an idle AGV standing in someone's way should go: the nearest free parking spot, else any free neighbour.
 * Free means nobody holds it, nobody else is heading there, and the waiting AGV does not hold it.
 */
export function findRefuge(
  graph: RoadGraph,
  traffic: TrafficController,
  parkingNodes: readonly string[],
  from: string,
  waiterHeld: ReadonlySet<string>,
  claimed: ReadonlySet<string>,
): string | undefined {
  const free = (n: string) => n !== from && !waiterHeld.has(n) && !claimed.has(n) && traffic.heldBy(n) === undefined;
  let best: string | undefined;
  let bestCost = Infinity;
  for (const n of parkingNodes) {
    const cost = graph.distance(from, n);
    if (free(n) && cost < bestCost) {
      best = n;
      bestCost = cost;
    }
  }
  if (best !== undefined) return best;
  for (const arc of graph.arcs(from)) if (free(arc.to)) return arc.to;
  return undefined;
}
