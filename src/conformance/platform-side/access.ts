import { PROTOCOL_VERSION } from '../../protocol/index.ts';
import { fail, pass, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Normal access (§6): the AGV connects, its first frame is an accessRequest whose version range includes ours.

const hex = (v: number) => `0x${v.toString(16)}`;

export const access: Scenario<PlatformSide> = {
  name: 'access',
  async run(p) {
    const peer = await p.connection(p.options.connectTimeoutMs);
    if (!peer) return fail(`no AGV connected to port ${p.port} within ${p.options.connectTimeoutMs} ms`);
    const first = await p.log.waitFor(() => true, 5_000);
    if (!first) return fail('the AGV sent nothing within 5000 ms of connecting');
    const m = first.frame.message;
    if (m.kind !== 'accessRequest') return fail(`first frame was ${m.kind}, not accessRequest`);
    const refuse = (result: 'unsupportedVersion' | 'refused', detail: string) => {
      p.send({ kind: 'accessResponse', result, version: 0, sessionId: 0, serverTime: Date.now(), detail });
      return fail(detail);
    };
    if (m.versionMin > PROTOCOL_VERSION || m.versionMax < PROTOCOL_VERSION) {
      return refuse('unsupportedVersion', `versions ${hex(m.versionMin)}…${hex(m.versionMax)} exclude ${hex(PROTOCOL_VERSION)}`);
    }
    if (m.mode === 'secure' && !p.options.key) return refuse('refused', 'the AGV asks for secure mode but the kit was given no --key');
    p.access = m;
    p.send({ kind: 'accessResponse', result: 'accepted', version: PROTOCOL_VERSION, sessionId: 1, serverTime: Date.now(), detail: '' });
    return pass(`${m.agvId} (${m.vendor}) asked for ${m.mode} mode, versions ${hex(m.versionMin)}…${hex(m.versionMax)}`);
  },
};
