import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, waitFor, type Fleet } from './e2e-harness.ts';

// Parameters and running data over real sockets: the platform asks simulated AGVs (the SDK's AgvController over the
// simulator's vendor adapter) through paramQuery/paramSet/runningDataRequest, driven through the HTTP API.

let fleet: Fleet | undefined;
afterEach(async () => {
  fleet?.sim.stop();
  await fleet?.platform.stop();
  fleet = undefined;
});

interface Answer {
  agvId?: string;
  params?: { param: string; value: number; unit: string }[];
  results?: { param: string; result: string }[];
  samples?: { agvId: string; at: number; odometerM: number; operatingS: number; diagnostics: unknown[] }[];
  odometerM?: number;
  error?: { code: string; message: string; details?: { results?: { param: string; result: string }[] } };
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${fleet!.platform.apiUrl}/api/v1${path}`, {
    method,
    headers: { 'x-api-key': fleet!.platform.demoApiKey!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Answer };
}

describe('AGV parameters (real TCP and HTTP)', () => {
  it('reads parameters, sets one and reads it back; the simulated body takes the new speed cap', async () => {
    fleet = await startFleet(1);
    await waitFor('the AGV online', () => fleet!.platform.registry.onlineCount() === 1);
    const id = fleet.platform.registry.list()[0]!.id;

    const before = await call('GET', `/agvs/${id}/params`);
    expect(before.status).toBe(200);
    const speed = before.json.params!.find((p) => p.param === 'maxLinearSpeed')!;
    expect(speed.unit).toBe('mm/s');
    expect(speed.value).toBeGreaterThan(800);

    const set = await call('PATCH', `/agvs/${id}/params`, { params: [{ param: 'maxLinearSpeed', value: 800 }, { param: 'soundVolume', value: 20 }] });
    expect(set.status).toBe(200);
    expect(set.json.results).toEqual([{ param: 'maxLinearSpeed', result: 'ok' }, { param: 'soundVolume', result: 'ok' }]);

    const after = await call('GET', `/agvs/${id}/params?names=maxLinearSpeed,soundVolume`);
    expect(after.json.params).toEqual([{ param: 'maxLinearSpeed', value: 800, unit: 'mm/s' }, { param: 'soundVolume', value: 20, unit: '%' }]);
    expect(fleet.sim.agvs[0]!.body.speedCapMps).toBe(0.8);

    const events = await fleet.platform.store.events.query({ agvId: id, type: 'agv.params_set' });
    expect(events[0]!.message).toContain('maxLinearSpeed=800');
  });

  it('a refused set is a 502 with the per-parameter results and changes nothing; bad requests are 400', async () => {
    fleet = await startFleet(1);
    await waitFor('the AGV online', () => fleet!.platform.registry.onlineCount() === 1);
    const id = fleet.platform.registry.list()[0]!.id;

    const refused = await call('PATCH', `/agvs/${id}/params`, { params: [{ param: 'soundVolume', value: 30 }, { param: 'positionTolerance', value: 5000 }] });
    expect(refused.status).toBe(502);
    expect(refused.json.error!.code).toBe('agv_refused');
    expect(refused.json.error!.message).toContain('positionTolerance outOfRange');
    expect(refused.json.error!.details!.results).toContainEqual({ param: 'soundVolume', result: 'ok' });
    // All or nothing: the valid one was not applied either.
    expect((await call('GET', `/agvs/${id}/params?names=soundVolume`)).json.params).toEqual([{ param: 'soundVolume', value: 50, unit: '%' }]);

    expect((await call('PATCH', `/agvs/${id}/params`, { params: [{ param: 'warpDrive', value: 1 }] })).status).toBe(400);
    expect((await call('PATCH', `/agvs/${id}/params`, { params: [{ param: 'soundVolume', value: '30' }] })).status).toBe(400);
    expect((await call('PATCH', `/agvs/${id}/params`, { params: [] })).status).toBe(400);
    expect((await call('PATCH', `/agvs/${id}/params`, { params: [{ param: 'soundVolume', value: 1 }, { param: 'soundVolume', value: 2 }] })).status).toBe(400);
    expect((await call('GET', `/agvs/${id}/params?names=warpDrive`)).status).toBe(400);
    expect((await call('GET', '/agvs/nobody/params')).status).toBe(404);
  });

  it('an AGV that does not answer a set is a 504', async () => {
    fleet = await startFleet(1);
    await waitFor('the AGV online', () => fleet!.platform.registry.onlineCount() === 1);
    const id = fleet.platform.registry.list()[0]!.id;
    // The vehicle's firmware hangs on the change: no paramSetAck ever comes.
    fleet.sim.agvs[0]!.client.onParamSet(() => new Promise(() => {}));
    const silent = await call('PATCH', `/agvs/${id}/params`, { params: [{ param: 'soundVolume', value: 30 }] });
    expect(silent.status).toBe(504);
    expect(silent.json.error!.code).toBe('agv_timeout');
  });
});

describe('AGV running data (real TCP and HTTP)', () => {
  it('samples are requested periodically, stored and served; an operator can ask for one now', async () => {
    fleet = await startFleet(2, { runningDataPeriodMs: 2_000 });
    await waitFor('2 AGVs online', () => fleet!.platform.registry.onlineCount() === 2);
    const id = fleet.platform.registry.list()[0]!.id;
    await waitFor('3 periodic samples stored', async () => (await fleet!.platform.store.runningData.list(id, 0, 100)).length >= 3);

    const now = await call('POST', `/agvs/${id}/running-data`);
    expect(now.status).toBe(200);
    expect(now.json.odometerM).toBeGreaterThanOrEqual(0);
    const history = await call('GET', `/agvs/${id}/running-data?limit=2`);
    expect(history.json.samples).toHaveLength(2);
    const [older, newer] = history.json.samples!;
    expect(newer!.at).toBeGreaterThanOrEqual(older!.at);
    expect(newer!.operatingS).toBeGreaterThanOrEqual(older!.operatingS);
    expect(newer!.diagnostics.length).toBeGreaterThan(0);
    expect((await call('GET', `/agvs/${id}/running-data?limit=0`)).status).toBe(400);
  });
});
