import { hostileInputs } from '../hostile-frames.ts';
import { fail, pass, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';
import { answersPing } from './heartbeat.ts';

// Hostile frames from the platform side (§4, §5): garbage, a bad CRC, an oversize length, unknown types. After
// each the AGV must still be connected and answer a ping; an unknown optional type must be skipped without a nack.

export const hostile: Scenario<PlatformSide> = {
  name: 'hostile-frames',
  async run(p) {
    const peer = p.link();
    const nacked: string[] = [];
    for (const input of hostileInputs()) {
      const from = p.log.mark();
      peer.channel.send(input.bytes);
      if (!(await answersPing(p, 3_000))) return fail(`after ${input.name}: ${peer.closed ? 'the AGV closed the connection' : 'no pong to the next ping'}`);
      const nack = p.log.ofKind('nack', from).some((n) => input.msgType !== undefined && n.message.ackedType === input.msgType);
      if (nack && input.silent) return fail(`nacked an ${input.name}, which must be skipped silently (§5)`);
      if (nack) nacked.push(input.name);
    }
    return pass(`stayed up and kept answering heartbeats${nacked.length ? `; nacked ${nacked.join(', ')}` : '; nacked none (skipping is allowed)'}`);
  },
};
