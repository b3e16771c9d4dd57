import { createHash } from 'node:crypto';
import type { SiteMap } from '../site/types.ts';

// The site map names nodes, edges and stations with strings; the protocol carries u32 ids. The numbering is the
// 1-based position in the site map file, so both ends derive the same numbers from the same map. The map hash
// names that exact map: an AGV holding another version of it would read every number differently.

/** JSON with object keys sorted at every level and no whitespace: the same map always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The map hash of protocol 1.1: the first 4 bytes (big-endian u32) of SHA-256 over the map's canonical JSON. */
export function siteMapHash(site: SiteMap): number {
  return createHash('sha256').update(canonicalJson(site), 'utf8').digest().readUInt32BE(0);
}

export class SiteNumbering {
  /** The wire number of the site's first map (the one map of a single-map site). */
  readonly mapNumber: number;
  readonly mapHash: number;
  private readonly nodeNumbers = new Map<string, number>();
  private readonly nodeIds: string[] = [];
  private readonly edgeNumbers = new Map<string, number>();
  private readonly edgeLimits = new Map<string, number>();
  private readonly stationNumbers = new Map<string, number>();
  private readonly stationIds: string[] = [];
  /** Map ids by wire number - 1: a map's number is its 1-based position in the site's `maps`. */
  private readonly mapIds: string[];
  private readonly mapOfNode = new Map<string, string>();

  constructor(
    readonly site: SiteMap,
    mapNumber = 1,
  ) {
    this.mapNumber = mapNumber;
    this.mapHash = siteMapHash(site);
    // A single-map site keeps the number it is given (mapNumber), as before maps were listed.
    this.mapIds = site.maps.length === 1 ? [] : site.maps.map((m) => m.id);
    if (site.maps.length === 1) this.mapIds[mapNumber - 1] = site.maps[0]!.id;
    site.nodes.forEach((n, i) => {
      this.nodeNumbers.set(n.id, i + 1);
      this.nodeIds.push(n.id);
      this.mapOfNode.set(n.id, n.map);
    });
    site.edges.forEach((e, i) => {
      for (const key of e.bidirectional ? [`${e.from}\u0000${e.to}`, `${e.to}\u0000${e.from}`] : [`${e.from}\u0000${e.to}`]) {
        this.edgeNumbers.set(key, i + 1);
        this.edgeLimits.set(key, e.maxSpeed);
      }
    });
    site.stations.forEach((s, i) => {
      this.stationNumbers.set(s.id, i + 1);
      this.stationIds.push(s.id);
    });
  }

  nodeNumber(id: string): number {
    const n = this.nodeNumbers.get(id);
    if (n === undefined) throw new Error(`unknown node ${id}`);
    return n;
  }

  /** Site node id for a wire number; undefined for 0 or an unknown number. */
  nodeId(num: number): string | undefined {
    return num >= 1 ? this.nodeIds[num - 1] : undefined;
  }

  /** Wire number of a map id; 0 for an unknown map. */
  mapNumberOf(mapId: string): number {
    return this.mapIds.indexOf(mapId) + 1;
  }

  /** Map id of a wire map number; undefined for an unknown number. */
  mapIdOf(num: number): string | undefined {
    return num >= 1 ? this.mapIds[num - 1] : undefined;
  }

  /** Wire number of the map a node is on. */
  mapNumberOfNode(nodeId: string): number {
    const map = this.mapOfNode.get(nodeId);
    return map === undefined ? this.mapNumber : this.mapNumberOf(map);
  }

  edgeNumber(from: string, to: string): number {
    return this.edgeNumbers.get(`${from}\u0000${to}`) ?? 0;
  }

  /** The site's speed limit (m/s) on the edge from → to; undefined when the map has no such edge. */
  edgeSpeedLimit(from: string, to: string): number | undefined {
    return this.edgeLimits.get(`${from}\u0000${to}`);
  }

  stationNumber(id: string): number {
    return this.stationNumbers.get(id) ?? 0;
  }

  stationId(num: number): string | undefined {
    return num >= 1 ? this.stationIds[num - 1] : undefined;
  }
}
