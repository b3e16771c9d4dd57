import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSm2KeyPair, type Sm2KeyPair } from '../../src/protocol/secure/index.ts';
import type { SimAgv } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { demoSite, loneSimAgv, waitFor } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';
import { accessRequest, rawConnect, type RawPeer } from './raw-peer.ts';

// The handshake queue over real TCP, with two sources (127.0.0.2 is a hostile client, the simulated AGVs come from
// 127.0.0.1): a hostile client that opens secure accesses and never finishes them holds slots only until the
// handshake deadline, fills only its own share of the line, and is answered busy with a retry hint; an AGV that
// was online stays online, and a legitimate AGV connecting meanwhile gets in.

const HOSTILE = '127.0.0.2';

describe('secure handshake queue', () => {
  let platform: PlatformHandle;
  const agvs: SimAgv[] = [];
  const raws: RawPeer[] = [];
  let flood: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    platform = await startPlatform(
      testConfig({ autoEnrol: false, webhooks: false, statusPeriodMs: 200, maxHandshakes: 2, handshakeQueue: 4, handshakeWaitMs: 1_500, handshakeTimeoutMs: 1_500 }),
      { site: await demoSite() },
    );
  });
  afterAll(async () => {
    clearInterval(flood);
    for (const agv of agvs) agv.stop();
    for (const raw of raws) raw.socket.destroy();
    await platform.stop();
  });

  async function enrol(id: string): Promise<Sm2KeyPair> {
    const keys = generateSm2KeyPair();
    await platform.store.agvs.enrol({ id, publicKeyHex: Buffer.from(keys.publicKey).toString('hex') });
    return keys;
  }

  function secureAgv(id: string, keys: Sm2KeyPair, node: number): SimAgv {
    const agv = loneSimAgv(platform, id, node, { secure: { ...keys, platformPublicKey: platform.platformPublicKey } });
    agvs.push(agv);
    agv.start();
    return agv;
  }

  async function hostileAccess(): Promise<RawPeer> {
    const peer = await rawConnect(platform.rcsPort, HOSTILE);
    raws.push(peer);
    peer.send(accessRequest('HSQ-X', 'secure'));
    return peer;
  }

  it('keeps a hostile source to its slots and share of the line while legitimate AGVs stay online and get in', async () => {
    secureAgv('HSQ-ONLINE', await enrol('HSQ-ONLINE'), 0);
    await waitFor('secure AGV online', () => platform.registry.get('HSQ-ONLINE')?.connection === 'online', 10_000);
    await enrol('HSQ-X');
    const legitKeys = await enrol('HSQ-LEGIT');

    // Both slots, the whole line and two more: the two extra ones are refused busy at once (the line is full and
    // theirs is the longest), the two admitted ones never send keyExchangeInit.
    const first: RawPeer[] = [];
    for (let i = 0; i < 8; i++) first.push(await hostileAccess());
    await waitFor('two admitted, two refused', () => first.filter((p) => p.find('accessResponse')?.result === 'accepted').length === 2
      && first.filter((p) => p.find('accessResponse')?.result === 'busy').length === 2, 5_000);
    const busy = first.map((p) => p.find('accessResponse')).filter((r) => r?.result === 'busy');
    for (const answer of busy) {
      expect(answer!.sessionId).toBeGreaterThanOrEqual(500);
      expect(answer!.detail).toMatch(/retry after \d+ ms/);
    }
    // And it keeps trying.
    flood = setInterval(() => void hostileAccess().catch(() => undefined), 100);

    const legit = secureAgv('HSQ-LEGIT', legitKeys, 5);
    const refusals: string[] = [];
    legit.client.on('refused', (_stage, reason) => refusals.push(reason));
    await waitFor('legitimate AGV online despite the flood', () => platform.registry.get('HSQ-LEGIT')?.connection === 'online', 20_000);
    clearInterval(flood);
    expect(platform.registry.get('HSQ-LEGIT')!.mode).toBe('secure');
    expect(platform.registry.get('HSQ-ONLINE')!.connection).toBe('online');
    // The stalled admissions were ended at the handshake deadline.
    await waitFor('stalled handshakes ended', () => first.filter((p) => p.find('accessResponse')?.result === 'accepted').every((p) => p.isClosed()), 5_000);
    const metrics = await platform.ops!.metrics.text();
    expect(metrics).toMatch(/unifleet_session_audit_total\{kind="access_refused",reason="handshake_timeout"\} [1-9]/);
    expect(metrics).toMatch(/unifleet_session_audit_total\{kind="access_refused",reason="busy_queue_full"\} [1-9]/);
    // Any busy answer the legitimate AGV got carried a hint it waited on (the SDK reports it as a refusal).
    for (const reason of refusals) expect(reason).toMatch(/^busy: .*retry after \d+ ms$/);
  });
});
