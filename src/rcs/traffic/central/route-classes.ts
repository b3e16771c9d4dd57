import { footprintsOverlap, type GoalDistance, type RoadmapGraph } from '../../../planner/index.ts';
import type { ReservationTable } from './reservation-table.ts';
import type { RouteAhead } from './route-ahead.ts';
import type { CentralTrafficOptions } from './types.ts';
import type { VertexBlocks } from './vertex-blocks.ts';

// Which route tables an AGV plans with, and readying their obstacles for a round. AGVs of one body size that may
// enter the same nodes share one class (tables are per class, not per AGV); the gate's off-limits nodes for an AGV
// (e.g. a SLAM-only area for a QR-only AGV) are walls in its class's tables, so routes never lead where the gate
// would refuse it.

/** An AGV's route tables: bodies of `radius` that may not enter the `offLimits` vertices share one set. */
export interface RouteClass {
  key: string;
  radius: number;
  offLimits: readonly number[];
}

export interface RouteClassState {
  roadmap: RoadmapGraph;
  table: ReservationTable;
  route: RouteAhead;
  vertexBlocks: VertexBlocks;
  gate: CentralTrafficOptions['gate'];
}

export class RouteClasses {
  /** Off-limits node sets the gate handed out (one array per AGV profile), numbered for route-class keys. */
  private readonly offLimitSets = new Map<readonly string[], { id: number; vertices: number[] }>();

  constructor(private readonly deps: RouteClassState) {}

  /** The class last worked out per AGV, with what it was made of: asked for every AGV in every round. */
  private readonly known = new Map<string, { radius: number; closed: readonly string[] | undefined; class: RouteClass }>();

  /** Which route tables the AGV uses: those of its body radius and of the nodes the gate puts off limits for it. */
  of(agvId: string): RouteClass {
    const radius = this.deps.table.radius(agvId);
    const closed = this.deps.gate?.offLimits?.(agvId);
    const known = this.known.get(agvId);
    if (known && known.radius === radius && known.closed === closed) return known.class;
    const made = this.make(radius, closed);
    this.known.set(agvId, { radius, closed, class: made });
    return made;
  }

  /**
   * Per route class and AGV: the nodes its body makes walls for that class, with the held path and radius they were
   * worked out from. Most AGVs that cannot move are the same from one round to the next, and working their walls
   * out afresh every round was most of a round's cost at 5,000 AGVs.
   */
  private readonly footprintWalls = new Map<string, Map<string, { path: number[]; radius: number; walls: number[] }>>();

  /** Drops what was kept for an AGV the controller no longer plans. */
  forget(agvId: string): void {
    this.known.delete(agvId);
    for (const byAgv of this.footprintWalls.values()) byAgv.delete(agvId);
  }

  private make(radius: number, closed: readonly string[] | undefined): RouteClass {
    const { roadmap } = this.deps;
    if (!closed || closed.length === 0) return { key: `${radius}|`, radius, offLimits: [] };
    let known = this.offLimitSets.get(closed);
    if (!known) {
      known = { id: this.offLimitSets.size + 1, vertices: closed.map((id) => roadmap.vertexOf(id)).filter((v) => v >= 0) };
      this.offLimitSets.set(closed, known);
    }
    return { key: `${radius}|${known.id}`, radius, offLimits: known.vertices };
  }

  /**
   * Obstacle-aware distance tables, one set per route class (body size and the nodes closed to the AGV): nodes
   * held by AGVs that cannot move (`immovable`, indexes into `ids`), and nodes where a body of that size would
   * overlap them, are walls; so are the gate's walls and the class's off-limits nodes. A step of a planning round:
   * it yields after every AGV that cannot move, so that readying the walls of thousands of them does not hold the
   * event loop in one piece (the round's snapshot is a hint anyway; grants are checked against the live table).
   */
  *detourPreparation(ids: string[], immovable: number[]): Generator<void, (agent: number, goal: number) => GoalDistance> {
    const { table, gate, roadmap, route, vertexBlocks } = this.deps;
    const nearby = table.nearbyIndex();
    const classes = ids.map((id) => this.of(id));
    const common: number[] = [...vertexBlocks.blockedVertices(), ...(gate?.walls?.() ?? []).map((id) => roadmap.vertexOf(id)).filter((v) => v >= 0)];
    const prepared = new Set<string>();
    let steps = 0;
    for (const c of classes) {
      if (prepared.has(c.key)) continue;
      prepared.add(c.key);
      const walls = [...common, ...c.offLimits];
      let byAgv = this.footprintWalls.get(c.key);
      if (!byAgv) this.footprintWalls.set(c.key, (byAgv = new Map()));
      for (const b of immovable) {
        const id = ids[b]!;
        const path = table.path(id);
        const radius = table.radius(id);
        let known = byAgv.get(id);
        if (!known || known.radius !== radius || !samePath(known.path, path)) {
          const own: number[] = [];
          for (const v of path) {
            own.push(v);
            for (const { node, distance } of nearby.of(v)) if (footprintsOverlap(distance, c.radius, radius)) own.push(node);
          }
          known = { path: [...path], radius, walls: own };
          byAgv.set(id, known);
        }
        for (const v of known.walls) walls.push(v);
        if (++steps % YIELD_EVERY === 0) yield;
      }
      route.detoursFor(c.key).setObstacles(walls, vertexBlocks.blockedEdgeKeys());
    }
    return (agent, goal) => route.detoursFor(classes[agent]!.key).table(goal);
  }
}

/** A step (a pause point for a sliced round) every this many AGVs: a generator resumption per AGV costs too. */
const YIELD_EVERY = 16;

function samePath(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
