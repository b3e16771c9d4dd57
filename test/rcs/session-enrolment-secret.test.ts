import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { accessProof, enrolmentSecretKey, type MessageOfKind } from '../../src/protocol/index.ts';
import { ApiKeyAuth } from '../../src/rcs/auth/index.ts';
import { SimAgv, VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { demoSite, submitTask, taskPairs, waitFor } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';
import { accessRequest, rawConnect, type RawPeer } from './raw-peer.ts';

// Normal-mode AGVs enrolled with a secret (POST /agvs/{id}/enrol-secret) prove it at access with an HMAC over their
// id and clock. With the production default (unknown AGVs wait pending), a proven AGV is admitted at once and gets
// work; a missing (1.0 peer), wrong, stale or replayed proof is refused with the reason and counted in the audit.

describe('enrolment secret for normal-mode AGVs', () => {
  let platform: PlatformHandle;
  let adminKey: string;
  const started: SimAgv[] = [];
  const raws: RawPeer[] = [];

  beforeAll(async () => {
    platform = await startPlatform(testConfig({ autoEnrol: true, autoApprove: false, demoKey: true, webhooks: false, statusPeriodMs: 100 }), { site: await demoSite() });
    adminKey = (await new ApiKeyAuth(platform.store.apiKeys, systemClock).issue('test admin', 'admin')).token;
  });
  afterAll(async () => {
    for (const agv of started) agv.stop();
    for (const raw of raws) raw.socket.destroy();
    await platform.stop();
  });

  const post = (path: string, body: unknown, key = adminKey) =>
    fetch(`${platform.apiUrl}/api/v1${path}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  async function enrolSecret(id: string): Promise<string> {
    const res = await post(`/agvs/${id}/enrol-secret`, { serial: `SER-${id}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { secret: string; replaced: boolean; platformPublicKey: string };
    expect(body.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(body.platformPublicKey).toBe(Buffer.from(platform.platformPublicKey).toString('hex'));
    return body.secret;
  }

  function simAgv(id: string, node: number, enrolmentSecret: string): SimAgv {
    const n = platform.site.nodes[node]!;
    const agv = new SimAgv({ id, profile: VENDOR_PROFILES[0]!, serial: `SER-${id}`, start: { nodeNumber: node + 1, x: n.x, y: n.y }, mapNumber: 1, clock: systemClock, port: platform.rcsPort, selfTickMs: 50, enrolmentSecret });
    started.push(agv);
    agv.start();
    return agv;
  }

  /** One access attempt on a fresh connection; resolves with the platform's answer once it closed or accepted. */
  async function access(request: MessageOfKind<'accessRequest'>): Promise<MessageOfKind<'accessResponse'>> {
    const peer = await rawConnect(platform.rcsPort);
    raws.push(peer);
    peer.send(request);
    await waitFor('accessResponse', () => peer.find('accessResponse') !== undefined, 5_000);
    const response = peer.find('accessResponse')!;
    if (response.result !== 'accepted') await peer.closed;
    peer.socket.destroy();
    return response;
  }

  function proven(id: string, secretHex: string, proofTime: number): MessageOfKind<'accessRequest'> {
    const proof = accessProof(enrolmentSecretKey(Buffer.from(secretHex, 'hex')), id, proofTime);
    return { ...accessRequest(id), versionMax: 0x11, proofTime, proof };
  }

  it('admits a secret-enrolled AGV that proves its secret, without operator approval, and gives it work', async () => {
    const secret = await enrolSecret('SEC-OK');
    const record = await platform.store.agvs.get('SEC-OK');
    // Only the SHA-256 of the secret is kept, never the secret itself.
    expect(record!.secretVerifierHex).toBe(createHash('sha256').update(Buffer.from(secret, 'hex')).digest('hex'));
    expect(record!.admission).toBe('approved');

    simAgv('SEC-OK', 0, secret);
    await waitFor('SEC-OK online', () => platform.registry.get('SEC-OK')?.connection === 'online', 10_000);
    const listed = (await (await fetch(`${platform.apiUrl}/api/v1/agvs/SEC-OK`, { headers: { 'x-api-key': platform.demoApiKey! } })).json()) as { enrolled: boolean; admission: string };
    expect(listed).toMatchObject({ enrolled: true, admission: 'approved' });

    const [pair] = taskPairs(platform.site, 1);
    const { status, json } = await submitTask(platform.apiUrl, platform.demoApiKey!, pair!);
    expect(status).toBe(201);
    await waitFor('task assigned to SEC-OK', async () => (await platform.tasks.get(String(json.id)))?.agvId === 'SEC-OK', 10_000);
  });

  it('refuses a secret-enrolled AGV whose proof is missing (a 1.0 peer), wrong, stale or replayed, and audits it', async () => {
    const secret = await enrolSecret('SEC-BAD');
    const now = Date.now();

    const missing = await access(accessRequest('SEC-BAD')); // versionMax 1.0, no proof fields
    expect(missing.result).toBe('refused');
    expect(missing.detail).toMatch(/enrolled with a secret: accessRequest must carry proofTime and proof/);

    const wrong = await access(proven('SEC-BAD', 'ab'.repeat(32), now));
    expect(wrong).toMatchObject({ result: 'refused', detail: 'proof does not match the secret enrolled for AGV SEC-BAD' });

    // A proof for another AGV's id does not open this one.
    const otherId = await access({ ...proven('SEC-OTHER', secret, now), agvId: 'SEC-BAD' });
    expect(otherId.result).toBe('refused');

    const stale = await access(proven('SEC-BAD', secret, now - 120_000));
    expect(stale.result).toBe('refused');
    expect(stale.detail).toMatch(/proofTime is -1\d{5} ms from the platform clock/);

    const good = proven('SEC-BAD', secret, now);
    expect((await access(good)).result).toBe('accepted');
    const replayed = await access(good);
    expect(replayed.result).toBe('refused');
    expect(replayed.detail).toMatch(/proof replayed/);

    const metrics = await platform.ops!.metrics.text();
    expect(metrics).toMatch(/unifleet_session_audit_total\{kind="access_refused",reason="secret_proof"\} [5-9]/);
    const events = await platform.store.events.query({ type: 'access.refused' });
    expect(events.some((e) => e.agvId === 'SEC-BAD' && /proof does not match/.test(e.message))).toBe(true);
  });

  it('keeps one credential per AGV: a new secret or an SM2 key replaces the old one', async () => {
    const first = await enrolSecret('SEC-ROT');
    const second = await enrolSecret('SEC-ROT');
    expect(second).not.toBe(first);
    expect((await access(proven('SEC-ROT', first, Date.now()))).detail).toMatch(/proof does not match/);
    expect((await access(proven('SEC-ROT', second, Date.now()))).result).toBe('accepted');

    const keyed = await post('/agvs/SEC-ROT/enrol', { publicKey: Buffer.from(platform.platformPublicKey).toString('hex') });
    expect(keyed.status).toBe(200);
    expect(await keyed.json()).toMatchObject({ replaced: true });
    expect((await platform.store.agvs.get('SEC-ROT'))!.secretVerifierHex).toBeNull();
    expect((await access(proven('SEC-ROT', second, Date.now() + 1))).result).toBe('secureRequired');
  });

  it('refuses enrolment by a non-admin and bodies with unknown fields', async () => {
    expect((await post('/agvs/SEC-X/enrol-secret', {}, platform.demoApiKey!)).status).toBe(403);
    const bad = await post('/agvs/SEC-X/enrol-secret', { secret: 'mine' });
    expect(bad.status).toBe(400);
    expect(await platform.store.agvs.get('SEC-X')).toBeUndefined();
  });
});
