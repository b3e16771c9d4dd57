// Transport-task domain types shared by the API, the store and the fleet runtime.

export const TASK_STATES = [
  'queued',
  'assigned',
  'to_pick',
  'picking',
  'to_drop',
  'dropping',
  'exception',
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set(['completed', 'failed', 'cancelled']);

/**
 * Allowed transitions. Going back to `queued` from assigned/to_pick lets the runtime hand a task to another AGV
 * when its AGV drops out before it has picked anything up; after a pick the load is on that AGV, so only it can finish.
 * If that AGV stays away past the heartbeat timeout the task becomes an `exception` (the load is on a lost AGV): the
 * AGV coming back resumes it, or an operator resolves it (delivered by hand, back at the source, or cancelled).
 */
export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  queued: ['assigned', 'cancelled', 'failed'],
  assigned: ['to_pick', 'queued', 'cancelled', 'failed'],
  to_pick: ['picking', 'queued', 'cancelled', 'failed'],
  picking: ['to_drop', 'exception', 'cancelled', 'failed'],
  to_drop: ['dropping', 'exception', 'cancelled', 'failed'],
  dropping: ['completed', 'exception', 'cancelled', 'failed'],
  exception: ['picking', 'to_drop', 'dropping', 'completed', 'queued', 'cancelled', 'failed'],
  completed: [],
  failed: [],
  cancelled: [],
};

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}

export function canTransition(from: TaskState, to: TaskState): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/** What an upper system asks for. */
export interface TaskInput {
  /** Station id where the load is picked up. */
  pick: string;
  /** Station id where the load is dropped. */
  drop: string;
  /** 0 (lowest) … 9 (most urgent); default 5. */
  priority?: number;
  /** Epoch milliseconds by which the drop should be done. */
  deadline?: number;
  preferredVendor?: string;
  agvType?: string;
  /** Upper system's own reference, free text, echoed back. */
  externalRef?: string;
}

export interface Task {
  id: string;
  state: TaskState;
  pick: string;
  drop: string;
  priority: number;
  deadline: number | null;
  preferredVendor: string | null;
  agvType: string | null;
  externalRef: string | null;
  agvId: string | null;
  /** Idempotency key given by the client (header or clientRequestId field). */
  clientRequestId: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  /** Why it failed, was cancelled or is an exception. */
  reason: string | null;
  /** Bumped on every change; guards against lost updates. */
  version: number;
}

export interface TaskHistoryEntry {
  taskId: string;
  /** 1-based position in this task's history. */
  seq: number;
  at: number;
  from: TaskState | null;
  to: TaskState;
  agvId: string | null;
  detail: string | null;
}

export interface TaskWithHistory extends Task {
  history: TaskHistoryEntry[];
}

export interface TaskFilter {
  state?: TaskState | TaskState[];
  agvId?: string;
  /** Tasks whose assigned AGV is of this vendor, or that prefer it when unassigned. */
  vendor?: string;
  /** Created at or after this epoch millisecond. */
  since?: number;
  /** Page size, 1…500; default 50. */
  limit?: number;
  /** Opaque cursor from a previous page's nextCursor. */
  cursor?: string;
}

export interface TaskPage {
  items: Task[];
  /** Present when there are more items. */
  nextCursor?: string;
}

/** Emitted after a change is durably stored. */
export interface TaskChange {
  task: Task;
  entry: TaskHistoryEntry;
}

export type TaskChangeListener = (change: TaskChange) => void;

export interface CreateTaskResult {
  task: TaskWithHistory;
  /** False when an idempotent repeat returned the existing task. */
  created: boolean;
}

/** How an operator settles a task in `exception`: the load was delivered by hand, is back at the source, or the task is dropped. */
export const RESOLVE_OUTCOMES = ['completed', 'requeue', 'cancelled'] as const;
export type ResolveOutcome = (typeof RESOLVE_OUTCOMES)[number];

export interface TaskServiceApi {
  create(input: TaskInput, idempotencyKey?: string): Promise<CreateTaskResult>;
  get(id: string): Promise<TaskWithHistory | undefined>;
  list(filter?: TaskFilter): Promise<TaskPage>;
  /** Throws TaskNotFoundError, or TaskStateConflictError when already terminal. */
  cancel(id: string, reason?: string): Promise<Task>;
  /** For the runtime: queued tasks, most urgent first (priority desc, deadline asc with none last, then age). */
  queued(limit?: number): Promise<Task[]>;
  /** For the runtime after a restart: every task not yet in a terminal state. */
  active(): Promise<Task[]>;
  /** queued → assigned to agvId. */
  assign(taskId: string, agvId: string, detail?: string): Promise<Task>;
  /** Any allowed transition; `queued` clears the AGV; failed/cancelled store detail as the reason. */
  transition(taskId: string, state: TaskState, detail?: string): Promise<Task>;
  /** Settles a task in `exception`; TaskStateConflictError when it is in any other state. `by` names who did it. */
  resolve(taskId: string, outcome: ResolveOutcome, by: string, note?: string): Promise<Task>;
  /**
   * Changes a queued task's priority (0–9); TaskStateConflictError once it is no longer queued. The history entry
   * (queued → queued) names who did it and the old and new priority.
   */
  setPriority(taskId: string, priority: number, by: string): Promise<Task>;
  /** Listener runs after the change is committed; returns an unsubscribe function. */
  onChange(listener: TaskChangeListener): () => void;
}
