// Persistence boundary. Every method is async so a PostgreSQL implementation (multi-instance) can sit behind the
// same interface; the embedded SQLite implementation runs synchronously underneath. Atomic units of work are whole
// methods (e.g. saveTaskChange), not open transactions, so no caller can leave anything half-written.

import type { Task, TaskFilter, TaskHistoryEntry, TaskPage, TaskState } from '../tasks/types.ts';

export type AgvMode = 'normal' | 'secure';

/**
 * Whether an AGV may be given work: 'approved' (enrolled through the API, approved by an operator, or admitted by
 * configuration), 'pending' (registered on first contact, waiting for an operator) or 'rejected' (refused access).
 */
export type AgvAdmission = 'pending' | 'approved' | 'rejected';
export const AGV_ADMISSIONS: readonly AgvAdmission[] = ['pending', 'approved', 'rejected'];

export interface AgvRecord {
  id: string;
  vendor: string;
  model: string;
  serial: string;
  type: string;
  /** The capability sheet the AGV registered with (protocol units), stored as JSON. */
  capabilities: unknown;
  /** Enrolled SM2 public key (uncompressed, hex); required for secure access. */
  publicKeyHex: string | null;
  /**
   * SHA-256 of the AGV's enrolment secret (hex), the HMAC key a normal-mode AGV proves at access; null when none.
   * It is a shared secret: whoever reads it can impersonate the AGV (docs/protocol.md §6, "Enrolment secret").
   */
  secretVerifierHex: string | null;
  mode: AgvMode;
  /** Epoch ms; null when enrolled but never seen. */
  firstSeen: number | null;
  lastSeen: number | null;
  lastNode: string | null;
  admission: AgvAdmission;
  /** False while an operator has taken the AGV out of service: dispatch gives it no work. */
  inService: boolean;
}

export interface AgvEnrolment {
  id: string;
  publicKeyHex?: string | null;
  /** Set (or with null, clear) the enrolment-secret verifier; undefined leaves it as it is. */
  secretVerifierHex?: string | null;
  vendor?: string;
  model?: string;
  serial?: string;
  type?: string;
}

export interface AgvSighting {
  id: string;
  at: number;
  vendor?: string;
  model?: string;
  serial?: string;
  type?: string;
  capabilities?: unknown;
  mode?: AgvMode;
  lastNode?: string | null;
  /** Admission of an AGV this sighting creates (default approved); an existing AGV keeps its own. */
  admission?: AgvAdmission;
}

export interface AgvRepository {
  /** Creates the AGV or replaces its key (and the given identity fields); keeps first/last seen. */
  enrol(input: AgvEnrolment): Promise<AgvRecord>;
  get(id: string): Promise<AgvRecord | undefined>;
  list(): Promise<AgvRecord[]>;
  /** Registration or status: creates the AGV if unknown, updates identity fields given, first/last seen and node. */
  upsertSeen(input: AgvSighting): Promise<AgvRecord>;
  /** An operator's decision; undefined when the AGV is not known. Enrolment approves as well. */
  setAdmission(id: string, admission: AgvAdmission): Promise<AgvRecord | undefined>;
  /** Takes a known AGV out of service or back; undefined when the registry does not know the AGV. */
  setInService(id: string, inService: boolean): Promise<AgvRecord | undefined>;
}

/** A leader's fencing token for one site: the epoch it claimed (SiteLeadershipRepository.claim). */
export interface LeadershipFence {
  siteId: string;
  epoch: number;
}

/** What the store writes for one task change: row, history entry, event-log line and webhook outbox rows, atomically. */
export interface TaskChangeRecord {
  task: Task;
  entry: TaskHistoryEntry;
  /** The version the stored row must have for an update (optimistic concurrency); null for an insert. */
  expectedVersion: number | null;
  /** Fingerprint of the create request, stored with the idempotency key. */
  requestFingerprint?: string;
  /** Webhook event type, e.g. 'task.assigned'; fanned out to matching subscriptions in the same transaction. */
  eventType: string;
  eventPayload: unknown;
  /**
   * The writer's leadership (creates, transitions and priority changes alike): checked in the same transaction, and a
   * stale epoch is refused with StaleLeadershipError, nothing written, so a deposed leader cannot move a task its
   * successor now owns. The platform always fences; unfenced writes are for tools and tests.
   */
  fence?: LeadershipFence;
}

export interface IdempotentTask {
  task: Task;
  requestFingerprint: string | null;
}

export interface TaskRepository {
  /** Throws StoreConflictError if the stored version differs or the idempotency key is taken. */
  saveChange(change: TaskChangeRecord): Promise<void>;
  get(id: string): Promise<Task | undefined>;
  history(id: string): Promise<TaskHistoryEntry[]>;
  byClientRequestId(key: string): Promise<IdempotentTask | undefined>;
  list(filter: TaskFilter): Promise<TaskPage>;
  inStates(states: TaskState[]): Promise<Task[]>;
  /** Queued tasks, most urgent first: priority desc, deadline asc (none last), created asc, id. */
  queue(limit: number): Promise<Task[]>;
}

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

export interface OutboxRow {
  id: number;
  subscriptionId: string;
  url: string;
  secret: string;
  eventId: string;
  eventType: string;
  /** The JSON body as it will be posted (fixed at enqueue so retries sign the same bytes). */
  body: string;
  attempts: number;
  nextAttemptAt: number;
  status: OutboxStatus;
  lastError: string | null;
  createdAt: number;
}

export interface OutboxRepository {
  /** Enqueues an event for every active subscription whose filter matches (for non-task events, e.g. alarms). */
  enqueue(eventType: string, payload: unknown, at: number): Promise<number>;
  /** Pending rows due at or before `now`, oldest first. */
  due(now: number, limit: number): Promise<OutboxRow[]>;
  /** Earliest next attempt among pending rows, if any. */
  nextDueAt(): Promise<number | null>;
  markDelivered(id: number, attempts: number): Promise<void>;
  reschedule(id: number, attempts: number, nextAttemptAt: number, error: string): Promise<void>;
  markDead(id: number, attempts: number, error: string): Promise<void>;
  get(id: number): Promise<OutboxRow | undefined>;
  list(filter?: { status?: OutboxStatus; subscriptionId?: string }): Promise<OutboxRow[]>;
  /** Deletes delivered and dead rows created before `before`; returns how many. Pending rows are never pruned. */
  prune(before: number): Promise<number>;
}

export type EventSeverity = 'debug' | 'info' | 'warning' | 'error' | 'critical';

export interface EventRecord {
  id: number;
  at: number;
  agvId: string | null;
  taskId: string | null;
  severity: EventSeverity;
  type: string;
  message: string;
  data: unknown;
}

export type NewEvent = Omit<EventRecord, 'id' | 'agvId' | 'taskId' | 'data'> & {
  agvId?: string | null;
  taskId?: string | null;
  data?: unknown;
};

export interface EventQuery {
  agvId?: string;
  taskId?: string;
  severity?: EventSeverity;
  type?: string;
  since?: number;
  limit?: number;
}

export interface EventRepository {
  append(event: NewEvent): Promise<EventRecord>;
  /** Newest first. */
  query(q?: EventQuery): Promise<EventRecord[]>;
}

export interface WebhookSubscription {
  id: string;
  url: string;
  secret: string;
  /** Event type patterns: exact ('task.completed'), prefix ('task.*') or everything ('*'). */
  events: string[];
  createdAt: number;
}

export interface WebhookRepository {
  create(sub: WebhookSubscription): Promise<WebhookSubscription>;
  get(id: string): Promise<WebhookSubscription | undefined>;
  list(): Promise<WebhookSubscription[]>;
  /** Returns false if it did not exist. Pending deliveries to it are dropped. */
  delete(id: string): Promise<boolean>;
}

export type Role = 'viewer' | 'operator' | 'admin';

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  /** sha256 of the secret part, hex. */
  hash: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface ApiKeyRepository {
  create(key: ApiKeyRecord): Promise<void>;
  byId(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  revoke(id: string, at: number): Promise<boolean>;
}

/** Small key/value settings the platform keeps across restarts (e.g. whether the demo key was created). */
export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Stores value unless the key has one already; returns the value kept (so racing first writers agree on one). */
  setIfAbsent(key: string, value: string): Promise<string>;
}

export type AlarmSeverity = Exclude<EventSeverity, 'debug'>;
export type AlarmState = 'raised' | 'acknowledged' | 'cleared';
export type AlarmSource = 'agv' | 'platform';

/** What an alarm is about; operations' rules produce these. */
export interface NewAlarm {
  /** Alarms with the same key are one alarm while open: a repeat bumps occurrences instead of adding a row. */
  key: string;
  source: AlarmSource;
  code: string;
  severity: AlarmSeverity;
  agvId: string | null;
  taskId: string | null;
  message: string;
}

export interface AlarmRecord extends NewAlarm {
  id: number;
  state: AlarmState;
  occurrences: number;
  raisedAt: number;
  lastSeenAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  clearedAt: number | null;
}

export interface AlarmQuery {
  /** 'open' means raised or acknowledged. */
  state?: AlarmState | 'open';
  /** Minimum severity. */
  severity?: AlarmSeverity;
  agvId?: string;
  code?: string;
  limit?: number;
  /** Only alarms with a smaller id (paging backwards). */
  before?: number;
}

export interface AlarmRepository {
  /** Alarms not cleared yet, to resume their lifecycle after a restart. */
  open(): Promise<AlarmRecord[]>;
  /** Stores a newly raised alarm; throws StoreConflictError if an alarm with its key is still open. */
  insert(alarm: NewAlarm, at: number): Promise<AlarmRecord>;
  /** Writes the changeable fields (severity, message, state, counts, times) of every alarm given, in one transaction. */
  save(alarms: readonly AlarmRecord[]): Promise<void>;
  get(id: number): Promise<AlarmRecord | undefined>;
  /** Newest first. */
  query(q: AlarmQuery): Promise<AlarmRecord[]>;
}

/** A dashboard login; the password is kept only as a hash the caller computed. */
export interface UserRecord {
  username: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
}

export interface UserRepository {
  /** Throws StoreConflictError if the user name is taken. */
  create(user: UserRecord): Promise<void>;
  get(username: string): Promise<UserRecord | undefined>;
  /** Ordered by user name. */
  list(): Promise<UserRecord[]>;
  /** Returns false if the user does not exist. */
  setRole(username: string, role: Role): Promise<boolean>;
  /** Deletes the user and its login sessions; returns false if it did not exist. */
  delete(username: string): Promise<boolean>;
}

export interface LoginSessionRecord {
  /** sha256 of the session token, hex: the token itself is never stored. */
  tokenHash: string;
  username: string;
  createdAt: number;
  expiresAt: number;
}

export interface LoginSessionRepository {
  create(session: LoginSessionRecord): Promise<void>;
  get(tokenHash: string): Promise<LoginSessionRecord | undefined>;
  delete(tokenHash: string): Promise<void>;
  /** Deletes sessions that expired before `now`; returns how many. */
  deleteExpired(now: number): Promise<number>;
}

/** One run of the fleet health diagnosis; the findings are operations' own JSON objects. */
export interface HealthRunRecord {
  id: number;
  startedAt: number;
  finishedAt: number;
  trigger: 'manual' | 'schedule';
  score: number;
  checksRun: number;
  findings: unknown[];
}

export interface HealthRunRepository {
  insert(run: Omit<HealthRunRecord, 'id'>): Promise<HealthRunRecord>;
  get(id: number): Promise<HealthRunRecord | undefined>;
  /** Newest first. */
  list(limit: number): Promise<HealthRunRecord[]>;
}

/** Operator zone kinds (docs/api.md, "Zones"): what the zone does to traffic. */
export type ZoneType = 'blocked' | 'speedLimit' | 'oneWay' | 'maxOccupancy';

/**
 * An operator zone as stored. `definition` is the zone's validated shape (nodes, edges, polygon and the fields of
 * its type); the zones module owns its meaning, the store keeps it as given.
 */
export interface ZoneRecord {
  id: string;
  type: ZoneType;
  name: string;
  definition: unknown;
  createdBy: string;
  createdAt: number;
}

export interface ZoneRepository {
  /** Throws StoreConflictError when the id is taken. */
  create(zone: ZoneRecord): Promise<ZoneRecord>;
  get(id: string): Promise<ZoneRecord | undefined>;
  list(): Promise<ZoneRecord[]>;
  delete(id: string): Promise<boolean>;
}

/** An operator's hold on an AGV that must outlive a restart: paused or emergency-stopped. */
export type AgvHold = 'paused' | 'stopped';

export interface AgvHoldRecord {
  agvId: string;
  hold: AgvHold;
  by: string;
  at: number;
}

export interface AgvHoldRepository {
  list(): Promise<AgvHoldRecord[]>;
  /** Sets the AGV's hold, or with null removes it. */
  set(agvId: string, hold: AgvHold | null, by: string, at: number): Promise<void>;
}

/** One running-data sample of an AGV, in protocol units (docs/protocol.md, runningData). */
export interface RunningDataSample {
  agvId: string;
  at: number;
  odometerM: number;
  operatingS: number;
  drivingS: number;
  liftCycles: number;
  chargeCycles: number;
  /** Battery state of health in 0.1 %. */
  batteryHealth: number;
  /** 0.1 °C. */
  batteryTemperature: number;
  diagnostics: { key: number; value: number }[];
}

export interface RunningDataRepository {
  append(sample: RunningDataSample): Promise<void>;
  /** Oldest first: the newest `limit` samples at or after `since`. */
  list(agvId: string, since: number, limit: number): Promise<RunningDataSample[]>;
  /** Deletes samples older than `before`; returns how many. */
  prune(before: number): Promise<number>;
}

/**
 * The nodes each AGV was last released to drive, per site: written before the motion that releases them is sent
 * (write-ahead), so whoever leads the site next knows every node an AGV may be on or heading to, even for AGVs that
 * never come back. A row over-approximates what the AGV holds (nodes it has since passed stay listed until its next
 * release), which is the safe direction.
 */
export interface TrafficHoldRepository {
  /**
   * Replaces the AGV's released nodes on the site; an empty list deletes the row (nothing held). With `epoch` (the
   * leader's fencing token, SiteLeadershipRepository.claim) the write is fenced: in the same transaction the site's
   * stored epoch is checked, and a write from a stale epoch is refused with StaleLeadershipError, nothing written.
   * The platform always fences; unfenced writes are for tools and tests.
   */
  record(siteId: string, agvId: string, nodes: readonly string[], at: number, epoch?: number): Promise<void>;
  /** Every AGV's last released nodes on the site, newest release first. */
  forSite(siteId: string): Promise<Map<string, string[]>>;
}

/**
 * Site leadership epochs: a counter per site bumped by every process that takes the site over. The epoch a leader got
 * is its fencing token: writes that matter for safety carry it, and the database refuses them once a later leader
 * claimed the site, so a leader that lost its lease without noticing cannot overwrite what its successor restored.
 */
export interface SiteLeadershipRepository {
  /** Takes the next epoch of the site (1 for the first leader) and returns it. Call only while holding the site lease. */
  claim(siteId: string, at: number): Promise<number>;
  /** The site's current epoch; undefined if no leader ever claimed it. */
  current(siteId: string): Promise<number | undefined>;
}

export interface Store {
  readonly agvs: AgvRepository;
  readonly zones: ZoneRepository;
  readonly holds: AgvHoldRepository;
  readonly runningData: RunningDataRepository;
  readonly tasks: TaskRepository;
  readonly outbox: OutboxRepository;
  readonly events: EventRepository;
  readonly webhooks: WebhookRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly settings: SettingsRepository;
  readonly alarms: AlarmRepository;
  readonly users: UserRepository;
  readonly loginSessions: LoginSessionRepository;
  readonly healthRuns: HealthRunRepository;
  readonly trafficHolds: TrafficHoldRepository;
  readonly leadership: SiteLeadershipRepository;
  /** Schema version after migrations. */
  readonly schemaVersion: number;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** SQLite file path, or ':memory:' for tests. */
  path: string;
}

/** Where the store lives: a SQLite file (the embedded default) or a PostgreSQL database. */
export type StoreLocation = { path: string } | { url: string };

/**
 * Leadership of one site among the platform processes that share its database: only the holder commands AGVs.
 * PostgreSQL: a session advisory lock held on a dedicated connection (docs/deployment.md, "Site failover").
 */
export interface SiteLease {
  /** Resolves once this process leads the site, waiting as long as another process does; rejects once closed. */
  acquire(): Promise<void>;
  /** True while this process leads the site. */
  readonly held: boolean;
  /**
   * Called once when leadership is lost after it was acquired (the lock connection broke or stopped answering):
   * another process may lead the site from now on, so this one must stop commanding at once.
   */
  onLost(listener: (reason: string) => void): void;
  /** Gives leadership up (or stops waiting for it) and closes the connection. */
  close(): Promise<void>;
}
