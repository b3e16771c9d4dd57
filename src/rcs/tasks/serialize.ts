// The JSON shape of a task as the API and webhooks show it: ISO times instead of epoch milliseconds.

import type { Task, TaskHistoryEntry, TaskWithHistory } from './types.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface TaskJson {
  id: string;
  state: string;
  pick: string;
  drop: string;
  priority: number;
  deadline: string | null;
  preferredVendor: string | null;
  agvType: string | null;
  externalRef: string | null;
  agvId: string | null;
  clientRequestId: string | null;
  createdAt: string;
  updatedAt: string;
  reason: string | null;
  history?: HistoryJson[];
}

export interface HistoryJson {
  seq: number;
  at: string;
  from: string | null;
  to: string;
  agvId: string | null;
  detail: string | null;
}

export function historyToJson(h: TaskHistoryEntry): HistoryJson {
  return { seq: h.seq, at: iso(h.at)!, from: h.from, to: h.to, agvId: h.agvId, detail: h.detail };
}

export function taskToJson(t: Task | TaskWithHistory): TaskJson {
  const json: TaskJson = {
    id: t.id,
    state: t.state,
    pick: t.pick,
    drop: t.drop,
    priority: t.priority,
    deadline: iso(t.deadline),
    preferredVendor: t.preferredVendor,
    agvType: t.agvType,
    externalRef: t.externalRef,
    agvId: t.agvId,
    clientRequestId: t.clientRequestId,
    createdAt: iso(t.createdAt)!,
    updatedAt: iso(t.updatedAt)!,
    reason: t.reason,
  };
  if ('history' in t) json.history = t.history.map(historyToJson);
  return json;
}
