import { afterEach, describe, expect, it } from 'vitest';
import { bearer, startHarness, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('metrics, probes and events', () => {
  it('exposes fleet, frame, latency, task, planner and alarm metrics in Prometheus format', async () => {
    h = await startHarness({ ops: { defaultMetrics: true } });
    await h.ops.fleet.createTask({ from: 'S-top-0', to: 'S-bottom-3' });
    h.fleet.agv('acme-0001')!.battery = 3;
    h.clock.advance(2000);
    h.ops.observeFrame('in', 120);
    h.ops.observeFrame('out', 7);
    h.ops.observeCommandLatency(4, 'motion');
    h.ops.observeCommandLatency(30, 'motion');
    h.ops.observePlannerStep(12);
    const res = await h.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toMatch(/unifleet_agvs_connected\{vendor="acme",mode="normal"\} \d+/);
    expect(text).toMatch(/unifleet_agvs_connected\{vendor="hikro",mode="secure"\} \d+/);
    expect(text).toContain('unifleet_frames_total{direction="in"} 120');
    expect(text).toContain('unifleet_command_latency_seconds_count{command="motion"} 2');
    expect(text).toContain('unifleet_command_latency_seconds_bucket{le="0.005",command="motion"} 1');
    expect(text).toContain('unifleet_planner_step_seconds_count 1');
    expect(text).toMatch(/unifleet_tasks\{state="(assigned|delivering)"\} 1/);
    expect(text).toContain('unifleet_alarms_open{severity="error"} 1');
    expect(text).toContain('unifleet_process_resident_memory_bytes');
  });

  it('answers liveness always and readiness only when the platform is ready', async () => {
    h = await startHarness();
    expect((await h.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await h.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    h.fleet.ready = false;
    const notReady = await h.app.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().status).toBe('not ready');
  });

  it('queries the event log by AGV, task and minimum severity', async () => {
    h = await startHarness();
    const viewer = await h.token('viewer');
    const task = await h.ops.fleet.createTask({ from: 'S-top-0', to: 'S-bottom-3' });
    h.ops.recordEvent({ type: 'test.note', severity: 'critical', agvId: 'geekbot-0003', message: 'something bad' });
    h.fleet.agv('acme-0001')!.connection = 'offline';
    h.clock.advance(2000);
    const get = async (query: string): Promise<{ type: string; agvId: string | null; taskId: string | null; severity: string }[]> => {
      const res = await h.app.inject({ url: `/api/v1/events?${query}`, headers: bearer(viewer) });
      expect(res.statusCode).toBe(200);
      return res.json().events;
    };
    const byTask = await get(`taskId=${task.id}`);
    expect(byTask.length).toBeGreaterThan(0);
    expect(byTask.every((e) => e.taskId === task.id)).toBe(true);
    expect(byTask.map((e) => e.type)).toContain('task.assigned');
    const byAgv = await get('agvId=acme-0001');
    expect(byAgv.map((e) => e.type)).toContain('agv.disconnected');
    const critical = await get('severity=critical');
    expect(critical.map((e) => e.type)).toEqual(['test.note']);
    expect((await get('limit=2')).length).toBe(2);
    expect((await h.app.inject({ url: '/api/v1/events?severity=loud', headers: bearer(viewer) })).statusCode).toBe(400);
    expect((await h.app.inject({ url: '/api/v1/events' })).statusCode).toBe(401);
  });
});
