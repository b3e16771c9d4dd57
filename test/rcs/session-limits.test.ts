import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { generateSm2KeyPair } from '../../src/protocol/secure/index.ts';
import { SimAgv, VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import type { AgvSession } from '../../src/rcs/session/agv-session.ts';
import { demoSite, waitFor } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';
import { crc32 } from '../../src/protocol/index.ts';
import { accessed, accessRequest, frame, rawConnect, registered, type RawPeer } from './raw-peer.ts';

// Abuse resistance before and after access, over real TCP: a deadline for completing access whatever the peer
// sends, strikes for frames before access (no pong), per-source limits on unaccessed connections and key
// exchanges (a secure access past its source's budget is answered busy), and a per-connection frame budget
// enforced by pausing the socket.

const ACCESS_TIMEOUT_MS = 1_000;

describe('session limits', () => {
  let platform: PlatformHandle;
  let good: SimAgv;
  const raws: RawPeer[] = [];

  beforeAll(async () => {
    platform = await startPlatform(
      testConfig({
        autoEnrol: true, webhooks: false, statusPeriodMs: 200, accessTimeoutMs: ACCESS_TIMEOUT_MS, maxUnaccessedPerSource: 4,
        keyExchangesPerSecond: 0.001, keyExchangeBurst: 2, maxFramesPerSecond: 50,
      }),
      { site: await demoSite() },
    );
    const n = platform.site.nodes[0]!;
    good = new SimAgv({ id: 'LIM-GOOD', profile: VENDOR_PROFILES[0]!, serial: 'S-GOOD', start: { nodeNumber: 1, x: n.x, y: n.y }, mapNumber: 1, clock: systemClock, port: platform.rcsPort, selfTickMs: 50 });
    good.start();
    await waitFor('good AGV online', () => platform.registry.get('LIM-GOOD')?.connection === 'online', 10_000);
  });
  afterAll(async () => {
    good.stop();
    for (const raw of raws) raw.socket.destroy();
    await platform.stop();
  });

  async function raw(): Promise<RawPeer> {
    const peer = await rawConnect(platform.rcsPort);
    raws.push(peer);
    return peer;
  }

  it('nacks a heartbeat before access (no pong) and closes the connection at the third such frame', async () => {
    const peer = await raw();
    for (let i = 0; i < 3; i++) peer.send({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 });
    await peer.closed;
    expect(peer.messages.map((m) => (m.kind === 'nack' ? m.errorCode : m.kind))).toEqual(['NOT_ACCESSED', 'NOT_ACCESSED', 'NOT_ACCESSED']);
  });

  it('closes a connection that does not become active within the access deadline, even while it sends heartbeats', async () => {
    const peer = await raw();
    await accessed(peer, 'LIM-SLOW');
    const beat = setInterval(() => peer.send({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 }), 100);
    await peer.closed;
    clearInterval(beat);
    // It was answered while it lasted (access granted, heartbeats after access are fine) but never registered.
    expect(peer.messages.some((m) => m.kind === 'heartbeat' && m.role === 'pong')).toBe(true);
    expect(platform.registry.get('LIM-SLOW')).toBeUndefined();
    const events = await platform.store.events.query({ type: 'access.refused' });
    expect(events.some((e) => /not active \d+ ms after connecting/.test(e.message))).toBe(true);
  });

  it('refuses connections beyond the unaccessed limit of one source while accessed AGVs stay unaffected', async () => {
    const idle = await Promise.all(Array.from({ length: 4 }, () => raw()));
    const extra = await raw();
    await extra.closed;
    expect(extra.messages).toEqual([]);
    expect(idle.some((p) => p.isClosed())).toBe(false);
    expect(platform.registry.get('LIM-GOOD')!.connection).toBe('online');
    const metrics = await platform.ops!.metrics.text();
    expect(metrics).toMatch(/unifleet_session_audit_total\{kind="source_limited",reason="unaccessed_connections"\} [1-9]/);
    // Closing the idle ones frees the source: a new connection completes access.
    for (const p of idle) p.socket.destroy();
    await Promise.all(idle.map((p) => p.closed));
    await waitFor('a new connection is accepted', async () => {
      const next = await raw();
      next.send(accessRequest(`LIM-AFTER-${raws.length}`));
      await waitFor('answer or close', () => next.isClosed() || next.find('accessResponse') !== undefined, 5_000);
      next.socket.destroy();
      return next.find('accessResponse')?.result === 'accepted';
    }, 10_000);
  });

  it('answers secure accesses beyond the per-source key-exchange budget with busy and a retry hint, before any SM2 work', async () => {
    const keys = generateSm2KeyPair();
    await platform.store.agvs.enrol({ id: 'LIM-KEY', publicKeyHex: Buffer.from(keys.publicKey).toString('hex') });
    const outcomes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const peer = await raw();
      peer.send(accessRequest('LIM-KEY', 'secure'));
      await waitFor('secure access accepted', () => peer.find('accessResponse')?.result === 'accepted', 5_000);
      // A well-formed init with the enrolled key but a bogus ephemeral point: the key exchange itself fails.
      peer.send({ kind: 'keyExchangeInit', ephemeralPublicKey: keys.publicKey, staticPublicKey: keys.publicKey, userId: Buffer.from('1234567812345678') });
      await peer.closed;
      outcomes.push(peer.find('nack')?.errorCode ?? (peer.find('keyExchangeReply') ? 'reply' : 'none'));
    }
    expect(outcomes).not.toContain('BUSY');
    // The budget (burst 2, 0.001/s) is spent: the next start is ~1000 s away, far beyond the queue's wait, so the
    // access is refused at once with the longest hint, and no key exchange is started.
    const peer = await raw();
    peer.send(accessRequest('LIM-KEY', 'secure'));
    await peer.closed;
    expect(peer.find('accessResponse')).toMatchObject({ result: 'busy', version: 0, sessionId: 30_000 });
    expect(peer.find('accessResponse')!.detail).toMatch(/too many key exchanges from this source; retry after 30000 ms/);
    expect(peer.find('keyExchangeReply')).toBeUndefined();
    const metrics = await platform.ops!.metrics.text();
    expect(metrics).toMatch(/unifleet_session_audit_total\{kind="access_refused",reason="busy_key_exchange_rate"\} [1-9]/);
  });

  it('stops reading a connection over its frame budget and serves the rest later, without dropping or closing it', async () => {
    const peer = await raw();
    await registered(peer, 'LIM-FLOOD');
    await waitFor('LIM-FLOOD online', () => platform.registry.get('LIM-FLOOD')?.connection === 'online', 5_000);
    const session = platform.registry.live('LIM-FLOOD')!.link as AgvSession;
    // Pongs only: the platform's own liveness pings are heartbeats too and may arrive while the flood is served.
    const pongs = () => peer.messages.filter((m) => m.kind === 'heartbeat' && m.role === 'pong').length;
    const pongsBefore = pongs();
    for (let burst = 0; burst < 3; burst++) {
      for (let i = 0; i < 100; i++) peer.send({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 });
    }
    await waitFor('every ping answered', () => pongs() - pongsBefore === 300, 20_000);
    expect(session.peer.throttled).toBeGreaterThan(0);
    expect(platform.registry.get('LIM-FLOOD')!.connection).toBe('online');
    expect(platform.registry.get('LIM-GOOD')!.connection).toBe('online');
  });

  it('counts a rejected secure frame by its code and logs it', async () => {
    const peer = await raw();
    await registered(peer, 'LIM-PLAIN');
    await waitFor('LIM-PLAIN online', () => platform.registry.get('LIM-PLAIN')?.connection === 'online', 5_000);
    // A heartbeat flagged ENCRYPTED on a normal-mode session, its checks recomputed so only the flag is wrong.
    const bytes = Uint8Array.from(frame({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 }));
    const view = new DataView(bytes.buffer);
    bytes[3] = 0x01;
    view.setUint16(22, crc32(bytes, 0, 22) & 0xffff);
    view.setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4));
    peer.socket.write(bytes);
    await waitFor('nack', () => peer.find('nack') !== undefined, 5_000);
    const code = peer.find('nack')!.errorCode;
    expect(code).toBe('NO_SESSION_KEY');
    const metrics = await platform.ops!.metrics.text();
    expect(metrics).toMatch(/unifleet_session_audit_total\{kind="secure_frame_rejected",reason="NO_SESSION_KEY"\} [1-9]/);
    const events = await platform.store.events.query({ type: 'secure.frame_rejected' });
    expect(events.some((e) => e.message.includes('LIM-PLAIN'))).toBe(true);
  });
});
