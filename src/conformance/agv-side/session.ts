import { configProblems } from '../checks.ts';
import { fail, pass, type Scenario } from '../scenario.ts';
import type { AgvSide } from './harness.ts';

// Access, registration and configuration as an AGV (§6): the platform accepts a plausible AGV, acknowledges its
// registration and pushes a coherent globalConfig; the session then becomes active.

const hex = (v: number) => `0x${v.toString(16)}`;

export const access: Scenario<AgvSide> = {
  name: 'access',
  async run(a) {
    a.start();
    const reply = await a.log.waitForKind('accessResponse', a.options.connectTimeoutMs);
    if (!reply) return fail(`no accessResponse from ${a.options.host}:${a.options.port} within ${a.options.connectTimeoutMs} ms${a.connections === 0 ? ' (could not connect)' : ''}`);
    if (reply.result !== 'accepted') return fail(`access ${reply.result}: ${reply.detail}`);
    return pass(`accepted ${a.options.agvId} in normal mode, version ${hex(reply.version)}, session ${reply.sessionId}`);
  },
};

export const registration: Scenario<AgvSide> = {
  name: 'registration',
  async run(a) {
    const ack = await a.log.waitForKind('registerAck', 5_000);
    if (!ack) return fail(`no registerAck within 5000 ms${a.refusals.length ? ` (${a.refusals.join('; ')})` : ''}`);
    if (ack.result !== 'accepted') return fail(`registration ${ack.result}: ${ack.detail}`);
    return pass('registration accepted');
  },
};

export const config: Scenario<AgvSide> = {
  name: 'config',
  async run(a) {
    const entry = await a.log.waitFor((f) => f.message.kind === 'globalConfig', 5_000);
    if (!entry || entry.frame.message.kind !== 'globalConfig') return fail('no globalConfig within 5000 ms of registration');
    const g = entry.frame.message;
    const problems = configProblems(g);
    if (problems.length > 0) return fail(problems.join('; '));
    if (!(await a.waitForState('active', 5_000))) return fail('the session did not become active after globalConfigAck');
    return pass(`status every ${g.statusPeriod} ms, heartbeat ${g.heartbeatPeriod}/${g.heartbeatTimeout} ms; session active`);
  },
};
