import type { VendorProfile } from '../../../agv/sim/profiles.ts';
import type { SiteMap } from '../../site/types.ts';
import type { SimAgvSpec, SimTask } from './simulation.ts';
import { seededRandom as seeded } from '../../../core/random.ts';
import { oneWayJunctions } from './junctions.ts';

// Fleets and task streams for simulated runs: deterministic from a seed, so a benchmark or test run can be repeated.

export interface FleetMix {
  profile: VendorProfile;
  count: number;
}

/**
 * Builds AGVs of the given mix with speed factors in [minSpeed, 1], standing on distinct nodes whose footprints
 * (discs of half the longest side) do not overlap. Spur nodes (stations, parking) are used last so that the
 * first tasks do not start with blocked stations. Throws when the map cannot hold them.
 */
export function buildFleet(site: SiteMap, mix: readonly FleetMix[], seed: number, minSpeed = 0.6): SimAgvSpec[] {
  const random = seeded(seed);
  const special = new Set([...site.stations.map((s) => s.node), ...site.chargers.map((c) => c.node)]);
  // Never start where traffic control would not let an AGV wait: noStop nodes, junctions (one-way lanes merge,
  // split or cross) and, for a body that would cover one, next to a junction.
  const junctions = [...oneWayJunctions(site.edges)].map((id) => site.nodes.find((n) => n.id === id)!);
  const junctionDistance = new Map(site.nodes.map((n) => [n.id, Math.min(...junctions.map((j) => Math.hypot(j.x - n.x, j.y - n.y)))]));
  const candidates = site.nodes.filter((n) => n.noStop !== true && junctionDistance.get(n.id)! > 0).sort((a, b) => Number(special.has(a.id)) - Number(special.has(b.id)) || a.y - b.y || a.x - b.x);
  const placed: { x: number; y: number; r: number }[] = [];
  const agvs: SimAgvSpec[] = [];
  // Interleave vendors so each region of the map gets a mix.
  const queue: VendorProfile[] = [];
  const left = mix.map((m) => m.count);
  while (left.some((n) => n > 0)) {
    mix.forEach((m, i) => {
      if (left[i]! > 0) {
        queue.push(m.profile);
        left[i]!--;
      }
    });
  }
  let next = 0;
  // A start must not already be a mutual footprint block (two bodies each covering the node the other needs): on
  // big bodies keep one node of slack between starts.
  for (const profile of queue) {
    const margin = 2 * Math.max(profile.lengthM, profile.widthM) / 2 > 1 ? 1 : 0;
    const r = Math.max(profile.lengthM, profile.widthM) / 2;
    let start: string | undefined;
    for (let k = 0; k < candidates.length; k++) {
      const node = candidates[(next + k) % candidates.length]!;
      if (placed.some((p) => Math.hypot(p.x - node.x, p.y - node.y) < p.r + r + margin - 1e-9)) continue;
      if (junctionDistance.get(node.id)! < 2 * r - 1e-9) continue;
      start = node.id;
      placed.push({ x: node.x, y: node.y, r });
      next = (next + k + 1) % candidates.length;
      break;
    }
    if (start === undefined) throw new Error(`the map has no room for AGV ${agvs.length + 1} (${profile.vendor})`);
    const speedFactor = minSpeed + random() * (1 - minSpeed);
    agvs.push({ id: `${profile.vendor.split(' ')[0]!.toLowerCase()}-${String(agvs.length + 1).padStart(3, '0')}`, profile, speedFactor, start });
  }
  return agvs;
}

/**
 * count pick→drop tasks between random pick and drop stations of the site. On a site of several maps a task's drop
 * is on the pick's map, except for a `crossFloorShare` of the tasks (default 0), whose drop is on another map.
 */
export function buildTasks(site: SiteMap, count: number, seed: number, options: { crossFloorShare?: number } = {}): SimTask[] {
  const random = seeded(seed);
  const picks = site.stations.filter((s) => s.kind !== 'drop').map((s) => s.node);
  const drops = site.stations.filter((s) => s.kind !== 'pick').map((s) => s.node);
  if (site.maps.length <= 1) {
    return Array.from({ length: count }, (_, id) => ({
      id,
      pick: picks[Math.floor(random() * picks.length)]!,
      drop: drops[Math.floor(random() * drops.length)]!,
    }));
  }
  const mapOf = new Map(site.nodes.map((n) => [n.id, n.map]));
  const share = options.crossFloorShare ?? 0;
  return Array.from({ length: count }, (_, id) => {
    const pick = picks[Math.floor(random() * picks.length)]!;
    const cross = random() < share;
    const candidates = drops.filter((d) => (mapOf.get(d) !== mapOf.get(pick)) === cross);
    const from = candidates.length > 0 ? candidates : drops;
    return { id, pick, drop: from[Math.floor(random() * from.length)]! };
  });
}
