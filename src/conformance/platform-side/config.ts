import { fail, pass, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Global configuration (§6, §8 globalConfig): the AGV answers with globalConfigAck(ok) and starts reporting status.

export const config: Scenario<PlatformSide> = {
  name: 'config',
  async run(p) {
    const o = p.options;
    p.config = {
      statusPeriod: o.statusPeriodMs,
      heartbeatPeriod: o.heartbeatPeriodMs,
      heartbeatTimeout: o.heartbeatTimeoutMs,
      runningDataPeriod: 0,
      batteryLow: 200,
      batteryCritical: 100,
      localisationScoreMin: 50,
      maxClockSkew: 30_000,
    };
    const from = p.log.mark();
    p.send({ kind: 'globalConfig', ...p.config });
    const ack = await p.log.waitForKind('globalConfigAck', 5_000, from);
    if (!ack) return fail('no globalConfigAck within 5000 ms');
    if (ack.result !== 'ok') return fail(`globalConfigAck result ${ack.result}`);
    p.startPinging();
    const wait = 2 * o.statusPeriodMs + 2_000;
    if (!(await p.log.waitForKind('statusReport', wait, from))) return fail(`no statusReport within ${wait} ms of the config`);
    return pass(`acknowledged (status every ${o.statusPeriodMs} ms, heartbeat ${o.heartbeatPeriodMs}/${o.heartbeatTimeoutMs} ms)`);
  },
};
