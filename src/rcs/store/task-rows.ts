// Row shapes and mapping shared by the SQLite and PostgreSQL task repositories.

import type { Task, TaskHistoryEntry, TaskState } from '../tasks/types.ts';
import { InvalidCursorError } from './errors.ts';

export interface TaskRow {
  id: string;
  state: TaskState;
  pick: string;
  drop_station: string;
  priority: number;
  deadline: number | null;
  preferred_vendor: string | null;
  agv_type: string | null;
  external_ref: string | null;
  agv_id: string | null;
  client_request_id: string | null;
  request_fingerprint: string | null;
  created_at: number;
  updated_at: number;
  reason: string | null;
  version: number;
}

export interface HistoryRow {
  task_id: string;
  seq: number;
  at: number;
  from_state: TaskState | null;
  to_state: TaskState;
  agv_id: string | null;
  detail: string | null;
}

export function toTask(r: TaskRow): Task {
  return {
    id: r.id,
    state: r.state,
    pick: r.pick,
    drop: r.drop_station,
    priority: r.priority,
    deadline: r.deadline,
    preferredVendor: r.preferred_vendor,
    agvType: r.agv_type,
    externalRef: r.external_ref,
    agvId: r.agv_id,
    clientRequestId: r.client_request_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    reason: r.reason,
    version: r.version,
  };
}

export function toEntry(r: HistoryRow): TaskHistoryEntry {
  return { taskId: r.task_id, seq: r.seq, at: r.at, from: r.from_state, to: r.to_state, agvId: r.agv_id, detail: r.detail };
}

export function encodeCursor(t: Task): string {
  return Buffer.from(JSON.stringify([t.createdAt, t.id])).toString('base64url');
}

export function decodeCursor(cursor: string): [number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isInteger(value[0]) && typeof value[1] === 'string') {
      return [value[0] as number, value[1] as string];
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

export function pageLimit(limit: number | undefined): number {
  return Math.min(Math.max(1, Math.trunc(limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
}
