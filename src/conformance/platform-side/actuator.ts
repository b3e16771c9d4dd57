import type { MessageOfKind } from '../../protocol/index.ts';
import { fail, pass, skip, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Actuator command (§8 actuatorCommand): the AGV acks, reports the action running, then finished, in
// statusReport.actions. The kit raises then lowers the first declared actuator, leaving it as it found it.

type Action = MessageOfKind<'actuatorCommand'>['action'];

export const actuator: Scenario<PlatformSide> = {
  name: 'actuator',
  async run(p) {
    const peer = p.link();
    const fitted = p.registration?.capabilities.actuators[0];
    if (!fitted) return skip('the AGV declared no actuator');
    const done: string[] = [];
    for (const direction of [1, -1]) {
      const action: Action = {
        actionId: p.id(),
        actuator: fitted.type,
        actuatorIndex: fitted.index,
        liftAdjust: fitted.type === 'lift' ? (direction > 0 ? 'toTop' : 'toBottom') : 'none',
        blocking: true,
        params: [{ param: 'direction', value: direction }],
      };
      const from = p.log.mark();
      const reply = await peer.request({ kind: 'actuatorCommand', action });
      if (!reply.ok) return reply.code === 'UNSUPPORTED_ACTION' ? skip(`actuator command not supported: ${reply.message}`) : fail(`actuator command refused: ${reply.code} ${reply.message}`);
      const settled = await p.log.waitForKind('statusReport', p.options.moveTimeoutMs, from, (s) => s.actions.some((x) => x.actionId === action.actionId && (x.state === 'finished' || x.state === 'failed')));
      const state = settled?.actions.find((x) => x.actionId === action.actionId)?.state;
      if (state !== 'finished') return fail(`action ${action.actionId} (${fitted.type}, direction ${direction}) ${state ? `reported ${state}` : `not reported finished within ${p.options.moveTimeoutMs} ms`}`);
      done.push(`${fitted.type} ${direction > 0 ? 'up' : 'down'}`);
    }
    return pass(`${done.join(', ')}: acked, reported finished`);
  },
};
