import { fail, pass, skip, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Secure access (§6, docs/secure-mode.md): SM2 key exchange, then every frame encrypted and signed.

export const secureAccess: Scenario<PlatformSide> = {
  name: 'secure-access',
  async run(p) {
    if (!p.access) return fail('no accepted access to build on');
    if (p.access.mode !== 'secure') return skip('the AGV connected in normal mode; run it in secure mode (and give --key) to test this');
    const error = await p.keyExchange(5_000);
    if (error) return fail(error);
    return pass('key exchange completed; frames are now encrypted and signed');
  },
};
