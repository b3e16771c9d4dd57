import type { Clock } from '../../../core/clock.ts';
import { SEVERITIES, type AgvDetail, type SiteMapView } from '../ports.ts';
import { conditionsFor, newTrack, observe, type AgvTrack } from './rules.ts';
import type { AlarmStore } from './store.ts';
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
 */
export class AlarmEngine {
  private readonly open = new Map<string, Alarm>();
  private readonly tracks = new Map<string, AgvTrack>();
  private readonly listeners = new Set<AlarmListener>();
  private thresholds: AlarmThresholds;
  private readonly startedAt: number;

  constructor(
    private readonly store: AlarmStore,
    private readonly clock: Clock,
    thresholds: Partial<AlarmThresholds> = {},
  ) {
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
    this.startedAt = clock.now();
    for (const a of store.loadOpen()) this.open.set(a.key, a);
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
    }
    for (const id of this.tracks.keys()) if (!seen.has(id)) this.tracks.delete(id);

    const dirty: Alarm[] = [];
    const changes: AlarmChange[] = [];
    for (const c of holding.values()) {
      const change = this.apply(c, now, false);
      if (change) {
        changes.push(change);
        if (change.kind === 'updated') dirty.push(change.alarm);
      }
    }
    for (const alarm of [...this.open.values()]) {
      if (EVALUATED_KEY.test(alarm.key) && !holding.has(alarm.key)) {
        changes.push(this.close(alarm, now));
        dirty.push(alarm);
      }
    }
    this.store.saveAll(dirty);
    for (const c of changes) this.emit(c);
  }

  /** Raises (or refreshes) an alarm under a caller-chosen key, e.g. `planner:deadlock:agv-7`. */
  raise(condition: AlarmCondition): Alarm {
    const change = this.apply(condition, this.clock.now(), true);
    if (change) this.emit(change);
    return this.open.get(condition.key)!;
  }

  /** Clears the open alarm under key, if any. */
  clear(key: string): Alarm | undefined {
    const alarm = this.open.get(key);
    if (!alarm) return undefined;
    const change = this.close(alarm, this.clock.now());
    this.store.save(alarm);
    this.emit(change);
    return alarm;
  }

  acknowledge(id: number, by: string): Alarm {
    const alarm = [...this.open.values()].find((a) => a.id === id);
    if (!alarm) {
      const stored = this.store.get(id);
      if (!stored) throw new AlarmNotFoundError(id);
      throw new AlarmStateError(`alarm ${id} is ${stored.state} and can no longer be acknowledged`);
    }
    if (alarm.state === 'acknowledged') return alarm;
    alarm.state = 'acknowledged';
    alarm.acknowledgedAt = this.clock.now();
    alarm.acknowledgedBy = by;
    this.store.save(alarm);
    this.emit({ kind: 'acknowledged', alarm });
    return alarm;
  }

  active(): Alarm[] {
    return [...this.open.values()].sort((a, b) => b.id - a.id);
  }

  get(id: number): Alarm | undefined {
    return [...this.open.values()].find((a) => a.id === id) ?? this.store.get(id);
  }

  query(q: AlarmQuery): Alarm[] {
    return this.store.query(q);
  }

  countBySeverity(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
    for (const a of this.open.values()) counts[a.severity]!++;
    return counts;
  }

  /** Returns the change to announce, or null when nothing an operator would notice changed. */
  private apply(c: AlarmCondition, now: number, persist: boolean): AlarmChange | null {
    const existing = this.open.get(c.key);
    if (!existing) {
      const alarm = this.store.insert(c, now);
      this.open.set(c.key, alarm);
      return { kind: 'raised', alarm };
    }
    existing.lastSeenAt = now;
    const escalated = SEVERITIES.indexOf(c.severity) > SEVERITIES.indexOf(existing.severity);
    if (!escalated && !persist) return null;
    if (escalated) {
      existing.severity = c.severity;
      existing.message = c.message;
      // An escalation needs fresh eyes even if the milder alarm was acknowledged.
      if (existing.state === 'acknowledged') existing.state = 'raised';
    }
    existing.occurrences++;
    existing.taskId = c.taskId ?? existing.taskId;
    if (persist) this.store.save(existing);
    return { kind: 'updated', alarm: existing };
  }

  private close(alarm: Alarm, now: number): AlarmChange {
    alarm.state = 'cleared';
    alarm.clearedAt = now;
    this.open.delete(alarm.key);
    return { kind: 'cleared', alarm };
  }

  private emit(change: AlarmChange): void {
    for (const l of this.listeners) l(change);
  }
}
