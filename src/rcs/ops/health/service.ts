import type { Database } from 'better-sqlite3';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Clock } from '../../../core/clock.ts';
import type { AlarmEngine } from '../alarms/engine.ts';
import type { FleetSource } from '../ports.ts';
import { fleetChecks } from './checks-fleet.ts';
import { siteChecks } from './checks-site.ts';
import { trafficChecks } from './checks-traffic.ts';
import { healthScore } from './score.ts';
import type { Finding, HealthCheck, HealthComparison, HealthContext, HealthRun } from './types.ts';

export class HealthRunNotFoundError extends Error {
  constructor(id: number) {
    super(`health run ${id} does not exist`);
  }
}

interface RunRow {
  id: number;
  started_at: number;
  finished_at: number;
  trigger: HealthRun['trigger'];
  score: number;
  findings: string;
}

const ALL_CHECKS: HealthCheck[] = [...fleetChecks, ...trafficChecks, ...siteChecks];

function fromRow(r: RunRow): HealthRun {
  const stored = JSON.parse(r.findings) as { checksRun: number; findings: Finding[] };
  return { id: r.id, startedAt: r.started_at, finishedAt: r.finished_at, trigger: r.trigger, score: r.score, ...stored };
}

/** Runs the fleet health diagnosis on demand or on a schedule, and keeps every run for comparison. */
export class HealthService {
  private readonly loopDelay: IntervalHistogram;
  private cancelSchedule: (() => void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly fleet: FleetSource,
    private readonly alarms: AlarmEngine,
    /** Process figures; injectable because event-loop delay on a shared machine is not something to test against. */
    private readonly processStats?: () => HealthContext['process'],
    private readonly checks: HealthCheck[] = ALL_CHECKS,
  ) {
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
  }

  run(trigger: HealthRun['trigger'] = 'manual'): HealthRun {
    const startedAt = this.clock.now();
    const ctx = this.context(startedAt);
    const findings: Finding[] = [];
    for (const check of this.checks) {
      try {
        for (const f of check.run(ctx)) findings.push({ check: check.id, area: check.area, ...f });
      } catch (err) {
        // A broken check is itself a finding; it must not hide the results of the others.
        findings.push({
          check: check.id,
          area: check.area,
          risk: 'low',
          title: `health check ${check.id} failed to run`,
          impact: 'this part of the diagnosis is missing',
          fix: `report the error: ${(err as Error).message}`,
          subjects: [],
        });
      }
    }
    findings.sort((a, b) => (a.risk === b.risk ? a.check.localeCompare(b.check) : a.risk === 'high' ? -1 : 1));
    const score = healthScore(findings);
    const finishedAt = this.clock.now();
    const info = this.db
      .prepare('INSERT INTO ops_health_runs (started_at, finished_at, trigger, score, findings) VALUES (?, ?, ?, ?, ?)')
      .run(startedAt, finishedAt, trigger, score, JSON.stringify({ checksRun: this.checks.length, findings }));
    return { id: Number(info.lastInsertRowid), startedAt, finishedAt, trigger, score, checksRun: this.checks.length, findings };
  }

  list(limit = 50): Omit<HealthRun, 'findings'>[] {
    const rows = this.db
      .prepare('SELECT * FROM ops_health_runs ORDER BY id DESC LIMIT ?')
      .all(Math.min(Math.max(1, limit), 500)) as RunRow[];
    return rows.map((r) => {
      const { findings, ...rest } = fromRow(r);
      return { ...rest, findingCount: findings.length } as Omit<HealthRun, 'findings'>;
    });
  }

  get(id: number): HealthRun {
    const row = this.db.prepare('SELECT * FROM ops_health_runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) throw new HealthRunNotFoundError(id);
    return fromRow(row);
  }

  compare(fromId: number, toId: number): HealthComparison {
    const from = this.get(fromId);
    const to = this.get(toId);
    const before = new Map(from.findings.map((f) => [f.check, f]));
    const after = new Map(to.findings.map((f) => [f.check, f]));
    return {
      from: { id: from.id, score: from.score, at: from.startedAt },
      to: { id: to.id, score: to.score, at: to.startedAt },
      scoreDelta: to.score - from.score,
      newFindings: to.findings.filter((f) => !before.has(f.check)),
      resolvedFindings: from.findings.filter((f) => !after.has(f.check)),
      persistingFindings: to.findings.filter((f) => before.has(f.check)),
    };
  }

  /** Runs the diagnosis every intervalMs of clock time until stopSchedule(); replaces any previous schedule. */
  schedule(intervalMs: number): void {
    this.stopSchedule();
    const tick = (): void => {
      this.run('schedule');
      this.cancelSchedule = this.clock.setTimeout(tick, intervalMs);
    };
    this.cancelSchedule = this.clock.setTimeout(tick, intervalMs);
  }

  stopSchedule(): void {
    this.cancelSchedule?.();
    this.cancelSchedule = null;
  }

  close(): void {
    this.stopSchedule();
    this.loopDelay.disable();
  }

  private context(now: number): HealthContext {
    return {
      now,
      agvs: [...this.fleet.agvs()],
      tasks: [...this.fleet.tasks()],
      map: this.fleet.siteMap(),
      openAlarms: this.alarms.active(),
      waits: this.fleet.trafficWaits?.() ?? [],
      platform: this.fleet.status(),
      thresholds: this.alarms.getThresholds(),
      process: this.processStats?.() ?? this.measureProcess(),
    };
  }

  private measureProcess(): HealthContext['process'] {
    const mem = process.memoryUsage();
    const p99 = this.loopDelay.count > 0 ? this.loopDelay.percentile(99) / 1e6 : 0;
    this.loopDelay.reset();
    return { rssMb: mem.rss / 2 ** 20, heapUsedMb: mem.heapUsed / 2 ** 20, eventLoopDelayP99Ms: p99 };
  }
}
