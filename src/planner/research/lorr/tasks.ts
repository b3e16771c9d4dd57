// Task assignment under the 2023 "roundrobin" strategy: agent i's k-th task is entry i + k*n of the task list
// (n agents), wrapping around the list so the supply never runs out. With numTasksReveal = r, each agent
// always sees its next r tasks and must finish them in order.

export class RoundRobinTasks {
  private readonly issued: Int32Array;

  constructor(
    private readonly tasks: Int32Array,
    private readonly agents: number,
    /** roundrobin_fixed: stop issuing when the list is used up instead of wrapping. */
    private readonly wrap = true,
  ) {
    this.issued = new Int32Array(agents);
  }

  /** Index in the task list of agent i's k-th task (k from 0), or -1 when a fixed list is used up. */
  taskIndex(agent: number, k: number): number {
    const index = agent + k * this.agents;
    if (index < this.tasks.length) return index;
    return this.wrap ? index % this.tasks.length : -1;
  }

  /** Issues agent i's next task; returns its task-list index and location, or null when none is left. */
  next(agent: number): { index: number; location: number } | null {
    const index = this.taskIndex(agent, this.issued[agent]!);
    if (index < 0) return null;
    this.issued[agent]!++;
    return { index, location: this.tasks[index]! };
  }
}
