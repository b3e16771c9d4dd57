import { delay } from '../frame-log.ts';
import { fail, pass, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Status period compliance (§6): while idle, the AGV reports every statusPeriod; the mean interval over a window
// must lie within the tolerance, and no gap may swallow several periods (a second at least, for short periods).

export const statusPeriod: Scenario<PlatformSide> = {
  name: 'status-period',
  async run(p) {
    p.link();
    const period = p.options.statusPeriodMs;
    const window = Math.max(2_000, 10 * period);
    const from = p.log.mark();
    await delay(window);
    const times = p.log.ofKind('statusReport', from).map((e) => e.at);
    if (times.length < 3) return fail(`${times.length} status reports in ${window} ms (configured every ${period} ms)`);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = (times.at(-1)! - times[0]!) / gaps.length;
    const maxGap = Math.max(...gaps);
    const tolerance = p.options.tolerance;
    const observed = `mean ${mean.toFixed(0)} ms, longest gap ${maxGap.toFixed(0)} ms over ${times.length} reports (configured ${period} ms ± ${Math.round(tolerance * 100)} %)`;
    if (Math.abs(mean - period) > tolerance * period) return fail(observed);
    if (maxGap > Math.max(4 * period, 1_000)) return fail(`${observed}: reports missing`);
    return pass(observed);
  },
};
