import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, generateSm2KeyPair, type Frame, type Message } from '../../src/protocol/index.ts';
import { agvKeyOf, linkTopic, upWildcard } from '../../src/agv/transport/mqtt.ts';
import { ScaledClock, Simulator, type SimAgv } from '../../src/agv/sim/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { demoSite, e2eConfig, loneSimAgv, sendGrantedHop, submitTask, taskPairs, waitFor } from './e2e-harness.ts';
import { brokerReachable, MQTT_URL, uniqueTopicRoot } from './mqtt-broker.ts';
import { testConfig } from './test-config.ts';

// The MQTT binding against a real Mosquitto: SDK AGVs reach the platform only through the broker (the simulator is
// given no TCP address), the secure channel runs over it unchanged, a killed AGV's last will ends its session, and
// what arrives malformed on the site's topics never takes the platform down.

const available = await brokerReachable();
if (!available) console.warn(`MQTT binding tests SKIPPED: no MQTT broker at ${MQTT_URL} (.ci/run starts Mosquitto; or set UNIFLEET_TEST_MQTT)`);
const title = available ? `MQTT binding over Mosquitto at ${MQTT_URL}` : `MQTT binding — SKIPPED, no MQTT broker at ${MQTT_URL}`;

/** The platform's end of an AGV's live link: its topics follow from the session's peer label `mqtt:{key}/{link}`. */
function liveLinkOf(platform: PlatformHandle, agvId: string): { key: string; link: string } {
  const label = (platform.registry.live(agvId)!.link as unknown as { peer: { channel: { peer: string } } }).peer.channel.peer;
  const [key, link] = label.slice('mqtt:'.length).split('/') as [string, string];
  return { key, link };
}

/** A bare MQTT client that plays a peer by hand: publishes raw payloads and decodes the frames it receives. */
async function rawPeer(): Promise<{ client: MqttClient; frames: Frame[]; undecodable: string[]; ended: Set<string>; listen(topic: string): Promise<void> }> {
  const client = await connectAsync(MQTT_URL, { reconnectPeriod: 0 });
  const frames: Frame[] = [];
  const undecodable: string[] = [];
  const ended = new Set<string>();
  const decoders = new Map<string, FrameDecoder>();
  client.on('message', (topic, payload) => {
    if (payload.length === 0) ended.add(topic);
    if (!decoders.has(topic)) decoders.set(topic, new FrameDecoder());
    for (const event of decoders.get(topic)!.push(payload)) {
      if (event.ok) frames.push(event.frame);
      else undecodable.push(event.error.code);
    }
  });
  return { client, frames, undecodable, ended, listen: async (topic) => void (await client.subscribeAsync(topic, { qos: 1 })) };
}

const frame = (message: Message, seq = 1) => Buffer.from(encodeFrame(message, { seq, timestamp: Date.now() }));

describe.skipIf(!available)(title, () => {
  describe('tasks over MQTT (accelerated time)', () => {
    let platform: PlatformHandle | undefined;
    let sim: Simulator | undefined;
    afterEach(async () => {
      sim?.stop();
      await platform?.stop();
    });

    it('SDK AGVs register through the broker and complete tasks submitted through the API', async () => {
      const root = uniqueTopicRoot();
      const site = await demoSite();
      const clock = new ScaledClock(20);
      platform = await startPlatform(e2eConfig({ mqttUrl: MQTT_URL, mqttTopicRoot: root }), { site, clock });
      sim = new Simulator({ clock, nodes: site.nodes, count: 3, startNodes: site.parking.map((p) => p.node), transport: 'mqtt', mqtt: { url: MQTT_URL, root, site: site.id }, batteryPct: () => 90 });
      sim.start();
      await waitFor('3 AGVs online over MQTT', () => platform!.registry.onlineCount() === 3, 30_000);
      for (const agv of platform.registry.list()) expect(liveLinkOf(platform, agv.id).key).toBe(agvKeyOf(agv.id));

      const ids: string[] = [];
      for (const [i, pair] of taskPairs(platform.site, 4).entries()) {
        const { status, json } = await submitTask(platform.apiUrl, platform.demoApiKey!, pair, `mqtt-${i}`);
        expect(status).toBe(201);
        ids.push(json.id as string);
      }
      await waitFor('4 tasks completed', async () => {
        const states = await Promise.all(ids.map(async (id) => (await platform!.tasks.get(id))!.state));
        return states.every((s) => s === 'completed');
      }, 90_000);
    });
  });

  describe('sessions over MQTT (real time)', () => {
    let platform: PlatformHandle;
    let root: string;
    const agvs: SimAgv[] = [];
    const children: ChildProcess[] = [];
    const peers: MqttClient[] = [];

    beforeAll(async () => {
      root = uniqueTopicRoot();
      // A heartbeat timeout far beyond any test: only the last will (or a close) can end a session here.
      platform = await startPlatform(testConfig({ mqttUrl: MQTT_URL, mqttTopicRoot: root, webhooks: false, statusPeriodMs: 200, heartbeatTimeoutMs: 600_000 }), { site: await demoSite() });
    });
    afterAll(async () => {
      for (const agv of agvs) agv.stop();
      for (const child of children) child.kill('SIGKILL');
      for (const peer of peers) await peer.endAsync();
      await platform.stop();
    });

    function mqttAgv(id: string, node: number, secure?: { privateKey: Uint8Array; publicKey: Uint8Array }): SimAgv {
      const agv = loneSimAgv(platform, id, node, {
        transport: 'mqtt',
        mqtt: { url: MQTT_URL, root, site: platform.site.id },
        secure: secure && { ...secure, platformPublicKey: platform.platformPublicKey },
      });
      agvs.push(agv);
      return agv;
    }

    it('runs the secure channel over MQTT unchanged: key exchange, then protected frames both ways', async () => {
      const keys = generateSm2KeyPair();
      await platform.store.agvs.enrol({ id: 'MQ-SEC', publicKeyHex: Buffer.from(keys.publicKey).toString('hex') });
      mqttAgv('MQ-SEC', 0, keys).start();
      await waitFor('secure AGV online over MQTT', () => platform.registry.get('MQ-SEC')?.connection === 'online', 20_000);
      expect(platform.registry.get('MQ-SEC')!.mode).toBe('secure');
      // What the broker carries is the protected frames themselves: a listener on the link sees only ciphertext.
      const { key, link } = liveLinkOf(platform, 'MQ-SEC');
      const spy = await rawPeer();
      peers.push(spy.client);
      await spy.listen(linkTopic({ root, site: platform.site.id }, key, 'up', link));
      await waitFor('protected frames seen on the up topic', () => spy.undecodable.length >= 3, 10_000);
      // Without the session keys the frames on the wire cannot be read: not one status report decodes.
      expect(spy.frames.filter((f) => f.message.kind === 'statusReport')).toEqual([]);

      // A command round trip through the protected channel over the broker.
      const { outcome } = await sendGrantedHop(platform, 'MQ-SEC', 91);
      expect(outcome.ok).toBe(true);
    });

    it('ends the link when the platform closes the session; the SDK notices at once and comes back on a new link', async () => {
      const agv = mqttAgv('MQ-END', 40);
      const lost: string[] = [];
      agv.client.on('linkLost', (reason) => lost.push(reason));
      agv.start();
      await waitFor('AGV online over MQTT', () => platform.registry.get('MQ-END')?.connection === 'online', 20_000);
      const first = liveLinkOf(platform, 'MQ-END').link;
      (platform.registry.live('MQ-END')!.link as unknown as { close(reason: string): void }).close('closed by the test');
      // The heartbeat timeout is 10 minutes: only the end-of-link marker can tell the AGV this soon.
      await waitFor('the SDK saw its link end', () => lost.length > 0, 20_000);
      expect(lost[0]).toBe('closed');
      await waitFor('AGV back online', () => platform.registry.get('MQ-END')?.connection === 'online' && liveLinkOf(platform, 'MQ-END').link !== first, 20_000);
    });

    it("ends the session of an AGV killed without a goodbye through its last will, long before the heartbeat timeout", async () => {
      const n = platform.site.nodes[10]!;
      const child = fork(join(import.meta.dirname, 'mqtt-agv-child.ts'), [MQTT_URL, root, platform.site.id, 'MQ-WILL', '11', String(n.x), String(n.y)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.push(child);
      await waitFor('AGV online over MQTT', () => platform.registry.get('MQ-WILL')?.connection === 'online', 30_000);
      const offline = new Promise<string>((resolve) => {
        const stop = platform.registry.onEvent((e) => {
          if (e.type === 'offline' && e.agvId === 'MQ-WILL') {
            stop();
            resolve(e.type);
          }
        });
      });
      child.kill('SIGKILL');
      // The heartbeat timeout is 10 minutes: only the broker's will can make the AGV offline within the wait.
      await waitFor('AGV offline', () => platform.registry.get('MQ-WILL')?.connection === 'offline', 30_000);
      expect(await offline).toBe('offline');
    });

    it('survives malformed and misdirected payloads: ignored on unknown links, nacked on a live one, refused for another AGV id', async () => {
      const layout = { root, site: platform.site.id };
      mqttAgv('MQ-LIVE', 20).start();
      await waitFor('AGV online over MQTT', () => platform.registry.get('MQ-LIVE')?.connection === 'online', 20_000);
      const { key, link } = liveLinkOf(platform, 'MQ-LIVE');
      const peer = await rawPeer();
      peers.push(peer.client);

      // Garbage where no link exists, on topics outside the layout, empty payloads and a retained message: nothing opens.
      const sessionsBefore = platform.sessions.sessionCount;
      const ghost = randomBytes(8).toString('hex');
      await peer.client.publishAsync(linkTopic(layout, 'GHOST', 'up', ghost), randomBytes(300), { qos: 1 });
      await peer.client.publishAsync(linkTopic(layout, 'GHOST', 'up', ghost), Buffer.alloc(0), { qos: 1 });
      await peer.client.publishAsync(`${root}/${platform.site.id}/GHOST/up`, randomBytes(40), { qos: 1 });
      await peer.client.publishAsync(upWildcard(layout).replace('+/up/+', 'GHOST/up/x'), frame({ kind: 'accessRequest', agvId: 'GHOST', mode: 'normal', versionMin: 0x10, versionMax: 0x11, vendor: 'x' }), { qos: 1, retain: true });
      // Clean up the retained message at once so it cannot outlive the run.
      await peer.client.publishAsync(upWildcard(layout).replace('+/up/+', 'GHOST/up/x'), Buffer.alloc(0), { qos: 1, retain: true });

      // Bytes that are no frame on the live link: the session nacks them and stays up.
      await peer.listen(linkTopic(layout, key, 'down', link));
      await peer.client.publishAsync(linkTopic(layout, key, 'up', link), Buffer.from('not a frame at all, just bytes'), { qos: 1 });
      await waitFor('a nack on the live link', () => peer.frames.some((f) => f.message.kind === 'nack'), 10_000);
      expect(platform.registry.get('MQ-LIVE')!.connection).toBe('online');

      // A link under one AGV's key that asks access for another id: refused with a reason, on that link only.
      const wrong = randomBytes(8).toString('hex');
      await peer.listen(linkTopic(layout, 'MQ-OTHER', 'down', wrong));
      await peer.client.publishAsync(linkTopic(layout, 'MQ-OTHER', 'up', wrong), frame({ kind: 'accessRequest', agvId: 'MQ-LIVE', mode: 'normal', versionMin: 0x10, versionMax: 0x11, vendor: 'x' }), { qos: 1 });
      await waitFor('the access refused', () => peer.frames.some((f) => f.message.kind === 'accessResponse'), 10_000);
      const answer = peer.frames.find((f) => f.message.kind === 'accessResponse')!.message as Extract<Message, { kind: 'accessResponse' }>;
      expect(answer.result).toBe('refused');
      expect(answer.detail).toContain('MQ-OTHER');
      // ... and the platform ended that link, as closing a socket would.
      await waitFor('the end-of-link marker on the refused link', () => peer.ended.has(linkTopic(layout, 'MQ-OTHER', 'down', wrong)), 10_000);

      // Still serving: the live AGV is online and a new one gets in.
      expect(platform.registry.get('MQ-LIVE')!.connection).toBe('online');
      mqttAgv('MQ-NEW', 30).start();
      await waitFor('a new AGV online after the garbage', () => platform.registry.get('MQ-NEW')?.connection === 'online', 20_000);
      expect(platform.sessions.sessionCount).toBeGreaterThanOrEqual(sessionsBefore + 1);
    });
  });
});
