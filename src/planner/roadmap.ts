import { Graph, GraphBuilder } from './graph.ts';
import { PlannerInputError } from './errors.ts';

/** Plain roadmap description, as a site map adapter produces it. Ids may be strings or numbers. */
export interface RoadmapInput {
  nodes: readonly { id: string | number; x: number; y: number; conflictsWith?: readonly (string | number)[] }[];
  edges: readonly { from: string | number; to: string | number; length?: number; oneWay?: boolean }[];
  /** Extra footprint conflicts as node-id pairs (symmetric). */
  conflicts?: readonly (readonly [string | number, string | number])[];
}

/** A roadmap graph plus the mapping between the site's node ids and planner vertices. */
export interface RoadmapGraph {
  readonly graph: Graph;
  /** Site node id of each vertex. */
  readonly ids: readonly string[];
  /** Vertex of a site node id, or -1 if unknown. */
  vertexOf(id: string | number): number;
}

/** Builds a planner graph from a roadmap; throws PlannerInputError('ROADMAP_INVALID') on bad input. */
export function buildRoadmapGraph(input: RoadmapInput): RoadmapGraph {
  if (!input || !Array.isArray(input.nodes) || !Array.isArray(input.edges)) {
    throw new PlannerInputError('ROADMAP_INVALID', 'roadmap needs "nodes" and "edges" arrays');
  }
  const builder = new GraphBuilder();
  const index = new Map<string, number>();
  const ids: string[] = [];
  for (const [i, node] of input.nodes.entries()) {
    const id = keyOf(node?.id, `nodes[${i}].id`);
    if (index.has(id)) throw new PlannerInputError('ROADMAP_INVALID', `duplicate node id "${id}"`);
    if (typeof node.x !== 'number' || typeof node.y !== 'number' || !Number.isFinite(node.x) || !Number.isFinite(node.y)) {
      throw new PlannerInputError('ROADMAP_INVALID', `node "${id}" needs finite numeric x and y`);
    }
    index.set(id, builder.addVertex(node.x, node.y));
    ids.push(id);
  }
  const lookup = (raw: unknown, where: string): number => {
    const v = index.get(keyOf(raw, where));
    if (v === undefined) throw new PlannerInputError('ROADMAP_INVALID', `${where} refers to unknown node "${String(raw)}"`);
    return v;
  };
  for (const [i, edge] of input.edges.entries()) {
    const from = lookup(edge?.from, `edges[${i}].from`);
    const to = lookup(edge.to, `edges[${i}].to`);
    if (from === to) throw new PlannerInputError('ROADMAP_INVALID', `edges[${i}] is a self-loop on "${ids[from]}"`);
    if (edge.length !== undefined && !(typeof edge.length === 'number' && edge.length > 0 && Number.isFinite(edge.length))) {
      throw new PlannerInputError('ROADMAP_INVALID', `edges[${i}] length must be a positive number`);
    }
    builder.addEdge(from, to, { length: edge.length, oneWay: edge.oneWay === true });
  }
  for (const [i, node] of input.nodes.entries()) {
    for (const other of node.conflictsWith ?? []) builder.addConflict(i, lookup(other, `nodes[${i}].conflictsWith`));
  }
  for (const [i, pair] of (input.conflicts ?? []).entries()) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new PlannerInputError('ROADMAP_INVALID', `conflicts[${i}] must be a pair`);
    builder.addConflict(lookup(pair[0], `conflicts[${i}][0]`), lookup(pair[1], `conflicts[${i}][1]`));
  }
  const graph = builder.build();
  return {
    graph,
    ids,
    vertexOf: (id) => index.get(String(id)) ?? -1,
  };
}

function keyOf(raw: unknown, where: string): string {
  if (typeof raw === 'string' && raw.length > 0) return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  throw new PlannerInputError('ROADMAP_INVALID', `${where} must be a non-empty string or a number`);
}
