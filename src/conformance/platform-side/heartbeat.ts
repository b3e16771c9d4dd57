import { fail, pass, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Heartbeats (§6): the AGV pings a link it has been quiet on for heartbeatPeriod (an AGV reporting status more often
// never needs to), and answers the platform's ping with a pong echoing its seq.

export const heartbeat: Scenario<PlatformSide> = {
  name: 'heartbeat',
  async run(p) {
    p.link();
    const wait = 2 * p.options.heartbeatPeriodMs + 1_000;
    const from = p.log.mark();
    const ping = await p.log.waitForKind('heartbeat', wait, from, (m) => m.role === 'ping');
    if (ping && ping.origin !== 'agv') return fail('the AGV\'s ping says origin=platform');
    // No ping: the link must not have been quiet (§6 rule 1), i.e. status reports came meanwhile.
    if (!ping && !(await p.log.waitForKind('statusReport', 0, from))) return fail(`the AGV sent neither a heartbeat ping nor any status within ${wait} ms`);
    const alive = ping ? 'the AGV pings' : 'the AGV keeps the link alive with status reports';
    return (await answersPing(p, 3_000)) ? pass(`${alive}, and answers our ping with a matching pong`) : fail('no pong for our ping within 3000 ms');
  },
};

/** Sends a ping and waits for the pong that echoes it. */
export async function answersPing(p: PlatformSide, timeoutMs: number): Promise<boolean> {
  const from = p.log.mark();
  const seq = p.send({ kind: 'heartbeat', role: 'ping', origin: 'platform', echoSeq: 0 });
  return (await p.log.waitForKind('heartbeat', timeoutMs, from, (m) => m.role === 'pong' && m.echoSeq === seq)) !== undefined;
}
