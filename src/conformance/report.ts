// Scenario outcomes and how they are printed: one line per scenario for people, or one JSON object per line for
// tools, and a summary. The exit code is the caller's business (non-zero when any scenario failed).

export type ScenarioStatus = 'pass' | 'fail' | 'skip';

export interface ScenarioResult {
  scenario: string;
  status: ScenarioStatus;
  /** Why it failed or was skipped, or what was observed when it passed. */
  detail: string;
  durationMs: number;
}

export interface ConformanceSummary {
  summary: true;
  direction: 'listen' | 'rcs';
  passed: number;
  failed: number;
  skipped: number;
  ok: boolean;
}

export interface ConformanceReport {
  direction: 'listen' | 'rcs';
  results: ScenarioResult[];
  summary: ConformanceSummary;
}

export function summarise(direction: 'listen' | 'rcs', results: ScenarioResult[]): ConformanceSummary {
  const count = (status: ScenarioStatus) => results.filter((r) => r.status === status).length;
  return { summary: true, direction, passed: count('pass'), failed: count('fail'), skipped: count('skip'), ok: count('fail') === 0 };
}

export function formatResultLine(result: ScenarioResult, json: boolean): string {
  if (json) return JSON.stringify(result);
  const tag = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' }[result.status];
  return `${tag}  ${result.scenario.padEnd(26)} ${result.detail} (${Math.round(result.durationMs)} ms)`;
}

export function formatSummary(summary: ConformanceSummary, json: boolean): string {
  if (json) return JSON.stringify(summary);
  return `${summary.ok ? 'CONFORMANT' : 'NOT CONFORMANT'}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`;
}
