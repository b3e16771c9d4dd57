import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Clock } from '../../../core/clock.ts';
import type { HealthRunRecord, HealthRunRepository } from '../../store/types.ts';
import type { Logger } from '../../logger.ts';
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

const ALL_CHECKS: HealthCheck[] = [...fleetChecks, ...trafficChecks, ...siteChecks];

// The store keeps findings as opaque JSON; these are the ones run() wrote.
const fromRecord = (r: HealthRunRecord): HealthRun => ({ ...r, findings: r.findings as Finding[] });

/** Runs the fleet health diagnosis on demand or on a schedule, and keeps every run for comparison. */
export class HealthService {
  private readonly loopDelay: IntervalHistogram;
  private cancelSchedule: (() => void) | null = null;
  /** Scheduled runs still being stored: a listing waits for them. */
  private readonly storing = new Set<Promise<unknown>>();

  constructor(
    private readonly runs: HealthRunRepository,
    private readonly clock: Clock,
    private readonly fleet: FleetSource,
    private readonly alarms: AlarmEngine,
    private readonly logger: Logger,
    /** Process figures; injectable because event-loop delay on a shared machine is not something to test against. */
    private readonly processStats?: () => HealthContext['process'],
    private readonly checks: HealthCheck[] = ALL_CHECKS,
  ) {
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
  }

  async run(trigger: HealthRun['trigger'] = 'manual'): Promise<HealthRun> {
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
    return fromRecord(await this.runs.insert({ startedAt, finishedAt, trigger, score, checksRun: this.checks.length, findings }));
  }

  async list(limit = 50): Promise<Omit<HealthRun, 'findings'>[]> {
    await Promise.allSettled(this.storing);
    return (await this.runs.list(limit)).map(({ findings, ...rest }) => ({ ...rest, findingCount: findings.length }) as Omit<HealthRun, 'findings'>);
  }

  async get(id: number): Promise<HealthRun> {
    const run = await this.runs.get(id);
    if (!run) throw new HealthRunNotFoundError(id);
    return fromRecord(run);
  }

  async compare(fromId: number, toId: number): Promise<HealthComparison> {
    const [from, to] = await Promise.all([this.get(fromId), this.get(toId)]);
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
      const stored = this.run('schedule')
        .catch((err: unknown) => this.logger.error({ err }, 'ops: scheduled health run failed'))
        .finally(() => this.storing.delete(stored));
      this.storing.add(stored);
      this.cancelSchedule = this.clock.setTimeout(tick, intervalMs);
    };
    this.cancelSchedule = this.clock.setTimeout(tick, intervalMs);
  }

  stopSchedule(): void {
    this.cancelSchedule?.();
    this.cancelSchedule = null;
  }

  /** Stops the schedule; resolves once runs already started are stored. */
  async close(): Promise<void> {
    this.stopSchedule();
    this.loopDelay.disable();
    await Promise.allSettled(this.storing);
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
