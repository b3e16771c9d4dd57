import { applyLorrAction, type AgentState, type LorrAction } from './action-model.ts';
import { LorrFormatError } from './errors.ts';
import type { LorrMap, TaskAssignmentStrategy } from './formats.ts';
import { checkJointAction, type Violation } from './rules.ts';
import { RoundRobinTasks } from './tasks.ts';

// Runs a LoRR 2023 instance under the competition's rules: tasks are revealed round-robin, each timestep
// the planner's joint action is applied if it is legal and on time, otherwise every agent waits; a task is
// finished when its agent occupies the task's cell at the end of a timestep (orientation does not matter).

export interface RevealedTask {
  /** Position in the task file's list. */
  index: number;
  location: number;
}

export interface StepOutcome {
  /** The joint action that was actually executed (all 'W' if the proposal was rejected). */
  executed: LorrAction[];
  violation: Violation | null;
  missedDeadline: boolean;
  finished: Array<{ agent: number; task: RevealedTask }>;
}

export interface SimulationOptions {
  numTasksReveal?: number;
  taskAssignmentStrategy?: TaskAssignmentStrategy;
}

export class LorrSimulation {
  readonly states: AgentState[];
  private readonly queues: RevealedTask[][];
  private readonly assigner: RoundRobinTasks;
  private readonly reveal: number;
  timestep = 0;
  tasksFinished = 0;
  rejectedSteps = 0;
  missedDeadlines = 0;

  constructor(
    readonly map: LorrMap,
    starts: Int32Array,
    tasks: Int32Array,
    options: SimulationOptions = {},
  ) {
    const strategy = options.taskAssignmentStrategy ?? 'roundrobin';
    if (strategy === 'greedy') throw new LorrFormatError('problem', 'taskAssignmentStrategy "greedy" is not supported');
    this.reveal = options.numTasksReveal ?? 1;
    this.assigner = new RoundRobinTasks(tasks, starts.length, strategy === 'roundrobin');
    this.states = Array.from(starts, (location) => ({ location, orientation: 0 as const }));
    this.queues = this.states.map(() => []);
    for (let i = 0; i < this.states.length; i++) this.refill(i);
  }

  get agents(): number {
    return this.states.length;
  }

  /** The tasks agent i currently sees, in the order it must finish them. */
  revealedTasks(agent: number): readonly RevealedTask[] {
    return this.queues[agent]!;
  }

  /** Location of each agent's current (first revealed) task, or -1 if it has none. */
  goals(): Int32Array {
    return Int32Array.from(this.queues, (q) => (q.length > 0 ? q[0]!.location : -1));
  }

  /** Advances one timestep. A proposal that is illegal or late is replaced by "everyone waits". */
  step(proposal: readonly unknown[], missedDeadline = false): StepOutcome {
    const violation = missedDeadline ? null : checkJointAction(this.map, this.states, proposal);
    const accepted = !missedDeadline && violation === null;
    if (missedDeadline) this.missedDeadlines++;
    else if (violation) this.rejectedSteps++;
    const executed: LorrAction[] = accepted ? (proposal as LorrAction[]).slice() : this.states.map(() => 'W');
    for (let i = 0; i < this.states.length; i++) this.states[i] = applyLorrAction(this.map, this.states[i]!, executed[i]!);
    this.timestep++;
    const finished: StepOutcome['finished'] = [];
    for (let i = 0; i < this.states.length; i++) {
      const queue = this.queues[i]!;
      if (queue.length > 0 && queue[0]!.location === this.states[i]!.location) {
        finished.push({ agent: i, task: queue.shift()! });
        this.tasksFinished++;
        this.refill(i);
      }
    }
    return { executed, violation, missedDeadline, finished };
  }

  private refill(agent: number): void {
    const queue = this.queues[agent]!;
    while (queue.length < this.reveal) {
      const task = this.assigner.next(agent);
      if (!task) break;
      queue.push(task);
    }
  }
}
