import { keyPairFromPrivateKey } from '../../protocol/secure/index.ts';
import { AgvClient } from '../../agv/sdk/client.ts';
import { connectTcp } from '../../agv/transport/index.ts';
import { fail, pass, skip, type Scenario } from '../scenario.ts';
import { idleStatus, kitRegistration, type AgvSide } from './harness.ts';

// Secure access as an AGV (§6, docs/secure-mode.md): an SDK client in secure mode, with the AGV key enrolled on the
// platform and the platform key pinned, completes the SM2 key exchange and registers over protected frames.

export const secureAccess: Scenario<AgvSide> = {
  name: 'secure-access',
  async run(a) {
    const o = a.options;
    if (!o.key || !o.platformKey) return skip('needs --key (the AGV private key enrolled as ' + o.secureAgvId + ') and --platform-key');
    const keys = keyPairFromPrivateKey(o.key);
    const client = new AgvClient({
      agvId: o.secureAgvId,
      mode: 'secure',
      secure: { ...keys, platformPublicKey: o.platformKey },
      connect: () => connectTcp(o.host, o.port),
      registration: kitRegistration(`KIT-${o.secureAgvId}`, o.mapId),
      status: () => idleStatus(o.mapId),
    });
    const refusals: string[] = [];
    client.on('refused', (stage, reason) => refusals.push(`${stage}: ${reason}`));
    const refused = new Promise<false>((resolve) => client.on('refused', () => resolve(false)));
    client.start();
    try {
      const active = await Promise.race([a.waitForState('active', 10_000, client), refused]);
      if (!active) return fail(refusals.length ? refusals.join('; ') : 'the secure session did not become active within 10000 ms');
      return pass(`${o.secureAgvId}: key exchange, registration and config over protected frames`);
    } finally {
      client.stop();
    }
  },
};
