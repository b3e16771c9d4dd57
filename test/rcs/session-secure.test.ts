import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSm2KeyPair } from '../../src/protocol/secure/index.ts';
import type { SimAgv } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { demoSite, loneSimAgv, sendGrantedHop, waitFor } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';

// Secure mode end to end over real TCP: SM2 key exchange, then SM4-encrypted, SM2-signed frames both ways.

describe('secure sessions', () => {
  let platform: PlatformHandle;
  const started: SimAgv[] = [];

  beforeAll(async () => {
    platform = await startPlatform(testConfig({ autoEnrol: false, webhooks: false, statusPeriodMs: 100 }), { site: await demoSite() });
  });
  afterAll(async () => {
    for (const agv of started) agv.stop();
    await platform.stop();
  });

  function secureAgv(id: string, keys: { privateKey: Uint8Array; publicKey: Uint8Array }, node: number): SimAgv {
    const agv = loneSimAgv(platform, id, node, { secure: { ...keys, platformPublicKey: platform.platformPublicKey } });
    started.push(agv);
    return agv;
  }

  it('runs an enrolled AGV over the protected channel and drives it', async () => {
    const keys = generateSm2KeyPair();
    await platform.store.agvs.enrol({ id: 'SEC-1', publicKeyHex: Buffer.from(keys.publicKey).toString('hex') });
    const agv = secureAgv('SEC-1', keys, 0);
    agv.start();
    await waitFor('secure AGV online', () => platform.registry.get('SEC-1')?.connection === 'online', 10_000);
    expect(platform.registry.get('SEC-1')!.mode).toBe('secure');
    await waitFor('status over the secure channel', () => platform.traffic.held('SEC-1').length === 1, 10_000);
    // A command round trip through the encrypted channel: one hop along an edge, sent once granted (held).
    const { outcome, from } = await sendGrantedHop(platform, 'SEC-1', 77);
    expect(outcome.ok).toBe(true);
    // Whether it follows this order or the parking order dispatch sends next, it moves: commands and status both
    // travel the protected channel.
    await waitFor('AGV moved', () => {
      const pose = platform.registry.get('SEC-1')!.pose;
      return Math.hypot(pose.x - from.x, pose.y - from.y) > 0.5;
    }, 10_000);
  });

  it('refuses an AGV whose key is not the enrolled one', async () => {
    const enrolled = generateSm2KeyPair();
    const impostor = generateSm2KeyPair();
    await platform.store.agvs.enrol({ id: 'SEC-2', publicKeyHex: Buffer.from(enrolled.publicKey).toString('hex') });
    const agv = secureAgv('SEC-2', impostor, 5);
    const refusals: string[] = [];
    agv.client.on('refused', (stage, reason) => refusals.push(`${stage}: ${reason}`));
    agv.start();
    await waitFor('refusal', () => refusals.length > 0, 10_000);
    agv.stop();
    expect(refusals[0]).toMatch(/KEY_EXCHANGE_FAILED/);
    expect(platform.registry.get('SEC-2')).toBeUndefined();
    const events = await platform.store.events.query({ type: 'access.refused' });
    expect(events.some((e) => e.message.includes('SEC-2') && e.message.includes('enrolled'))).toBe(true);
  });
});
