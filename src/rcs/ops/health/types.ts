import type { HealthRunRecord } from '../../store/types.ts';
import type { Alarm, AlarmThresholds } from '../alarms/types.ts';
import type { AgvDetail, PlatformStatus, SiteMapView, TaskView, TrafficWait } from '../ports.ts';

export type Risk = 'high' | 'low';
export type CheckArea = 'agvs' | 'chargers' | 'map' | 'tasks' | 'traffic' | 'platform';

export interface Finding {
  /** Stable id of the check that produced it, so runs can be compared finding by finding. */
  check: string;
  area: CheckArea;
  risk: Risk;
  title: string;
  impact: string;
  fix: string;
  /** Objects concerned (AGV ids, node ids, task ids), capped for readability. */
  subjects: string[];
}

/** A stored diagnosis run with its findings. */
export interface HealthRun extends Omit<HealthRunRecord, 'findings'> {
  findings: Finding[];
}

export interface HealthComparison {
  from: { id: number; score: number; at: number };
  to: { id: number; score: number; at: number };
  scoreDelta: number;
  newFindings: Finding[];
  resolvedFindings: Finding[];
  persistingFindings: Finding[];
}

/** Everything a check may look at: one consistent snapshot, taken at the start of a run. */
export interface HealthContext {
  now: number;
  agvs: AgvDetail[];
  tasks: TaskView[];
  map: SiteMapView;
  openAlarms: Alarm[];
  waits: TrafficWait[];
  platform: PlatformStatus;
  thresholds: AlarmThresholds;
  process: { rssMb: number; eventLoopDelayP99Ms: number; heapUsedMb: number };
}

export interface HealthCheck {
  id: string;
  area: CheckArea;
  run(ctx: HealthContext): Omit<Finding, 'check' | 'area'>[];
}
