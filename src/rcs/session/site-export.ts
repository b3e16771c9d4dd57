import { formatVersion, SUPPORTED_VERSIONS } from '../../protocol/index.ts';
import { mm, mrad } from './convert.ts';
import type { SiteNumbering } from './site-numbering.ts';

// The two numbered views of the site map (docs/protocol.md §6, "Numbering"): the site map as the API serves it,
// with the wire number next to each name, and the export a vendor loads onto its AGVs, in protocol units.

/** Format tag of the export; a change that breaks readers gets a new number. */
export const SITE_EXPORT_FORMAT = 'unifleet-site-export/1';

export function mapHashHex(hash: number): string {
  return hash.toString(16).padStart(8, '0');
}

/** The site map (metres, radians) with each node, edge and station's wire number, and the map's number and hash. */
export function numberedSite(numbering: SiteNumbering): Record<string, unknown> {
  const { site } = numbering;
  return {
    ...site,
    mapNumber: numbering.mapNumber,
    mapHash: numbering.mapHash,
    maps: site.maps.map((m) => ({ ...m, number: numbering.mapNumberOf(m.id) })),
    nodes: site.nodes.map((n) => ({ ...n, number: numbering.nodeNumber(n.id) })),
    edges: site.edges.map((e) => ({ ...e, number: numbering.edgeNumber(e.from, e.to) })),
    stations: site.stations.map((s) => ({ ...s, number: numbering.stationNumber(s.id) })),
  };
}

/** What an AGV needs to read the platform's numbers: every node, edge and station by number, in mm, mrad, mm/s. */
export function siteExport(numbering: SiteNumbering): Record<string, unknown> {
  const { site } = numbering;
  const node = (id: string) => numbering.nodeNumber(id);
  return {
    format: SITE_EXPORT_FORMAT,
    protocolVersions: SUPPORTED_VERSIONS.map(formatVersion),
    siteId: site.id,
    name: site.name,
    mapId: numbering.mapNumber,
    mapHash: numbering.mapHash,
    mapHashHex: mapHashHex(numbering.mapHash),
    nodes: site.nodes.map((n) => ({
      nodeId: node(n.id),
      name: n.id,
      mapId: numbering.mapNumberOfNode(n.id),
      x: mm(n.x),
      y: mm(n.y),
      theta: n.theta === undefined ? null : mrad(n.theta),
      kind: n.kind,
      noStop: n.noStop === true,
    })),
    edges: site.edges.map((e) => ({
      edgeId: numbering.edgeNumber(e.from, e.to),
      name: e.id,
      startNodeId: node(e.from),
      endNodeId: node(e.to),
      length: mm(e.length),
      maxSpeed: mm(e.maxSpeed),
      bidirectional: e.bidirectional === true,
      kind: e.kind ?? 'drive',
    })),
    maps: site.maps.map((m) => ({ mapId: numbering.mapNumberOf(m.id), name: m.name, building: m.building ?? null, floor: m.floor ?? null })),
    stations: site.stations.map((s) => ({ stationId: numbering.stationNumber(s.id), name: s.id, nodeId: node(s.node), kind: s.kind })),
    chargers: site.chargers.map((c) => ({ chargerId: node(c.node), name: c.id, nodeId: node(c.node) })),
    parking: site.parking.map((p) => ({ name: p.id, nodeId: node(p.node) })),
  };
}
