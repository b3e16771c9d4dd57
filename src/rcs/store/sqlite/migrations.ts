// Versioned schema. Append new migrations; never edit one that has shipped.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
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
        capabilities TEXT NOT NULL DEFAULT 'null',
        public_key_hex TEXT,
        mode TEXT NOT NULL DEFAULT 'normal' CHECK (mode IN ('normal', 'secure')),
        first_seen INTEGER,
        last_seen INTEGER,
        last_node TEXT
      );

      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        pick TEXT NOT NULL,
        drop_station TEXT NOT NULL,
        priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 9),
        deadline INTEGER,
        preferred_vendor TEXT,
        agv_type TEXT,
        external_ref TEXT,
        agv_id TEXT,
        client_request_id TEXT UNIQUE,
        request_fingerprint TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        reason TEXT,
        version INTEGER NOT NULL
      );
      CREATE INDEX tasks_by_created ON tasks (created_at DESC, id DESC);
      CREATE INDEX tasks_by_state ON tasks (state, priority DESC, created_at);
      CREATE INDEX tasks_by_agv ON tasks (agv_id, created_at DESC);

      CREATE TABLE task_history (
        task_id TEXT NOT NULL REFERENCES tasks (id),
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        agv_id TEXT,
        detail TEXT,
        PRIMARY KEY (task_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE webhook_subscriptions (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        events TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE webhook_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        event_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
        last_error TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX outbox_due ON webhook_outbox (status, next_attempt_at);

      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        agv_id TEXT,
        task_id TEXT,
        severity TEXT NOT NULL,
        type TEXT NOT NULL,
        message TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT 'null'
      );
      CREATE INDEX events_by_at ON events (at DESC);
      CREATE INDEX events_by_agv ON events (agv_id, at DESC);
      CREATE INDEX events_by_task ON events (task_id, at DESC);

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'operations: alarms, dashboard users, login sessions, health runs',
    sql: `
      CREATE TABLE alarms (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dedup_key TEXT NOT NULL,
        source TEXT NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL,
        agv_id TEXT,
        task_id TEXT,
        message TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('raised', 'acknowledged', 'cleared')),
        occurrences INTEGER NOT NULL DEFAULT 1,
        raised_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        acknowledged_at INTEGER,
        acknowledged_by TEXT,
        cleared_at INTEGER
      );
      CREATE INDEX alarms_by_state ON alarms (state);
      CREATE INDEX alarms_by_agv ON alarms (agv_id, raised_at);
      CREATE UNIQUE INDEX alarms_one_open_per_key ON alarms (dedup_key) WHERE state <> 'cleared';

      CREATE TABLE users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE login_sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX login_sessions_by_user ON login_sessions (username);
      CREATE INDEX login_sessions_by_expiry ON login_sessions (expires_at);

      CREATE TABLE health_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule')),
        score INTEGER NOT NULL,
        checks_run INTEGER NOT NULL,
        findings TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'AGV admission (pending until an operator approves or the AGV is enrolled)',
    sql: `
      ALTER TABLE agvs ADD COLUMN admission TEXT NOT NULL DEFAULT 'approved' CHECK (admission IN ('pending', 'approved', 'rejected'));
    `,
  },
  {
    version: 4,
    name: 'operator controls: AGVs taken out of service',
    sql: `
      ALTER TABLE agvs ADD COLUMN in_service INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 5,
    name: 'AGV enrolment secret (SHA-256 verifier a normal-mode AGV proves at access)',
    sql: `
      ALTER TABLE agvs ADD COLUMN secret_verifier_hex TEXT;
    `,
  },
  {
    version: 6,
    name: 'operator zones (blocked, speed limit, one way, max occupancy) and AGV holds (paused, stopped) kept across restarts',
    sql: `
      CREATE TABLE zones (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL CHECK (type IN ('blocked', 'speedLimit', 'oneWay', 'maxOccupancy')),
        name TEXT NOT NULL,
        definition TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE agv_holds (
        agv_id TEXT PRIMARY KEY,
        hold TEXT NOT NULL CHECK (hold IN ('paused', 'stopped')),
        held_by TEXT NOT NULL,
        held_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'AGV running data samples (odometry, counters, diagnostics)',
    sql: `
      CREATE TABLE running_data (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        agv_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        odometer_m INTEGER NOT NULL,
        operating_s INTEGER NOT NULL,
        driving_s INTEGER NOT NULL,
        lift_cycles INTEGER NOT NULL,
        charge_cycles INTEGER NOT NULL,
        battery_health INTEGER NOT NULL,
        battery_temperature INTEGER NOT NULL,
        diagnostics TEXT NOT NULL
      );
      CREATE INDEX running_data_by_agv ON running_data (agv_id, at);
      CREATE INDEX running_data_by_time ON running_data (at);
    `,
  },
  {
    version: 8,
    name: 'traffic holds: the nodes each AGV was last released, per site (restored by the next leader)',
    sql: `
      CREATE TABLE traffic_holds (
        site_id TEXT NOT NULL,
        agv_id TEXT NOT NULL,
        nodes TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (site_id, agv_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 9,
    name: 'site leadership epochs: the fencing token every leader write of a site carries (bumped on each takeover)',
    sql: `
      CREATE TABLE site_leadership (
        site_id TEXT PRIMARY KEY,
        epoch INTEGER NOT NULL,
        acquired_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];
