import { GridGraph } from '../grid.ts';
import { LifelongPlanner, type LifelongOptions, type LifelongStepStats } from '../lifelong/engine.ts';
import { RotationMotionModel, type RotationModelOptions } from '../lifelong/rotation-model.ts';
import type { AgentState, LorrAction } from './action-model.ts';
import type { LorrMap } from './formats.ts';

// The lifelong planner wired to LoRR 2023 problems: locations are LoRR cell indices, actions F/R/C/W.

export type LorrPlannerOptions = LifelongOptions & RotationModelOptions;

export class LorrPlanner {
  readonly grid: GridGraph;
  readonly model: RotationMotionModel;
  private readonly engine: LifelongPlanner<LorrAction>;
  lastStats: LifelongStepStats | null = null;

  constructor(map: LorrMap, options: LorrPlannerOptions = {}) {
    const passable = map.obstacle.map((blocked) => (blocked ? 0 : 1));
    this.grid = new GridGraph({ width: map.width, height: map.height, passable, terrain: new Uint8Array(passable.length) });
    this.model = new RotationMotionModel(this.grid, options);
    this.engine = new LifelongPlanner(this.grid.graph, this.model, options);
  }

  /** Next action of every agent. `goals[i]` is agent i's current task location (-1 for none). */
  plan(states: readonly AgentState[], goals: Int32Array, budgetMs?: number): LorrAction[] {
    const n = states.length;
    const current = new Int32Array(n);
    const goalVertices = new Int32Array(n);
    if (this.model.orientation.length !== n) this.model.orientation = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      current[i] = this.vertexOf(states[i]!.location, `agent ${i} location`);
      goalVertices[i] = goals[i]! < 0 ? -1 : this.vertexOf(goals[i]!, `agent ${i} goal`);
      this.model.orientation[i] = states[i]!.orientation;
    }
    const step = this.engine.step(current, goalVertices, budgetMs);
    this.lastStats = step.stats;
    return step.actions;
  }

  private vertexOf(location: number, what: string): number {
    const v = this.grid.vertexOfCell(location);
    if (v < 0) throw new RangeError(`${what} ${location} is not a free cell of the map`);
    return v;
  }
}
