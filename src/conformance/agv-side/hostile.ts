import { hostileInputs } from '../hostile-frames.ts';
import { fail, pass, type Scenario } from '../scenario.ts';
import type { AgvSide } from './harness.ts';
import { platformAnswersPing } from './heartbeat.ts';

// Hostile frames from an AGV (§4, §5): garbage, a bad CRC, an oversize length, unknown types. After each the
// platform must keep the session and answer a ping; an unknown optional type must be skipped without a nack.

export const hostile: Scenario<AgvSide> = {
  name: 'hostile-frames',
  async run(a) {
    const connections = a.connections;
    const nacked: string[] = [];
    for (const input of hostileInputs()) {
      const from = a.log.mark();
      a.sendRaw(input.bytes);
      if (!(await platformAnswersPing(a, 3_000)) || a.connections !== connections) {
        return fail(`after ${input.name}: ${a.connections !== connections || a.channel?.closed ? 'the platform closed the connection' : 'no pong to the next ping'}`);
      }
      const nack = a.log.ofKind('nack', from).some((n) => input.msgType !== undefined && n.message.ackedType === input.msgType);
      if (nack && input.silent) return fail(`nacked an ${input.name}, which must be skipped silently (§5)`);
      if (nack) nacked.push(input.name);
    }
    if (a.client.state !== 'active') return fail(`the session is ${a.client.state} after the hostile frames`);
    return pass(`session kept, heartbeats answered${nacked.length ? `; nacked ${nacked.join(', ')}` : ''}`);
  },
};
