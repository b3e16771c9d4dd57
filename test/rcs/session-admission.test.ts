import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { SimAgv, VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { demoSite, waitFor } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';
import { accessRequest, rawConnect } from './raw-peer.ts';

// Admission with the production default (autoApprove off): an AGV that registers on first contact is pending —
// listed by the API, but not part of the fleet the runtime drives (no tasks, no reservations) — until an operator
// approves it; a rejected AGV is refused access. Enrolled AGVs are admitted directly.

describe('admission of AGVs registered on first contact', () => {
  let platform: PlatformHandle;
  const started: SimAgv[] = [];

  beforeAll(async () => {
    platform = await startPlatform(testConfig({ autoEnrol: true, autoApprove: false, demoKey: true, webhooks: false, statusPeriodMs: 100 }), { site: await demoSite() });
  });
  afterAll(async () => {
    for (const agv of started) agv.stop();
    await platform.stop();
  });

  function simAgv(id: string, node: number): SimAgv {
    const n = platform.site.nodes[node]!;
    const agv = new SimAgv({ id, profile: VENDOR_PROFILES[0]!, serial: `SER-${id}`, start: { nodeNumber: node + 1, x: n.x, y: n.y }, mapNumber: 1, clock: systemClock, port: platform.rcsPort, selfTickMs: 50 });
    started.push(agv);
    agv.start();
    return agv;
  }

  const api = (path: string, method = 'GET') =>
    fetch(`${platform.apiUrl}/api/v1${path}`, { method, headers: { 'x-api-key': platform.demoApiKey!, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, body: method === 'POST' ? '{}' : undefined });

  async function admissionOf(id: string): Promise<string | undefined> {
    const body = (await (await api('/agvs')).json()) as { items: { id: string; admission: string }[] };
    return body.items.find((a) => a.id === id)?.admission;
  }

  it('holds an unknown AGV as pending — listed, not in the fleet — until an operator approves it', async () => {
    simAgv('ADM-1', 0);
    await waitFor('ADM-1 pending', async () => (await admissionOf('ADM-1')) === 'pending', 10_000);
    await waitFor('pending session held', () => [...platform.registry.all()].length === 0 && platform.sessions.sessionCount === 1, 5_000);
    expect(platform.registry.live('ADM-1')).toBeUndefined();
    expect(platform.traffic.held('ADM-1')).toEqual([]);

    const approved = await api('/agvs/ADM-1/approve', 'POST');
    expect(approved.status).toBe(200);
    expect(await approved.json()).toEqual({ id: 'ADM-1', admission: 'approved' });
    await waitFor('ADM-1 online after approval', () => platform.registry.get('ADM-1')?.connection === 'online', 10_000);
    expect(await admissionOf('ADM-1')).toBe('approved');

    const metrics = await platform.ops!.metrics.text();
    expect(metrics).toMatch(/unifleet_session_audit_total\{kind="admission",reason="pending"\} [1-9]/);
    expect(metrics).toMatch(/unifleet_session_audit_total\{kind="admission",reason="approved"\} [1-9]/);
    const events = await platform.store.events.query({ type: 'agv.admission' });
    expect(events.some((e) => e.agvId === 'ADM-1' && /approved/.test(e.message))).toBe(true);
  });

  it('closes a rejected AGV and refuses its next access', async () => {
    simAgv('ADM-2', 2);
    await waitFor('ADM-2 pending', async () => (await admissionOf('ADM-2')) === 'pending', 10_000);
    expect((await api('/agvs/ADM-2/reject', 'POST')).status).toBe(200);
    expect(await admissionOf('ADM-2')).toBe('rejected');
    const raw = await rawConnect(platform.rcsPort);
    raw.send(accessRequest('ADM-2'));
    await raw.closed;
    expect(raw.find('accessResponse')).toMatchObject({ result: 'refused', detail: expect.stringMatching(/rejected by an operator/) });
    expect(platform.registry.live('ADM-2')).toBeUndefined();
  });

  it('admits an AGV enrolled through the store path the API uses, and answers 404 for an unknown id', async () => {
    await platform.store.agvs.enrol({ id: 'ADM-3' });
    simAgv('ADM-3', 4);
    await waitFor('ADM-3 online', () => platform.registry.get('ADM-3')?.connection === 'online', 10_000);
    expect(await admissionOf('ADM-3')).toBe('approved');
    expect((await api('/agvs/NOPE-9/approve', 'POST')).status).toBe(404);
  });
});
