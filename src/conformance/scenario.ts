import type { ScenarioResult, ScenarioStatus } from './report.ts';

// A scenario is one scripted check against the peer under test. It returns pass, fail or skip (the peer does not
// offer an optional feature, or the run was not given what the check needs); an exception counts as a failure.

export interface Outcome {
  status: ScenarioStatus;
  detail: string;
}

export interface Scenario<Ctx> {
  name: string;
  run(ctx: Ctx): Promise<Outcome>;
}

export const pass = (detail: string): Outcome => ({ status: 'pass', detail });
export const fail = (detail: string): Outcome => ({ status: 'fail', detail });
export const skip = (detail: string): Outcome => ({ status: 'skip', detail });

/** Runs scenarios in order; each result is handed to onResult as soon as it is known (for live output). */
export async function runScenarios<Ctx>(scenarios: Scenario<Ctx>[], ctx: Ctx, onResult: (r: ScenarioResult) => void): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = await scenario.run(ctx);
    } catch (err) {
      outcome = fail(err instanceof Error ? err.message : String(err));
    }
    const result = { scenario: scenario.name, ...outcome, durationMs: performance.now() - started };
    results.push(result);
    onResult(result);
  }
  return results;
}
