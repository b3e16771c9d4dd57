import { fail, pass, skip, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Charging command (§8 chargingCommand): start, then stop, each acked and visible in statusReport.charging. An AGV
// that cannot charge here (UNSUPPORTED_ACTION, or INVALID_STATE away from a charger) makes this a skip.

export const charging: Scenario<PlatformSide> = {
  name: 'charging',
  async run(p) {
    const peer = p.link();
    for (const action of ['start', 'stop'] as const) {
      const from = p.log.mark();
      const reply = await peer.request({ kind: 'chargingCommand', action, chargerId: 0, targetLevel: 0xffff });
      if (!reply.ok) {
        if (action === 'start' && (reply.code === 'UNSUPPORTED_ACTION' || reply.code === 'INVALID_STATE')) return skip(`charging not possible here: ${reply.code} ${reply.message}`);
        return fail(`charging ${action} refused: ${reply.code} ${reply.message}`);
      }
      const want = action === 'start';
      if (!(await p.log.waitForKind('statusReport', 5_000, from, (s) => s.charging === want))) return fail(`charging ${action} acked but status never showed charging=${want}`);
    }
    return pass('start and stop acked and reported');
  },
};
