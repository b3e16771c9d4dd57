import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { crc32, createSecureProtector, encodeFrame, FrameDecoder, FrameFlags, type FrameProtector, type Message } from '../../src/protocol/index.ts';
import { generateSm2KeyPair, KeyExchangeInitiator, SecureSession, type Sm2KeyPair } from '../../src/protocol/secure/index.ts';
import { SimAgv, VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { PLATFORM_USER_ID } from '../../src/rcs/session/sm2-handshake.ts';
import { demoSite, waitFor } from './e2e-harness.ts';
import { registerRequest } from './raw-peer.ts';
import { testConfig } from './test-config.ts';

// The connection tier: two protocol gateway processes terminate TCP and the secure channel, the platform process
// keeps the sessions. Real sockets, real child processes, real SM2/SM4.

describe('protocol gateways', () => {
  let platform: PlatformHandle;
  const started: SimAgv[] = [];

  beforeAll(async () => {
    platform = await startPlatform(testConfig({ autoEnrol: false, webhooks: false, statusPeriodMs: 100, gateways: 2 }), { site: await demoSite() });
  });
  afterAll(async () => {
    for (const agv of started) agv.stop();
    await platform.stop();
  });

  function simAgv(id: string, node: number, keys?: Sm2KeyPair): SimAgv {
    const n = platform.site.nodes[node]!;
    const agv = new SimAgv({
      id, profile: VENDOR_PROFILES[1]!, serial: `SER-${id}`, start: { nodeNumber: node + 1, x: n.x, y: n.y }, mapNumber: 1, clock: systemClock,
      port: platform.rcsPort, selfTickMs: 50, ...(keys ? { secure: { ...keys, platformPublicKey: platform.platformPublicKey } } : {}),
    });
    started.push(agv);
    return agv;
  }

  it('runs plain and secure AGVs through the gateways and drives them', async () => {
    const keys = generateSm2KeyPair();
    await platform.store.agvs.enrol({ id: 'GW-SEC', publicKeyHex: Buffer.from(keys.publicKey).toString('hex') });
    await platform.store.agvs.enrol({ id: 'GW-PLAIN' });
    simAgv('GW-SEC', 0, keys).start();
    simAgv('GW-PLAIN', 5).start();
    await waitFor('both AGVs online', () => ['GW-SEC', 'GW-PLAIN'].every((id) => platform.registry.get(id)?.connection === 'online'), 15_000);
    expect(platform.registry.get('GW-SEC')!.mode).toBe('secure');
    expect(platform.registry.get('GW-PLAIN')!.mode).toBe('normal');
    // A command round trip over the gateway's secure channel: one hop along an edge, granted first.
    const from = platform.site.nodes[0]!;
    const edge = platform.site.edges.find((e) => e.from === from.id)!;
    const to = platform.site.nodes.find((n) => n.id === edge.to)!;
    await waitFor('status over the secure channel', () => platform.traffic.held('GW-SEC').length === 1, 10_000);
    await waitFor('the hop granted', () => platform.traffic.request('GW-SEC', to.id, Date.now()).kind === 'go', 10_000);
    const outcome = await platform.registry.live('GW-SEC')!.link!.sendMotion({
      orderId: 91, updateId: 0, released: [{ nodeId: from.id, x: from.x, y: from.y }, { nodeId: to.id, x: to.x, y: to.y }], announced: [],
    });
    expect(outcome.ok).toBe(true);
    // The frames were read and protected over there: the gateways used CPU, the sessions live here.
    const usage = await platform.gateways!.usage();
    expect(usage).toHaveLength(2);
    expect(usage.every((u) => u.cpuMs > 0 && u.rss > 0)).toBe(true);
    expect(platform.sessions.sessionCount).toBeGreaterThanOrEqual(2);
  });

  it('rejects a tampered secure frame in the gateway with BAD_SIGNATURE, then accepts the genuine one', async () => {
    const keys = generateSm2KeyPair();
    await platform.store.agvs.enrol({ id: 'GW-RAW', publicKeyHex: Buffer.from(keys.publicKey).toString('hex') });
    const socket = connect({ host: '127.0.0.1', port: platform.rcsPort });
    socket.on('error', () => {});
    const decoder = new FrameDecoder();
    const received: Message[] = [];
    socket.on('data', (chunk) => {
      for (const event of decoder.push(chunk)) if (event.ok) received.push(event.frame.message);
    });
    let seq = 1;
    // Plain until the key exchange is done, then every frame both ways is protected.
    const channel: { protector?: FrameProtector } = {};
    const send = (message: Message, flags = 0) => socket.write(encodeFrame(message, { seq: seq++, timestamp: Date.now(), flags, protector: channel.protector }));
    const next = async <K extends Message['kind']>(kind: K) => {
      await waitFor(kind, () => received.some((m) => m.kind === kind), 10_000);
      return received.splice(received.findIndex((m) => m.kind === kind), 1)[0] as Extract<Message, { kind: K }>;
    };
    await new Promise((resolve) => socket.once('connect', resolve));
    send({ kind: 'accessRequest', agvId: 'GW-RAW', mode: 'secure', versionMin: 0x10, versionMax: 0x10, vendor: 'X' });
    expect((await next('accessResponse')).result).toBe('accepted');
    const kx = new KeyExchangeInitiator({ id: 'GW-RAW', keyPair: keys, responderPublicKey: platform.platformPublicKey, expectedResponderId: PLATFORM_USER_ID });
    send({ kind: 'keyExchangeInit', ...kx.start() });
    const { confirm, result } = kx.handleReply(await next('keyExchangeReply'));
    const protector = createSecureProtector(SecureSession.fromKeyExchange(result, { localKeyPair: keys, clock: systemClock }));
    channel.protector = protector;
    decoder.setProtector(protector);
    const confirmFrame = encodeFrame({ kind: 'keyExchangeConfirm', ...confirm }, { seq: seq++, timestamp: Date.now(), flags: FrameFlags.ACK_REQUESTED, protector });
    socket.write(confirmFrame);
    await next('ack');
    // A registration whose signature was altered on the way: the gateway refuses it, the session nacks it.
    const tampered = encodeFrame(registerRequest('SER-GW-RAW'), { seq: seq++, timestamp: Date.now(), protector });
    tampered[tampered.length - 10]! ^= 0xff;
    // With a correct CRC, so the frame gets as far as the signature check.
    new DataView(tampered.buffer, tampered.byteOffset).setUint32(tampered.length - 4, crc32(tampered, 0, tampered.length - 4));
    socket.write(tampered);
    const nack = await next('nack');
    expect(nack.errorCode).toBe('BAD_SIGNATURE');
    send(registerRequest('SER-GW-RAW'), FrameFlags.ACK_REQUESTED);
    expect((await next('registerAck')).result).toBe('accepted');
    socket.destroy();
  });
});
