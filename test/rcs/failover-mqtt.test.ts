// Site failover with the AGVs on the MQTT binding, against a real PostgreSQL and a real Mosquitto: only the leader
// listens on the site's MQTT topics; when it stops, the standby takes over, subscribes, and the simulated AGVs open
// new links to it through the same broker. Every task completes once, and no two AGVs ever stand on one node.

import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ScaledClock, Simulator } from '../../src/agv/sim/index.ts';
import { startPlatform } from '../../src/rcs/platform.ts';
import { TERMINAL_STATES } from '../../src/rcs/tasks/types.ts';
import { demoSite, e2eConfig, OccupancyChecker, submitTask, taskPairs, TIME_FACTOR, waitFor } from './e2e-harness.ts';
import { brokerReachable, MQTT_URL, uniqueTopicRoot } from './mqtt-broker.ts';
import { dropSchemas, PG_URL, postgresReachable } from './postgres.ts';

const ready = (await postgresReachable()) && (await brokerReachable());
if (!ready) console.warn(`PostgreSQL (${PG_URL}) or Mosquitto (${MQTT_URL}) not reachable: MQTT failover test skipped`);

const schema = `uf_fo_mqtt_${randomBytes(5).toString('hex')}`;
afterAll(async () => {
  if (ready) await dropSchemas([schema]);
});

describe.skipIf(!ready)('site failover with AGVs on MQTT', () => {
  it('the standby takes the site\'s MQTT topics over: AGVs come back through the broker, every task done once', async () => {
    const site = await demoSite();
    const clock = new ScaledClock(TIME_FACTOR);
    const checker = new OccupancyChecker(site);
    const root = uniqueTopicRoot();
    const settings = e2eConfig({ dbUrl: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`, leaderElection: true, recoveryMs: 60_000, mqttUrl: MQTT_URL, mqttTopicRoot: root, rcsPort: 0 });
    const leader = await startPlatform(settings, { site, clock, tap: checker.tap });
    await leader.leading;
    const standby = await startPlatform(settings, { site, clock, tap: checker.tap });
    const sim = new Simulator({ clock, nodes: site.nodes, count: 6, startNodes: site.parking.map((p) => p.node), transport: 'mqtt', mqtt: { url: MQTT_URL, root, site: site.id }, batteryPct: () => 90 });
    try {
      expect([leader.role, standby.role]).toEqual(['leader', 'standby']);
      sim.start();
      await waitFor('AGVs online at the leader over MQTT', () => leader.registry.onlineCount() === 6, 30_000);
      // A standby never opens sessions: it does not listen on the site's topics.
      expect(standby.registry.onlineCount()).toBe(0);
      const pairs = taskPairs(site, 12);
      for (const [i, pair] of pairs.entries()) expect((await submitTask(leader.apiUrl, leader.demoApiKey!, pair, `fom-${i}`)).status).toBe(201);
      await waitFor('tasks under way', async () => (await leader.tasks.list({ limit: 100 })).items.some((t) => t.state === 'to_drop'));

      await leader.stop();
      await standby.leading;
      expect(standby.role).toBe('leader');
      await waitFor('AGVs back at the new leader through the broker', () => standby.registry.onlineCount() === 6, 60_000);
      // The same create repeated at the new leader is recognised, not duplicated.
      expect((await submitTask(standby.apiUrl, standby.demoApiKey!, pairs[0]!, 'fom-0')).status).toBe(200);
      await waitFor('every task completed', async () => (await standby.tasks.list({ limit: 100 })).items.every((t) => t.state === 'completed'), 120_000);
      const items = (await standby.tasks.list({ limit: 100 })).items;
      expect(items).toHaveLength(12);
      for (const task of items) {
        const history = (await standby.tasks.get(task.id))!.history.map((h) => h.to);
        expect(history.filter((s) => TERMINAL_STATES.has(s))).toEqual(['completed']);
      }
      expect(checker.violations).toEqual([]);
    } finally {
      sim.stop();
      await leader.stop();
      await standby.stop();
    }
  }, 240_000);
});
