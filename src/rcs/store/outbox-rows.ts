// Row shape and mapping shared by the SQLite and PostgreSQL webhook outbox repositories (the row joined with its
// subscription's url and secret).

import type { OutboxRow, OutboxStatus } from './types.ts';

export interface OutboxDbRow {
  id: number;
  subscription_id: string;
  url: string;
  secret: string;
  event_id: string;
  event_type: string;
  body: string;
  attempts: number;
  next_attempt_at: number;
  status: OutboxStatus;
  last_error: string | null;
  created_at: number;
}

export function toOutbox(r: OutboxDbRow): OutboxRow {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    url: r.url,
    secret: r.secret,
    eventId: r.event_id,
    eventType: r.event_type,
    body: r.body,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    status: r.status,
    lastError: r.last_error,
    createdAt: r.created_at,
  };
}
