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
    const period = a.client.globalConfig?.heartbeatPeriod;
    if (period === undefined) return fail('no globalConfig received');
    const wait = 2 * period + 1_000;
    const ping = await a.log.waitForKind('heartbeat', wait, 0, (m) => m.role === 'ping');
    // Platforms of protocol 1.0 answered pings but did not send their own; the AGV then relies on pongs and other
    // frames to see the platform alive. Such a platform is told (skip); from 1.1 on the platform must ping (§6).
    if (!ping && a.client.protocolVersion < 0x11) return skip(`the platform sent no ping within ${wait} ms and speaks protocol 1.0 (pings from the platform since 1.1)`);
    if (!ping) return fail(`the platform sent no ping within ${wait} ms (§6: from 1.1 each side pings every heartbeatPeriod)`);
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
