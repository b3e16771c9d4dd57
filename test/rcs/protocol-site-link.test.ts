import { createECDH } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { FramePeer } from '../../src/agv/transport/frame-peer.ts';
import { connectTcp } from '../../src/agv/transport/tcp.ts';
import type { Frame } from '../../src/protocol/index.ts';
import { AgvClient, type MotionCommand } from '../../src/agv/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { registration, status } from '../agv/fixtures.ts';
import { demoSite, waitFor } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';

// What the platform tells an AGV about the site over real sockets: per-edge limits in motion orders, the numbered
// site and its export, the map hash checked at registration (1.1) or not at all (1.0), and the platform's key.

describe('motion orders carry the site map', () => {
  let platform: PlatformHandle | undefined;
  let client: AgvClient | undefined;
  afterEach(async () => {
    client?.stop();
    await platform?.stop();
  });

  it('sends every edge with the map speed limit: a 0.5 m/s docking spur goes out as 500 mm/s, never 0', async () => {
    const site = await demoSite();
    platform = await startPlatform(testConfig({ autoEnrol: true }), { site, ops: false });
    const received: MotionCommand[] = [];
    client = new AgvClient({ agvId: 'SPUR-1', port: platform.rcsPort, registration, status, initialBackoffMs: 50 });
    client.onMotion((cmd) => void received.push(cmd));
    client.start();
    await waitFor('the AGV online', () => platform!.registry.live('SPUR-1')?.link !== undefined);

    // n3_5 → n2_5 is the docking spur of PICK-01 (0.5 m/s); n3_4 → n3_5 is an aisle edge with its own limit.
    const step = (id: string) => {
      const n = site.nodes.find((node) => node.id === id)!;
      return { nodeId: id, x: n.x, y: n.y };
    };
    const aisle = site.edges.find((e) => e.from === 'n3_4' && e.to === 'n3_5')!;
    const outcome = await platform.registry.live('SPUR-1')!.link!.sendMotion({ orderId: 9, updateId: 0, released: [step('n3_4'), step('n3_5'), step('n2_5')], announced: [] });
    expect(outcome.ok).toBe(true);
    expect(received).toHaveLength(1);
    const edges = received[0]!.edges;
    expect(edges.map((e) => e.maxSpeed)).toEqual([Math.round(aisle.maxSpeed * 1000), 500]);
    expect(edges.every((e) => e.maxSpeed > 0)).toBe(true);
  });
});

describe('numbering, map hash and platform identity', () => {
  let platform: PlatformHandle | undefined;
  let client: AgvClient | undefined;
  let raw: FramePeer | undefined;
  afterEach(async () => {
    client?.stop();
    raw?.close();
    await platform?.stop();
  });

  async function start(): Promise<PlatformHandle> {
    platform = await startPlatform(testConfig({ autoEnrol: true, demoKey: true }), { site: await demoSite(), ops: false });
    return platform;
  }

  it('serves the numbered site, the export an AGV loads, and the platform key without authentication', async () => {
    const p = await start();
    const headers = { 'x-api-key': p.demoApiKey! };
    const site = (await (await fetch(`${p.apiUrl}/api/v1/site`, { headers })).json()) as Record<'nodes' | 'edges' | 'stations', object[]> & { mapNumber: number };
    const spurIndex = p.site.edges.findIndex((e) => e.from === 'n3_5' && e.to === 'n2_5');
    expect(site.mapNumber).toBe(1);
    expect(site.nodes[0]).toMatchObject({ id: p.site.nodes[0]!.id, number: 1 });
    expect(site.edges[spurIndex]).toMatchObject({ from: 'n3_5', number: spurIndex + 1 });
    expect(site.stations[0]).toMatchObject({ id: 'PICK-01', number: 1 });

    const exported = (await (await fetch(`${p.apiUrl}/api/v1/site/export`, { headers })).json()) as Record<'edges' | 'stations', object[]>;
    expect(exported).toMatchObject({ format: 'unifleet-site-export/1', mapId: 1, mapHash: p.numbering.mapHash });
    expect(exported.edges[spurIndex]).toMatchObject({ edgeId: spurIndex + 1, maxSpeed: 500, startNodeId: p.numbering.nodeNumber('n3_5') });
    expect(exported.stations[0]).toMatchObject({ stationId: 1, nodeId: p.numbering.nodeNumber('n2_5') });

    const identity = await fetch(`${p.apiUrl}/api/v1/platform/identity`);
    expect(identity.status).toBe(200);
    expect(await identity.json()).toMatchObject({ publicKey: Buffer.from(p.platformPublicKey).toString('hex'), protocolVersions: ['1.0', '1.1', '1.2'], mapHash: p.numbering.mapHash, userId: 'UniFleet-RCS' });

    const agvKey = createECDH('SM2');
    agvKey.generateKeys();
    const adminKey = await issueAdminKey(p);
    const enrol = await fetch(`${p.apiUrl}/api/v1/agvs/ENR-1/enrol`, { method: 'POST', headers: { 'x-api-key': adminKey, 'content-type': 'application/json' }, body: JSON.stringify({ publicKey: agvKey.getPublicKey('hex') }) });
    expect(enrol.status).toBe(200);
    expect(await enrol.json()).toMatchObject({ platformPublicKey: Buffer.from(p.platformPublicKey).toString('hex') });
  });

  it('refuses an AGV whose map hash is stale, with the reason and the current hash', async () => {
    const p = await start();
    const refusals: string[] = [];
    client = new AgvClient({ agvId: 'STALE-1', port: p.rcsPort, registration, status, mapHash: (p.numbering.mapHash + 1) >>> 0, initialBackoffMs: 60_000 });
    client.on('refused', (stage, reason) => refusals.push(`${stage} ${reason}`));
    client.start();
    await waitFor('the refusal', () => refusals.length > 0, 5_000);
    expect(refusals[0]).toMatch(/^registration staleMap: map hash [0-9a-f]{8} is not the site's [0-9a-f]{8}/);
    expect(p.registry.get('STALE-1')).toBeUndefined();
  });

  it('admits a 1.1 AGV with the current hash, and a 1.0 AGV that sends none', async () => {
    const p = await start();
    client = new AgvClient({ agvId: 'FRESH-1', port: p.rcsPort, registration, status, mapHash: p.numbering.mapHash });
    client.start();
    await waitFor('the 1.1 AGV online', () => p.registry.get('FRESH-1')?.connection === 'online', 5_000);

    // A 1.0 peer: offers only 1.0, sends the 1.0 registration (no hash field at all).
    raw = new FramePeer(await connectTcp('127.0.0.1', p.rcsPort), { clock: systemClock });
    raw.setVersion(0x10);
    const seen: Frame[] = [];
    const peer = raw;
    peer.onFrame((frame) => {
      seen.push(frame);
      if (frame.message.kind === 'accessResponse') peer.send({ kind: 'registerRequest', ...registration });
      if (frame.message.kind === 'globalConfig') peer.send({ kind: 'globalConfigAck', result: 'ok' });
    });
    peer.send({ kind: 'accessRequest', agvId: 'OLD-1', mode: 'normal', versionMin: 0x10, versionMax: 0x10, vendor: 'Test' });
    await waitFor('the 1.0 AGV online', () => p.registry.get('OLD-1')?.connection === 'online', 5_000);
    const access = seen.find((f) => f.message.kind === 'accessResponse')!.message;
    expect(access).toMatchObject({ result: 'accepted', version: 0x10 });
    // Everything the platform sent it is a 1.0 frame, and its registerAck carries no 1.1 field.
    expect(seen.every((f) => f.version === 0x10)).toBe(true);
    expect(seen.find((f) => f.message.kind === 'registerAck')!.message).toMatchObject({ result: 'accepted', mapHash: undefined });
  });
});

async function issueAdminKey(p: PlatformHandle): Promise<string> {
  const { ApiKeyAuth } = await import('../../src/rcs/auth/index.ts');
  return (await new ApiKeyAuth(p.store.apiKeys, systemClock).issue('test admin', 'admin')).token;
}
