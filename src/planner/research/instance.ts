import type { Graph } from '../graph.ts';
import { PlannerInputError } from '../errors.ts';
import type { DistanceTable } from '../distance.ts';

/** A one-shot MAPF problem: agent i starts at starts[i] and must end at goals[i]. */
export interface MapfInstance {
  readonly graph: Graph;
  readonly starts: ArrayLike<number>;
  readonly goals: ArrayLike<number>;
}

/**
 * Rejects instances no planner could accept: bad vertices, shared or footprint-overlapping starts or goals,
 * or a goal its agent cannot reach. Throws PlannerInputError('INSTANCE_INVALID').
 */
export function checkInstance(instance: MapfInstance, distances: DistanceTable): void {
  const { graph, starts, goals } = instance;
  if (starts.length !== goals.length) {
    throw new PlannerInputError('INSTANCE_INVALID', `${starts.length} starts but ${goals.length} goals`);
  }
  for (const [name, list] of [['start', starts], ['goal', goals]] as const) {
    const owner = new Int32Array(graph.vertexCount).fill(-1);
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!;
      if (!graph.isVertex(v)) throw new PlannerInputError('INSTANCE_INVALID', `agent ${i}: ${name} ${v} is not a vertex`);
      if (owner[v]! >= 0) throw new PlannerInputError('INSTANCE_INVALID', `agents ${owner[v]} and ${i} share ${name} vertex ${v}`);
      owner[v] = i;
    }
    if (graph.hasConflictSets) {
      for (let i = 0; i < list.length; i++) {
        for (const w of graph.conflictsOf(list[i]!)) {
          if (owner[w]! >= 0) {
            throw new PlannerInputError('INSTANCE_INVALID', `agents ${i} and ${owner[w]}: ${name} footprints overlap`);
          }
        }
      }
    }
  }
  for (let i = 0; i < starts.length; i++) {
    if (distances.get(goals[i]!, starts[i]!) === Number.POSITIVE_INFINITY) {
      throw new PlannerInputError('INSTANCE_INVALID', `agent ${i}: goal ${goals[i]} is unreachable from start ${starts[i]}`);
    }
  }
}
