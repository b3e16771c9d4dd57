import { fail, pass, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Heartbeats (§6): the AGV pings every heartbeatPeriod, and answers the platform's ping with a pong echoing its seq.

export const heartbeat: Scenario<PlatformSide> = {
  name: 'heartbeat',
  async run(p) {
    p.link();
    const wait = 2 * p.options.heartbeatPeriodMs + 1_000;
    const ping = await p.log.waitForKind('heartbeat', wait, 0, (m) => m.role === 'ping');
    if (!ping) return fail(`the AGV sent no heartbeat ping within ${wait} ms`);
    if (ping.origin !== 'agv') return fail('the AGV\'s ping says origin=platform');
    return (await answersPing(p, 3_000)) ? pass('the AGV pings, and answers our ping with a matching pong') : fail('no pong for our ping within 3000 ms');
  },
};

/** Sends a ping and waits for the pong that echoes it. */
export async function answersPing(p: PlatformSide, timeoutMs: number): Promise<boolean> {
  const from = p.log.mark();
  const seq = p.send({ kind: 'heartbeat', role: 'ping', origin: 'platform', echoSeq: 0 });
  return (await p.log.waitForKind('heartbeat', timeoutMs, from, (m) => m.role === 'pong' && m.echoSeq === seq)) !== undefined;
}
