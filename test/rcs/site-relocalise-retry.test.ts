import { afterEach, describe, expect, it } from 'vitest';
import { VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { ApiKeyAuth } from '../../src/rcs/auth/api-keys.ts';
import { explainOpenTasks, startFleet, submitTask, waitFor, type Fleet } from './e2e-harness.ts';
import { twoFloorSite } from './lifts/two-floor-site.ts';

// An operator retries a failed relocalisation, over real sockets: an SDK AGV rides a lift to the other floor and
// fails to relocalise more often than the platform retries on its own (3 attempts). It is held in the cabin with
// an alarm; POST /api/v1/agvs/{id}/map-switch/retry sends the map switch again, the AGV relocalises and the task
// completes. The route is an operator's (403 for a viewer), 404 for an unknown AGV and 409 with a message when the
// AGV is not held after a failed relocalisation.

const ROLLWAY = VENDOR_PROFILES.find((p) => p.navigation === 'slam' && p.lengthM < 1.5)!;

let fleet: Fleet | undefined;
afterEach(async () => {
  fleet?.sim.stop();
  await fleet?.platform.stop();
  fleet = undefined;
});

describe('operator retry of a failed relocalisation', () => {
  it('sends the map switch again to an AGV held in the cabin, and the ride completes', async () => {
    const mapResults: string[] = [];
    const f = await startFleet(
      1,
      {},
      { tap: (_agvId, frame) => frame.message.kind === 'mapSwitchResult' && mapResults.push(frame.message.result) },
      { site: twoFloorSite(), profiles: [ROLLWAY], startNodes: ['F1.n2_4'] },
    );
    fleet = f;
    const key = f.platform.demoApiKey!;
    const retry = (id: string, token = key) => fetch(`${f.platform.apiUrl}/api/v1/agvs/${id}/map-switch/retry`, { method: 'POST', headers: { 'x-api-key': token } });
    await waitFor('AGV online', () => f.platform.registry.onlineCount() === 1);

    // Not in a lift yet: nothing to retry.
    const early = await retry('AGV-001');
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { message: string } }).error.message).toBe("cannot retry the map switch of 'AGV-001': AGV-001 is not held in a lift after a failed relocalisation");
    expect((await retry('AGV-404')).status).toBe(404);

    f.sim.agvs[0]!.body.faults.failedRelocalisations = 4;
    const { json } = await submitTask(f.platform.apiUrl, key, { pick: 'P1', drop: 'D1' });
    const failures = async () => (await f.platform.store.events.query({})).filter((e) => e.type === 'lift.relocalisation_failed');
    await waitFor('three failed relocalisations', async () => (await failures()).length === 3, 40_000, () => explainOpenTasks(f.platform));

    // Held: the alarm is open on the AGV, and the automatic retries are used up (no fourth attempt comes).
    const alarmsRes = await fetch(`${f.platform.apiUrl}/api/v1/alarms?state=open&agvId=AGV-001&code=RELOCALISATION_FAILED`, { headers: { 'x-api-key': key } });
    const { alarms } = (await alarmsRes.json()) as { alarms: { severity: string; message: string }[] };
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.message).toContain('AGV-001 failed to relocalise on F2');
    // Three retry intervals of platform time later, still held after three attempts.
    await new Promise<void>((resolve) => f.clock.setTimeout(resolve, 30_000));
    expect((await failures()).length).toBe(3);
    expect((await f.platform.tasks.get(json.id as string))?.state).not.toBe('completed');
    expect(mapResults).toEqual(['failed', 'failed', 'failed']);
    const agv = (await (await fetch(`${f.platform.apiUrl}/api/v1/agvs/AGV-001`, { headers: { 'x-api-key': key } })).json()) as { waitingFor: string };
    expect(agv.waitingFor).toMatch(/^relocalisation on F2 failed 3 times \(.+\); held in lift LIFT-[AB] until an operator retries$/);

    const viewer = (await new ApiKeyAuth(f.platform.store.apiKeys, f.clock).issue('wall display', 'viewer')).token;
    expect((await retry('AGV-001', viewer)).status).toBe(403);

    // The operator's retry fails once more (the fourth injected failure), then again: it relocalises.
    expect((await retry('AGV-001')).status).toBe(200);
    await waitFor('the fourth attempt answered', () => mapResults.length === 4, 20_000);
    // Automatic retries run again behind the operator's: the fifth attempt succeeds without another request.
    await waitFor('task completed', async () => (await f.platform.tasks.get(json.id as string))?.state === 'completed', 40_000, () => explainOpenTasks(f.platform));
    expect(mapResults).toEqual(['failed', 'failed', 'failed', 'failed', 'success']);

    const events = await f.platform.store.events.query({});
    expect(events.find((e) => e.type === 'lift.map_switch_retried')).toMatchObject({ agvId: 'AGV-001', message: 'map switch of AGV-001 retried by demo operator' });
    const cleared = await fetch(`${f.platform.apiUrl}/api/v1/alarms?state=open&code=RELOCALISATION_FAILED`, { headers: { 'x-api-key': key } });
    expect(((await cleared.json()) as { alarms: unknown[] }).alarms).toEqual([]);
    expect(f.checker.violations).toEqual([]);
  });
});
