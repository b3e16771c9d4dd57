import { afterEach, describe, expect, it } from 'vitest';
import type { Alarm } from '../../src/rcs/ops/index.ts';
import { openStore } from '../../src/rcs/store/index.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.close());

async function openAlarms(token: string, query = 'state=open'): Promise<Alarm[]> {
  const res = await h.app.inject({ url: `/api/v1/alarms?${query}`, headers: bearer(token) });
  expect(res.statusCode).toBe(200);
  return res.json<{ alarms: Alarm[] }>().alarms;
}

describe('alarms', () => {
  it('raises a platform alarm once, lets an operator acknowledge it, clears it and keeps the history', async () => {
    h = await startHarness();
    const viewer = await h.token('viewer');
    const operator = await h.token('operator');
    const agv = h.fleet.agv('acme-0001')!;
    agv.battery = 15;
    h.clock.advance(1000);
    h.clock.advance(5000); // several evaluations: still one alarm (de-duplicated)
    let open = (await openAlarms(viewer)).filter((a) => a.code === 'LOW_BATTERY');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ agvId: 'acme-0001', severity: 'warning', state: 'raised', source: 'platform' });

    agv.battery = 5; // escalation updates the same alarm
    h.clock.advance(1000);
    open = (await openAlarms(viewer)).filter((a) => a.code === 'LOW_BATTERY');
    expect(open).toHaveLength(1);
    expect(open[0]!.severity).toBe('error');

    const id = open[0]!.id;
    const refused = await h.app.inject({ method: 'POST', url: `/api/v1/alarms/${id}/acknowledge`, headers: bearer(viewer) });
    expect(refused.statusCode).toBe(403);
    const anonymous = await h.app.inject({ method: 'POST', url: `/api/v1/alarms/${id}/acknowledge` });
    expect(anonymous.statusCode).toBe(401);
    const ack = await h.app.inject({ method: 'POST', url: `/api/v1/alarms/${id}/acknowledge`, headers: bearer(operator) });
    expect(ack.statusCode).toBe(200);
    expect(ack.json().alarm).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'operator' });

    agv.battery = 80;
    h.clock.advance(1000);
    expect((await openAlarms(viewer)).filter((a) => a.code === 'LOW_BATTERY')).toHaveLength(0);
    const history = await openAlarms(viewer, 'state=cleared&agvId=acme-0001');
    expect(history.map((a) => a.code)).toContain('LOW_BATTERY');
    expect(history.find((a) => a.code === 'LOW_BATTERY')!.clearedAt).toBe(h.clock.now());

    const late = await h.app.inject({ method: 'POST', url: `/api/v1/alarms/${id}/acknowledge`, headers: bearer(operator) });
    expect(late.statusCode).toBe(409);
    const missing = await h.app.inject({ method: 'POST', url: '/api/v1/alarms/99999/acknowledge', headers: bearer(operator) });
    expect(missing.statusCode).toBe(404);

    // Webhook notifications for the lifecycle, in order.
    expect(h.notifications.filter((n) => (n.data as Alarm).id === id).map((n) => n.event)).toEqual([
      'alarm.raised',
      'alarm.acknowledged',
      'alarm.cleared',
    ]);
    // And the event log tells the same story, filterable by AGV.
    const events = await h.app.inject({ url: '/api/v1/events?agvId=acme-0001&type=alarm.raised', headers: bearer(viewer) });
    expect(events.json().events.length).toBeGreaterThan(0);
  });

  it('detects heartbeat loss, AGV-reported alarms, no progress, repeated e-stops and a charger held too long', async () => {
    h = await startHarness({
      ops: { thresholds: { noProgressMs: 30_000, repeatedEstopCount: 3, chargerOccupiedMs: 60_000 } },
    });
    const viewer = await h.token('viewer');
    const [silent, reporter, stuck, stopper, charger] = ['acme-0001', 'hikro-0002', 'geekbot-0003', 'acme-0004', 'hikro-0005'].map((id) => h.fleet.agv(id)!);
    silent!.connection = 'offline';
    reporter!.alarms = [{ code: 'LIDAR_DIRTY', severity: 'warning', message: 'front lidar contaminated' }];
    stuck!.currentTaskId = 'T-stuck';
    stuck!.emergencyStop = true; // stands still without being moved by the fleet's step
    const chargerNode = h.fleet.map.chargers[0]!.node;
    charger!.nodeId = chargerNode;
    charger!.pose = null;
    charger!.emergencyStop = true; // keeps it standing on the charger
    h.clock.advance(1000);
    for (let i = 0; i < 3; i++) {
      stopper!.emergencyStop = true;
      h.clock.advance(1000);
      stopper!.emergencyStop = false;
      h.clock.advance(1000);
    }
    h.clock.advance(61_000);
    const open = await openAlarms(viewer);
    const codes = (agvId: string): string[] => open.filter((a) => a.agvId === agvId).map((a) => a.code).sort();
    expect(codes('acme-0001')).toEqual(['HEARTBEAT_LOST']);
    expect(codes('hikro-0002')).toContain('LIDAR_DIRTY');
    expect(open.find((a) => a.code === 'LIDAR_DIRTY')!.source).toBe('agv');
    expect(codes('geekbot-0003')).toEqual(expect.arrayContaining(['EMERGENCY_STOP', 'NO_PROGRESS']));
    expect(codes('acme-0004')).toContain('REPEATED_ESTOP');
    expect(codes('hikro-0005')).toContain('CHARGER_OCCUPIED_TOO_LONG');

    // The AGV stops reporting its alarm: it clears.
    reporter!.alarms = [];
    h.clock.advance(1000);
    expect((await openAlarms(viewer)).some((a) => a.code === 'LIDAR_DIRTY')).toBe(false);

    // Severity filter: at least 'error'.
    const severe = await openAlarms(viewer, 'state=open&severity=error');
    expect(severe.every((a) => a.severity === 'error' || a.severity === 'critical')).toBe(true);
    expect(severe.length).toBeGreaterThan(0);

    const bad = await h.app.inject({ url: '/api/v1/alarms?severity=apocalyptic', headers: bearer(viewer) });
    expect(bad.statusCode).toBe(400);
  });

  it('keeps open alarms across a restart instead of raising them again', async () => {
    const store = openStore({ path: ':memory:' });
    const lowBattery = (fleet: Harness['fleet']): void => {
      fleet.agv('acme-0001')!.battery = 5;
    };
    h = await startHarness({ store, prepare: lowBattery });
    h.clock.advance(1000);
    const before = h.ops.alarms.active().filter((a) => a.code === 'LOW_BATTERY');
    expect(before).toHaveLength(1);
    await h.close();

    h = await startHarness({ store, prepare: lowBattery });
    h.clock.advance(1000);
    const after = h.ops.alarms.active().filter((a) => a.code === 'LOW_BATTERY');
    expect(after.map((a) => a.id)).toEqual(before.map((a) => a.id));
    expect(h.notifications.filter((n) => n.event === 'alarm.raised' && (n.data as Alarm).code === 'LOW_BATTERY')).toHaveLength(0);
  });

  it('lets an admin change thresholds and refuses nonsense', async () => {
    h = await startHarness();
    const admin = await h.token('admin');
    const operator = await h.token('operator');
    const denied = await h.app.inject({ method: 'PATCH', url: '/api/v1/alarm-thresholds', headers: bearer(operator), payload: { lowBatteryPct: 30 } });
    expect(denied.statusCode).toBe(403);
    const ok = await h.app.inject({ method: 'PATCH', url: '/api/v1/alarm-thresholds', headers: bearer(admin), payload: { lowBatteryPct: 30 } });
    expect(ok.json().thresholds.lowBatteryPct).toBe(30);
    const bad = await h.app.inject({ method: 'PATCH', url: '/api/v1/alarm-thresholds', headers: bearer(admin), payload: { lowBatteryPct: 'lots' } });
    expect(bad.statusCode).toBe(400);
    const unknown = await h.app.inject({ method: 'PATCH', url: '/api/v1/alarm-thresholds', headers: bearer(admin), payload: { colour: 3 } });
    expect(unknown.statusCode).toBe(400);
    expect(h.ops.alarms.getThresholds().lowBatteryPct).toBe(30);
  });
});
