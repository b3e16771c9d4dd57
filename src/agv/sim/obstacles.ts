import { segmentPolygonDistance, type Pt } from '../../core/index.ts';

// Obstacles in the simulated world (a pallet dropped on an aisle, a spill): on a map edge, or an outline in the map
// frame. Simulated AGVs cannot drive a segment an obstacle touches; the platform knows nothing of them until an AGV
// asks for a detour or reports the way blocked.

export type ObstacleSpec = { edge: readonly [string, string] } | { area: readonly Pt[] };
export type Obstacle = ObstacleSpec & { id: string };

export class Obstacles {
  private readonly items = new Map<string, Obstacle>();
  private counter = 0;

  add(spec: ObstacleSpec): Obstacle {
    if ('area' in spec && spec.area.length < 3) throw new Error('an obstacle area needs at least 3 points');
    const obstacle = { ...spec, id: `obstacle-${++this.counter}` } as Obstacle;
    this.items.set(obstacle.id, obstacle);
    return obstacle;
  }

  remove(id: string): boolean {
    return this.items.delete(id);
  }

  list(): Obstacle[] {
    return [...this.items.values()];
  }

  /** The obstacle on the way from node `from` (at a) to node `to` (at b), if any. Node ids are the site's. */
  on(from: string, to: string, a: Pt, b: Pt): Obstacle | undefined {
    for (const o of this.items.values()) {
      if ('edge' in o ? (o.edge[0] === from && o.edge[1] === to) || (o.edge[0] === to && o.edge[1] === from) : segmentPolygonDistance(a, b, o.area) === 0) return o;
    }
    return undefined;
  }
}
