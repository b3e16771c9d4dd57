import { fail, pass, skip, type Scenario } from '../scenario.ts';
import type { AgvSide } from './harness.ts';

// Heartbeats as an AGV (§6): the platform answers a ping with a pong echoing its seq, and pings on its own.

export const heartbeat: Scenario<AgvSide> = {
  name: 'heartbeat',
  async run(a) {
    return (await platformAnswersPing(a, 3_000)) ? pass('the platform answers our ping with a matching pong') : fail('no pong for our ping within 3000 ms');
  },
};

export const platformHeartbeat: Scenario<AgvSide> = {
  name: 'platform-heartbeat',
  async run(a) {
    const config = a.client.globalConfig;
    if (config === undefined) return fail('no globalConfig received');
    // The latest a platform pings a quiet link (§6 rule 1), plus a second of slack.
    const wait = Math.max(config.heartbeatPeriod, config.heartbeatTimeout / 3) + config.heartbeatPeriod + 1_000;
    const from = a.log.mark();
    const started = performance.now();
    const ping = await a.log.waitForKind('heartbeat', wait, 0, (m) => m.role === 'ping');
    // Platforms of protocol 1.0 answered pings but did not send their own; the AGV then relies on pongs and other
    // frames to see the platform alive. Such a platform is told (skip); from 1.1 on the platform must ping (§6).
    if (!ping && a.client.protocolVersion < 0x11) return skip(`the platform sent no ping within ${wait} ms and speaks protocol 1.0 (pings from the platform since 1.1)`);
    if (!ping) {
      // A platform pings only a link it has been quiet on (§6 rule 1): any other frame (an order, a pong to the kit's
      // own ping) keeps the link alive instead, as long as no gap in the window is longer than the wait.
      const times = [started, ...a.log.frames.slice(from).map((f) => f.at), performance.now()];
      const longest = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
      if (times.length > 2 && longest <= wait) return pass(`the platform's other frames kept the link alive (longest gap ${Math.round(longest)} ms), so it needed no ping (§6 rule 1)`);
      return fail(`the platform left the link quiet for ${Math.round(longest)} ms without a ping (§6: from 1.1 the platform pings a link it was quiet on)`);
    }
    if (ping.origin !== 'platform') return fail('the platform\'s ping says origin=agv');
    return pass('the platform pings; the SDK answered');
  },
};

/** Sends a ping of the kit's own and waits for the pong that echoes it. */
export async function platformAnswersPing(a: AgvSide, timeoutMs: number): Promise<boolean> {
  const from = a.log.mark();
  const seq = a.inject({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 });
  return (await a.log.waitForKind('heartbeat', timeoutMs, from, (m) => m.role === 'pong' && m.echoSeq === seq)) !== undefined;
}
