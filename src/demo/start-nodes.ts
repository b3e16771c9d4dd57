import type { SiteMap } from '../rcs/site/types.ts';

/** Parking, then charger spots, taking the site's maps in turn: a simulated fleet started on them is spread over every floor. */
export function startNodesByFloor(site: SiteMap): string[] {
  const spots = [...site.parking.map((p) => p.node), ...site.chargers.map((c) => c.node)];
  const mapOf = new Map(site.nodes.map((n) => [n.id, n.map]));
  const perMap = site.maps.map((m) => spots.filter((s) => mapOf.get(s) === m.id));
  const longest = Math.max(...perMap.map((l) => l.length));
  const order: string[] = [];
  for (let i = 0; i < longest; i++) for (const list of perMap) if (i < list.length) order.push(list[i]!);
  return order;
}
