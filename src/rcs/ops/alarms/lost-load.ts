import type { TaskChange } from '../../tasks/types.ts';
import type { AlarmCondition } from './types.ts';

// A task in `exception` means its load is on an AGV the platform lost: an operator must find the load and resolve the
// task. The alarm lives exactly as long as that state.

export const lostLoadAlarmKey = (taskId: string): string => `task:${taskId}:LOAD_ON_LOST_AGV`;

/** The alarm to raise for a task that just became an exception, or undefined for any other change. */
export function lostLoadAlarm({ task }: TaskChange): AlarmCondition | undefined {
  if (task.state !== 'exception') return undefined;
  const agv = task.agvId ?? 'an unknown AGV';
  return {
    key: lostLoadAlarmKey(task.id),
    source: 'platform',
    code: 'LOAD_ON_LOST_AGV',
    severity: 'critical',
    agvId: task.agvId,
    taskId: task.id,
    message: `task ${task.id}: the load is on ${agv}, which is lost; find the load and resolve the task (POST /api/v1/tasks/${task.id}/resolve)`,
  };
}

/** True when the change takes a task out of `exception` (its AGV came back, or an operator resolved it). */
export function leavesException({ entry }: TaskChange): boolean {
  return entry.from === 'exception' && entry.to !== 'exception';
}
