import type { Finding } from './types.ts';

// A high-risk finding costs 15 points and a low-risk one 4, so one high risk is visibly worse than a few low ones
// and a site needs about seven high risks to hit zero.
const PENALTY = { high: 15, low: 4 } as const;

export function healthScore(findings: readonly Finding[]): number {
  const penalty = findings.reduce((sum, f) => sum + PENALTY[f.risk], 0);
  return Math.max(0, 100 - penalty);
}
