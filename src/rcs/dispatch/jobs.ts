// What each AGV is doing for the coordinator. Kept separate from the coordinator's control flow so the shapes are
// easy to read and to show on dashboards.

export type TaskPhase = 'to_pick' | 'picking' | 'to_drop' | 'dropping';

export type Job =
  | { kind: 'idle' }
  | { kind: 'park'; node: string }
  | { kind: 'yield'; node: string }
  | { kind: 'charge'; chargerId: string; node: string; phase: 'to_charger' | 'charging' }
  | {
      kind: 'task';
      taskId: string;
      pickStation: string;
      dropStation: string;
      pickNode: string;
      dropNode: string;
      phase: TaskPhase;
      /** True once the pick/drop command was acknowledged in this phase (to avoid sending it twice). */
      actionSent: boolean;
    };

/** The node an AGV is driving to for its job, if it is driving. */
export function goalOf(job: Job): string | undefined {
  switch (job.kind) {
    case 'park':
    case 'yield':
      return job.node;
    case 'charge':
      return job.phase === 'to_charger' ? job.node : undefined;
    case 'task':
      return job.phase === 'to_pick' ? job.pickNode : job.phase === 'to_drop' ? job.dropNode : undefined;
    default:
      return undefined;
  }
}

/** Jobs the dispatcher may replace with a task. */
export function isInterruptible(job: Job): boolean {
  return job.kind === 'idle' || job.kind === 'park' || (job.kind === 'charge' && job.phase === 'charging');
}
