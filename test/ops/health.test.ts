import { afterEach, describe, expect, it } from 'vitest';
import type { Finding, HealthComparison, HealthRun } from '../../src/rcs/ops/index.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.close());

async function runDiagnosis(token: string): Promise<HealthRun> {
  const res = await h.app.inject({ method: 'POST', url: '/api/v1/health/runs', headers: bearer(token) });
  expect(res.statusCode).toBe(201);
  return res.json<{ run: HealthRun }>().run;
}

describe('fleet health diagnosis', () => {
  it('finds risks across AGVs, chargers, map, tasks and platform, scores them and compares runs', async () => {
    h = await startHarness();
    const operator = await h.token('operator');
    const viewer = await h.token('viewer');
    h.clock.advance(1000);
    const healthy = await runDiagnosis(operator);
    expect(healthy.checksRun).toBeGreaterThan(10);
    // The stand-in fleet connects some AGVs in normal mode: a low risk, so the score is high but not perfect.
    expect(healthy.findings.every((f) => f.risk === 'low')).toBe(true);
    expect(healthy.score).toBeGreaterThanOrEqual(80);

    // Break things: an AGV offline while holding a path, one in e-stop, a broken map edge, the platform not ready.
    const offline = h.fleet.agv('acme-0001')!;
    offline.connection = 'offline';
    offline.heldNodes = ['n0_0'];
    h.fleet.agv('hikro-0002')!.emergencyStop = true;
    h.fleet.map.edges.push({ id: 'ghost-edge', from: 'n0_0', to: 'nowhere' });
    h.fleet.ready = false;
    h.fleet.waits = [
      { agvId: 'geekbot-0003', blockedBy: 'acme-0004', node: 'n1_1', sinceMs: h.clock.now() - 300_000 },
      { agvId: 'acme-0004', blockedBy: 'geekbot-0003', node: 'n1_2', sinceMs: h.clock.now() },
      { agvId: 'hikro-0005', blockedBy: 'acme-0004', node: 'n1_3', sinceMs: h.clock.now() },
    ];
    h.clock.advance(1000);
    const broken = await runDiagnosis(operator);
    const byCheck = new Map<string, Finding>(broken.findings.map((f) => [f.check, f]));
    expect(byCheck.get('agv.offline')).toMatchObject({ risk: 'high', area: 'agvs', subjects: ['acme-0001'] });
    expect(byCheck.get('agv.error_state')?.subjects).toContain('hikro-0002');
    expect(byCheck.get('map.dangling_edges')?.subjects).toContain('ghost-edge');
    expect(byCheck.get('platform.self_checks')?.risk).toBe('high');
    // A wait-for cycle is a deadlock; the AGV merely queued behind it is not part of it.
    expect(byCheck.get('traffic.deadlock')).toMatchObject({ risk: 'high', area: 'traffic' });
    expect(byCheck.get('traffic.deadlock')!.subjects.sort()).toEqual(['acme-0004', 'geekbot-0003']);
    expect(byCheck.get('traffic.long_waits')?.subjects).toEqual(['geekbot-0003']);
    for (const f of broken.findings) {
      expect(f.impact.length).toBeGreaterThan(0);
      expect(f.fix.length).toBeGreaterThan(0);
    }
    expect(broken.score).toBeLessThan(healthy.score);
    expect(broken.findings[0]!.risk).toBe('high'); // high risks first

    const listed = await h.app.inject({ url: '/api/v1/health/runs', headers: bearer(viewer) });
    expect(listed.json().runs.map((r: HealthRun) => r.id)).toEqual([broken.id, healthy.id]);
    const one = await h.app.inject({ url: `/api/v1/health/runs/${broken.id}`, headers: bearer(viewer) });
    expect(one.json().run.findings).toHaveLength(broken.findings.length);

    const cmp = await h.app.inject({ url: `/api/v1/health/compare?from=${healthy.id}&to=${broken.id}`, headers: bearer(viewer) });
    const comparison = cmp.json<{ comparison: HealthComparison }>().comparison;
    expect(comparison.scoreDelta).toBe(broken.score - healthy.score);
    expect(comparison.newFindings.map((f) => f.check)).toEqual(expect.arrayContaining(['agv.offline', 'map.dangling_edges']));
    expect(comparison.persistingFindings.map((f) => f.check)).toContain('agv.insecure_channel');

    expect((await h.app.inject({ url: '/api/v1/health/runs/9999', headers: bearer(viewer) })).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/api/v1/health/compare?from=1&to=9999', headers: bearer(viewer) })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/health/runs', headers: bearer(viewer) })).statusCode).toBe(403);
  });

  it('runs on a schedule set by an admin', async () => {
    h = await startHarness();
    const admin = await h.token('admin');
    const res = await h.app.inject({ method: 'PUT', url: '/api/v1/health/schedule', headers: bearer(admin), payload: { intervalMs: 3_600_000 } });
    expect(res.statusCode).toBe(200);
    h.clock.advance(3 * 3_600_000 + 1000);
    const runs = await h.ops.health.list();
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.trigger === 'schedule')).toBe(true);
    await h.app.inject({ method: 'PUT', url: '/api/v1/health/schedule', headers: bearer(admin), payload: { intervalMs: null } });
    h.clock.advance(3_600_000);
    expect(await h.ops.health.list()).toHaveLength(3);
    const tooOften = await h.app.inject({ method: 'PUT', url: '/api/v1/health/schedule', headers: bearer(admin), payload: { intervalMs: 5 } });
    expect(tooOften.statusCode).toBe(400);
  });
});
