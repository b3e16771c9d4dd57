import type { Clock } from '../../../core/clock.ts';
import { runToEnd } from '../../../core/slices.ts';
import { SEVERITIES, type AgvDetail, type SiteMapView } from '../ports.ts';
import { conditionsFor, newTrack, observe, type AgvTrack } from './rules.ts';
import type { AlarmRepository } from '../../store/types.ts';
import { DEFAULT_THRESHOLDS, type Alarm, type AlarmCondition, type AlarmQuery, type AlarmThresholds } from './types.ts';

export type AlarmChange = { kind: 'raised' | 'updated' | 'acknowledged' | 'cleared'; alarm: Alarm };
export type AlarmListener = (change: AlarmChange) => void;

export class AlarmNotFoundError extends Error {
  constructor(id: number) {
    super(`alarm ${id} does not exist`);
  }
}
export class AlarmStateError extends Error {
  override readonly name = 'AlarmStateError';
}

// Keys that evaluate() owns: it raises them when their condition holds and clears them when it no longer does.
// Other components may raise alarms under their own keys with raise()/clear().
const EVALUATED_KEY = /^(platform|agv):/;

/**
 * The alarm lifecycle: a condition that starts to hold raises an alarm (one per key while open — repeats only bump
 * occurrences and may escalate severity), an operator acknowledges it, and it clears when its condition stops
 * holding. A cleared alarm stays in history; if the condition returns, it is a new alarm.
 *
 * The lifecycle runs in memory, synchronously, so a fleet pass sees the result of the previous one at once; its
 * writes go to the store one after another in the order they happened, and listeners hear of a change once it is
 * stored (a new alarm has its id only then).
 */
export class AlarmEngine {
  private readonly open = new Map<string, Alarm>();
  private readonly tracks = new Map<string, AgvTrack>();
  private readonly listeners = new Set<AlarmListener>();
  private thresholds: AlarmThresholds;
  private readonly startedAt: number;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: AlarmRepository,
    private readonly clock: Clock,
    thresholds: Partial<AlarmThresholds> = {},
    private readonly onWriteError: (err: unknown) => void = () => {},
  ) {
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
    this.startedAt = clock.now();
  }

  /** Resumes the alarms still open from before a restart (call once, before the first evaluation). */
  async load(): Promise<void> {
    for (const a of await this.store.open()) this.open.set(a.key, a);
  }

  /** Resolves once every change made so far is stored and announced. */
  flush(): Promise<void> {
    return this.writes;
  }

  setThresholds(t: Partial<AlarmThresholds>): void {
    this.thresholds = { ...this.thresholds, ...t };
  }

  getThresholds(): AlarmThresholds {
    return { ...this.thresholds };
  }

  onChange(listener: AlarmListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs the platform rules and the AGVs' own alarm reports over a fleet snapshot. */
  evaluate(agvs: Iterable<AgvDetail>, map: SiteMapView): void {
    runToEnd(this.evaluation(agvs, map));
  }

  /**
   * evaluate() as steps, one per AGV, so that a large fleet's pass can be spread over several event-loop turns
   * (runInSlices). The alarms change only at the end, all at once, as with evaluate().
   */
  *evaluation(agvs: Iterable<AgvDetail>, map: SiteMapView): Generator<void, void> {
    const now = this.clock.now();
    const chargerNodes = new Set(map.chargers.map((c) => c.node));
    const holding = new Map<string, AlarmCondition>();
    const seen = new Set<string>();
    const openByAgv = new Map<string, Alarm[]>();
    for (const a of this.open.values()) {
      if (a.agvId && EVALUATED_KEY.test(a.key)) openByAgv.set(a.agvId, [...(openByAgv.get(a.agvId) ?? []), a]);
    }
    const inStartupGrace = now - this.startedAt < this.thresholds.heartbeatTimeoutMs;
    for (const agv of agvs) {
      seen.add(agv.id);
      const track = observe(this.tracks.get(agv.id) ?? newTrack(now), agv, now, chargerNodes, this.thresholds);
      this.tracks.set(agv.id, track);
      const silent = agv.connection === 'offline' || now - agv.lastSeen > this.thresholds.heartbeatTimeoutMs;
      if (silent) {
        // A silent AGV's last readings are stale: its alarms neither clear nor multiply until it reports again.
        for (const a of openByAgv.get(agv.id) ?? []) holding.set(a.key, { ...a, taskId: a.taskId });
        // Right after a platform (re)start AGVs are still reconnecting; that is not a lost heartbeat.
        if (inStartupGrace) continue;
      }
      for (const c of conditionsFor(agv, track, now, this.thresholds)) holding.set(c.key, c);
      yield;
    }
    for (const id of this.tracks.keys()) if (!seen.has(id)) this.tracks.delete(id);

    const changes: AlarmChange[] = [];
    for (const c of holding.values()) {
      const change = this.apply(c, now, false);
      if (change) changes.push(change);
    }
    for (const alarm of [...this.open.values()]) {
      if (EVALUATED_KEY.test(alarm.key) && !holding.has(alarm.key)) changes.push(this.close(alarm, now));
    }
    if (changes.length > 0) void this.record(changes);
  }

  /** Raises (or refreshes) an alarm under a caller-chosen key, e.g. `planner:deadlock:agv-7`. */
  async raise(condition: AlarmCondition): Promise<Alarm> {
    const change = this.apply(condition, this.clock.now(), true)!;
    await this.record([change]);
    return change.alarm;
  }

  /** Clears the open alarm under key, if any. */
  async clear(key: string): Promise<Alarm | undefined> {
    const alarm = this.open.get(key);
    if (!alarm) return undefined;
    const change = this.close(alarm, this.clock.now());
    await this.record([change]);
    return change.alarm;
  }

  async acknowledge(id: number, by: string): Promise<Alarm> {
    const alarm = this.active().find((a) => a.id === id);
    if (!alarm) {
      const stored = await this.get(id);
      if (!stored) throw new AlarmNotFoundError(id);
      throw new AlarmStateError(`alarm ${id} is ${stored.state} and can no longer be acknowledged`);
    }
    if (alarm.state === 'acknowledged') return alarm;
    alarm.state = 'acknowledged';
    alarm.acknowledgedAt = this.clock.now();
    alarm.acknowledgedBy = by;
    const change: AlarmChange = { kind: 'acknowledged', alarm };
    await this.record([change]);
    return change.alarm;
  }

  /** Open alarms that are stored (a just-raised one joins once it has its id), newest first. */
  active(): Alarm[] {
    return [...this.open.values()].filter((a) => a.id > 0).sort((a, b) => b.id - a.id);
  }

  async get(id: number): Promise<Alarm | undefined> {
    await this.writes;
    return this.active().find((a) => a.id === id) ?? this.store.get(id);
  }

  /** Sees every change made before the call. */
  async query(q: AlarmQuery): Promise<Alarm[]> {
    await this.writes;
    return this.store.query(q);
  }

  countBySeverity(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
    for (const a of this.open.values()) counts[a.severity]!++;
    return counts;
  }

  /** Returns the change to announce and store, or null when nothing an operator would notice changed. */
  private apply(c: AlarmCondition, now: number, explicit: boolean): AlarmChange | null {
    const existing = this.open.get(c.key);
    if (!existing) {
      // Id 0 until stored.
      const alarm: Alarm = {
        ...c, id: 0, state: 'raised', occurrences: 1, raisedAt: now, lastSeenAt: now, acknowledgedAt: null, acknowledgedBy: null, clearedAt: null,
      };
      this.open.set(c.key, alarm);
      return { kind: 'raised', alarm };
    }
    existing.lastSeenAt = now;
    const escalated = SEVERITIES.indexOf(c.severity) > SEVERITIES.indexOf(existing.severity);
    if (!escalated && !explicit) return null;
    if (escalated) {
      existing.severity = c.severity;
      existing.message = c.message;
      // An escalation needs fresh eyes even if the milder alarm was acknowledged.
      if (existing.state === 'acknowledged') existing.state = 'raised';
    }
    existing.occurrences++;
    existing.taskId = c.taskId ?? existing.taskId;
    return { kind: 'updated', alarm: existing };
  }

  private close(alarm: Alarm, now: number): AlarmChange {
    alarm.state = 'cleared';
    alarm.clearedAt = now;
    this.open.delete(alarm.key);
    return { kind: 'cleared', alarm };
  }

  /**
   * Queues the changes' writes behind earlier ones: new alarms are inserted (and get their id), the others saved in
   * one transaction, then the changes are announced with the alarm as it was when the change happened.
   */
  private record(changes: AlarmChange[]): Promise<void> {
    const snapshots = changes.map((c) => ({ kind: c.kind, alarm: c.alarm, was: { ...c.alarm } }));
    const write = async (): Promise<void> => {
      const announced: typeof snapshots = [];
      for (const s of snapshots) {
        if (s.kind !== 'raised') continue;
        try {
          s.alarm.id = (await this.store.insert(s.alarm, s.alarm.raisedAt)).id;
          announced.push(s);
        } catch (err) {
          // Forget it, so the next pass raises it again instead of keeping an alarm nobody can see.
          if (this.open.get(s.alarm.key) === s.alarm) this.open.delete(s.alarm.key);
          this.onWriteError(err);
        }
      }
      const saved = snapshots.filter((s) => s.kind !== 'raised' && s.alarm.id > 0);
      try {
        await this.store.save([...new Set(saved.map((s) => s.alarm))]);
        announced.push(...saved);
      } catch (err) {
        this.onWriteError(err);
      }
      for (const s of snapshots) if (announced.includes(s)) this.emit({ kind: s.kind, alarm: { ...s.was, id: s.alarm.id } });
    };
    this.writes = this.writes.then(write);
    return this.writes;
  }

  private emit(change: AlarmChange): void {
    for (const l of this.listeners) l(change);
  }
}
