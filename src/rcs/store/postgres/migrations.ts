// PostgreSQL schema, versioned like the SQLite one (same tables and meaning; times are epoch ms in BIGINT).

import type { Migration } from '../sqlite/migrations.ts';

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registry, tasks, history, outbox, events, keys',
    sql: `
      CREATE TABLE agvs (
        id TEXT PRIMARY KEY,
        vendor TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        serial TEXT NOT NULL DEFAULT '',
        type TEXT NOT NULL DEFAULT '',
        capabilities JSONB NOT NULL DEFAULT 'null',
        public_key_hex TEXT,
        mode TEXT NOT NULL DEFAULT 'normal' CHECK (mode IN ('normal', 'secure')),
        first_seen BIGINT,
        last_seen BIGINT,
        last_node TEXT
      );

      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        pick TEXT NOT NULL,
        drop_station TEXT NOT NULL,
        priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 9),
        deadline BIGINT,
        preferred_vendor TEXT,
        agv_type TEXT,
        external_ref TEXT,
        agv_id TEXT,
        client_request_id TEXT UNIQUE,
        request_fingerprint TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        reason TEXT,
        version INTEGER NOT NULL
      );
      CREATE INDEX tasks_by_created ON tasks (created_at DESC, id DESC);
      CREATE INDEX tasks_queue ON tasks (priority DESC, deadline ASC NULLS LAST, created_at, id) WHERE state = 'queued';
      CREATE INDEX tasks_by_state ON tasks (state);
      CREATE INDEX tasks_by_agv ON tasks (agv_id, created_at DESC);

      CREATE TABLE task_history (
        task_id TEXT NOT NULL REFERENCES tasks (id),
        seq INTEGER NOT NULL,
        at BIGINT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        agv_id TEXT,
        detail TEXT,
        PRIMARY KEY (task_id, seq)
      );

      CREATE TABLE webhook_subscriptions (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        events JSONB NOT NULL,
        created_at BIGINT NOT NULL
      );

      CREATE TABLE webhook_outbox (
        id BIGSERIAL PRIMARY KEY,
        subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        event_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
        last_error TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX outbox_due ON webhook_outbox (next_attempt_at, id) WHERE status = 'pending';

      CREATE TABLE events (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        agv_id TEXT,
        task_id TEXT,
        severity TEXT NOT NULL,
        type TEXT NOT NULL,
        message TEXT NOT NULL,
        data JSONB NOT NULL DEFAULT 'null'
      );
      CREATE INDEX events_by_at ON events (at DESC);
      CREATE INDEX events_by_agv ON events (agv_id, at DESC);
      CREATE INDEX events_by_task ON events (task_id, at DESC);

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      );

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];
