// Site failover with the AGVs on the MQTT binding, against a real PostgreSQL and a real Mosquitto: only the leader
// listens on the site's MQTT topics; when it stops (or is killed with SIGKILL), the standby takes over, subscribes,
// and the simulated AGVs open new links to it through the same broker. Every task completes once, and no two AGVs
// ever stand on one node. A link the new leader never opened is ended at once, so its AGV need not wait for its
// heartbeat timeout.

import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { ScaledClock, Simulator } from '../../src/agv/sim/index.ts';
import { linkTopic } from '../../src/agv/transport/mqtt.ts';
import { encodeFrame } from '../../src/protocol/index.ts';
import { startPlatform } from '../../src/rcs/platform.ts';
import { COMPACT_PROFILES, demoSite, e2eConfig, everyTaskCompleted, OccupancyChecker, submitTask, taskPairs, TIME_FACTOR, waitFor } from './e2e-harness.ts';
import { brokerReachable, MQTT_URL, uniqueTopicRoot } from './mqtt-broker.ts';
import { dropSchemas, PG_URL, postgresReachable } from './postgres.ts';

const ready = (await postgresReachable()) && (await brokerReachable());
if (!ready) console.warn(`PostgreSQL (${PG_URL}) or Mosquitto (${MQTT_URL}) not reachable: MQTT failover test skipped`);

const schemas: string[] = [];
afterAll(async () => {
  if (ready) await dropSchemas(schemas);
});

function freshSchemaUrl(): string {
  const schema = `uf_fo_mqtt_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  return `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
}

describe.skipIf(!ready)('site failover with AGVs on MQTT', () => {
  it('the standby takes the site\'s MQTT topics over: AGVs come back through the broker, every task done once', async () => {
    const site = await demoSite();
    const clock = new ScaledClock(TIME_FACTOR);
    const checker = new OccupancyChecker(site);
    const root = uniqueTopicRoot();
    const settings = e2eConfig({ dbUrl: freshSchemaUrl(), leaderElection: true, recoveryMs: 60_000, mqttUrl: MQTT_URL, mqttTopicRoot: root, rcsPort: 0 });
    const leader = await startPlatform(settings, { site, clock, tap: checker.tap });
    await leader.leading;
    const standby = await startPlatform(settings, { site, clock, tap: checker.tap });
    const sim = new Simulator({ clock, nodes: site.nodes, count: 6, startNodes: site.parking.map((p) => p.node), transport: 'mqtt', mqtt: { url: MQTT_URL, root, site: site.id }, profiles: COMPACT_PROFILES, batteryPct: () => 90 });
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
      // Each task done exactly once: one terminal state, 'completed'.
      expect([...(await everyTaskCompleted(standby)).values()]).toEqual(Array(12).fill(['completed']));
      expect(checker.violations).toEqual([]);
    } finally {
      sim.stop();
      await leader.stop();
      await standby.stop();
    }
  }, 240_000);

  it('a leader killed with SIGKILL: the standby takes over and the AGVs\' stranded links are ended, so they come back', async () => {
    const site = await demoSite();
    const origin = Date.now();
    const clock = new ScaledClock(TIME_FACTOR, origin);
    const checker = new OccupancyChecker(site);
    const root = uniqueTopicRoot();
    const dbUrl = freshSchemaUrl();
    const child = fork(join(import.meta.dirname, 'failover-leader-child.ts'), [dbUrl, MQTT_URL, root, String(origin), String(TIME_FACTOR)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const leader = await new Promise<{ apiUrl: string; apiKey: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { apiUrl: string; apiKey: string }));
      child.once('exit', (code) => reject(new Error(`leader process exited (${code})`)));
    });
    const standby = await startPlatform(e2eConfig({ dbUrl, leaderElection: true, recoveryMs: 60_000, mqttUrl: MQTT_URL, mqttTopicRoot: root }), { site, clock, tap: checker.tap });
    const sim = new Simulator({ clock, nodes: site.nodes, count: 6, startNodes: site.parking.map((p) => p.node), transport: 'mqtt', mqtt: { url: MQTT_URL, root, site: site.id }, profiles: COMPACT_PROFILES, batteryPct: () => 90 });
    try {
      expect(standby.role).toBe('standby');
      sim.start();
      const pairs = taskPairs(site, 12);
      for (const [i, pair] of pairs.entries()) expect((await submitTask(leader.apiUrl, leader.apiKey, pair, `fok-${i}`)).status).toBe(201);
      await waitFor('tasks under way at the leader', async () => (await standby.tasks.list({ limit: 100 })).items.some((t) => t.state === 'to_drop'), 60_000);

      child.kill('SIGKILL');
      await standby.leading;
      expect(standby.role).toBe('leader');
      await waitFor('AGVs back at the new leader through the broker', () => standby.registry.onlineCount() === 6, 60_000);
      // Each task done exactly once: one terminal state, 'completed'.
      expect([...(await everyTaskCompleted(standby)).values()]).toEqual(Array(12).fill(['completed']));
      // Seen from the new leader's side (the old one's frames were not tapped): never two AGVs on one node.
      expect(checker.violations).toEqual([]);

      // A frame on a link the leader never opened (here by hand) is answered with the end-of-link marker.
      const peer = await connectAsync(MQTT_URL, { reconnectPeriod: 0 });
      try {
        const link = randomBytes(8).toString('hex');
        const down = linkTopic({ root, site: site.id }, 'STRANDED', 'down', link);
        const ended = new Promise<number>((resolve) => peer.on('message', (topic, payload) => topic === down && resolve(payload.length)));
        await peer.subscribeAsync(down, { qos: 1 });
        const heartbeat = encodeFrame({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 }, { seq: 7, timestamp: clock.now() });
        await peer.publishAsync(linkTopic({ root, site: site.id }, 'STRANDED', 'up', link), Buffer.from(heartbeat), { qos: 1 });
        expect(await ended).toBe(0);
      } finally {
        await peer.endAsync();
      }
    } finally {
      sim.stop();
      child.kill('SIGKILL');
      await standby.stop();
    }
  }, 240_000);
});
