// Graph checks a map author (and the tests) want: can every node be reached from every other one?

import type { SiteMap } from './types.ts';

function adjacency(site: SiteMap, reverse: boolean): Map<string, string[]> {
  const out = new Map<string, string[]>(site.nodes.map((n) => [n.id, []]));
  for (const e of site.edges) {
    const [a, b] = reverse ? [e.to, e.from] : [e.from, e.to];
    out.get(a)!.push(b);
    if (e.bidirectional) out.get(b)!.push(a);
  }
  return out;
}

/** Node ids reachable from `start` along the edges' allowed directions (start included). */
export function reachableFrom(site: SiteMap, start: string, reverse = false): Set<string> {
  const adj = adjacency(site, reverse);
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    for (const next of adj.get(stack.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

/**
 * Nodes that are not mutually reachable with the first node (strong connectivity). An AGV that enters such a node
 * could get stuck, or could never get there; an empty list means every node can reach every other one.
 */
export function unreachableNodes(site: SiteMap): string[] {
  if (site.nodes.length === 0) return [];
  const root = site.nodes[0]!.id;
  const forward = reachableFrom(site, root);
  const backward = reachableFrom(site, root, true);
  return site.nodes.filter((n) => !forward.has(n.id) || !backward.has(n.id)).map((n) => n.id);
}
