import type { SiteMap } from '../site/types.ts';
import type { ZoneRecord, ZoneType } from '../store/types.ts';
import { coverage, selfIntersects, type Point } from './geometry.ts';

// Operator zones (docs/api.md, "Zones"): what each type means, how a request is checked against the site, and which
// nodes and edges a stored zone covers. Pure: the service applies them to traffic and orders.
//
// - blocked: nobody is planned into it; AGVs inside finish leaving (mode 'leave') or are paused where they are
//   (mode 'stop') until the zone is removed.
// - speedLimit: orders carry maxSpeed (m/s) as the edge speed limit on every covered edge.
// - oneWay: the edges along `path` may only be driven in the path's direction.
// - maxOccupancy: at most maxAgvs AGVs inside at once; others wait at its edge.

export const ZONE_TYPES: readonly ZoneType[] = ['blocked', 'speedLimit', 'oneWay', 'maxOccupancy'];
export type BlockMode = 'leave' | 'stop';

/** What an operator sends to create a zone (the API schema checks the shape; checkZone the meaning). */
export interface ZoneInput {
  type: ZoneType;
  name: string;
  reason?: string;
  nodes?: string[];
  edges?: string[];
  polygon?: Point[];
  mode?: BlockMode;
  maxSpeed?: number;
  path?: string[];
  maxAgvs?: number;
}

/** The stored definition: the input's area and type fields, defaults filled in. */
export interface ZoneDefinition {
  nodes: string[];
  edges: string[];
  polygon: Point[];
  reason: string;
  mode?: BlockMode;
  maxSpeed?: number;
  path?: string[];
  maxAgvs?: number;
  /** AGVs a 'stop' block paused when it was created: resumed when it is removed, after a restart too. */
  paused?: string[];
}

export interface Zone extends ZoneDefinition {
  id: string;
  type: ZoneType;
  name: string;
  createdBy: string;
  createdAt: number;
  /** Nodes and edges of the site it covers (given ones, those in its polygon, edges between covered nodes). */
  covered: { nodes: string[]; edges: string[] };
}

/** Problems with an input, one sentence each; empty when it can be created. */
export function checkZone(input: ZoneInput, site: SiteMap): string[] {
  const problems: string[] = [];
  const nodeIds = new Set(site.nodes.map((n) => n.id));
  const edgeIds = new Set(site.edges.map((e) => e.id));
  const unknownNodes = [...(input.nodes ?? []), ...(input.path ?? [])].filter((n) => !nodeIds.has(n));
  const unknownEdges = (input.edges ?? []).filter((e) => !edgeIds.has(e));
  if (unknownNodes.length > 0) problems.push(`unknown node ${[...new Set(unknownNodes)].join(', ')}`);
  if (unknownEdges.length > 0) problems.push(`unknown edge ${unknownEdges.join(', ')}`);
  const polygon = input.polygon ?? [];
  if (polygon.length > 0 && polygon.length < 3) problems.push('polygon needs at least 3 points');
  if (polygon.length >= 3 && selfIntersects(polygon)) problems.push('polygon sides cross each other');
  const fieldsOf: Record<ZoneType, (keyof ZoneInput)[]> = { blocked: ['mode'], speedLimit: ['maxSpeed'], oneWay: ['path'], maxOccupancy: ['maxAgvs'] };
  for (const [type, fields] of Object.entries(fieldsOf)) {
    if (type === input.type) continue;
    for (const f of fields) if (input[f] !== undefined) problems.push(`${f} belongs to ${type} zones, not ${input.type}`);
  }
  for (const f of fieldsOf[input.type]) if (input[f] === undefined && f !== 'mode') problems.push(`${input.type} zones need ${f}`);
  if (input.type === 'oneWay') {
    if ((input.nodes?.length ?? 0) > 0 || (input.edges?.length ?? 0) > 0 || polygon.length > 0) problems.push('oneWay zones are given by path only');
    if (input.path && unknownNodes.length === 0) problems.push(...checkPath(input.path, site));
  } else if ((input.nodes?.length ?? 0) + (input.edges?.length ?? 0) + polygon.length === 0) {
    problems.push('give the area: nodes, edges or polygon');
  } else if (problems.length === 0 && covers(input, site).nodes.length + covers(input, site).edges.length === 0) {
    problems.push('the polygon covers no node or edge of the site');
  }
  return problems;
}

export function definitionOf(input: ZoneInput): ZoneDefinition {
  const def: ZoneDefinition = { nodes: input.nodes ?? [], edges: input.edges ?? [], polygon: input.polygon ?? [], reason: input.reason ?? '' };
  if (input.type === 'blocked') def.mode = input.mode ?? 'leave';
  if (input.maxSpeed !== undefined) def.maxSpeed = input.maxSpeed;
  if (input.path !== undefined) def.path = input.path;
  if (input.maxAgvs !== undefined) def.maxAgvs = input.maxAgvs;
  return def;
}

/** A stored zone as the platform uses it, its coverage computed against the current site. */
export function zoneOf(record: ZoneRecord, site: SiteMap): Zone {
  const def = record.definition as ZoneDefinition;
  const input: ZoneInput = { type: record.type, name: record.name, ...def };
  return { id: record.id, type: record.type, name: record.name, createdBy: record.createdBy, createdAt: record.createdAt, ...def, covered: covers(input, site) };
}

function covers(input: ZoneInput, site: SiteMap): { nodes: string[]; edges: string[] } {
  if (input.type === 'oneWay') {
    const path = input.path ?? [];
    const edges = path.slice(1).flatMap((to, i) => {
      const e = edgeBetween(site, path[i]!, to);
      return e ? [e.id] : [];
    });
    return { nodes: [...path], edges };
  }
  const area = coverage(site, input.polygon ?? []);
  const nodes = new Set([...(input.nodes ?? []), ...area.nodes]);
  const edges = new Set([...(input.edges ?? []), ...area.edges]);
  for (const e of site.edges) if (nodes.has(e.from) && nodes.has(e.to)) edges.add(e.id);
  return { nodes: [...nodes], edges: [...edges] };
}

function checkPath(path: readonly string[], site: SiteMap): string[] {
  if (path.length < 2) return ['path needs at least 2 nodes'];
  const problems: string[] = [];
  for (let i = 1; i < path.length; i++) {
    const [a, b] = [path[i - 1]!, path[i]!];
    const e = site.edges.find((edge) => (edge.from === a && edge.to === b) || (edge.from === b && edge.to === a));
    if (!e) problems.push(`no edge ${a} → ${b}`);
    else if (!e.bidirectional && e.from !== a) problems.push(`edge ${e.id} is one-way ${e.from} → ${e.to} already`);
  }
  if (new Set(path).size !== path.length) problems.push('path visits a node twice');
  return problems;
}

function edgeBetween(site: SiteMap, a: string, b: string) {
  return site.edges.find((e) => (e.from === a && e.to === b) || (e.bidirectional && e.from === b && e.to === a));
}

/**
 * The site as traffic control plans it with one-way zones applied: each covered bidirectional edge becomes one-way in
 * the zone's direction. Traffic control is built from it at start, so one-way zones take effect at the next start.
 */
export function withOneWayZones(site: SiteMap, zones: readonly Zone[]): SiteMap {
  const direction = new Map<string, { from: string; to: string }>();
  for (const z of zones) {
    if (z.type !== 'oneWay' || !z.path) continue;
    for (let i = 1; i < z.path.length; i++) {
      const e = edgeBetween(site, z.path[i - 1]!, z.path[i]!);
      if (e) direction.set(e.id, { from: z.path[i - 1]!, to: z.path[i]! });
    }
  }
  if (direction.size === 0) return site;
  return {
    ...site,
    edges: site.edges.map((e) => {
      const d = direction.get(e.id);
      return d ? { ...e, from: d.from, to: d.to, bidirectional: false } : e;
    }),
  };
}
