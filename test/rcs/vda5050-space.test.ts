import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { vdaFactsheet } from '../../src/agv/vda5050/virtual-fleet.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import type { SiteMap, SiteNode } from '../../src/rcs/site/types.ts';
import { demoSite, e2eConfig, waitFor } from './e2e-harness.ts';
import { brokerReachable, MQTT_URL } from './mqtt-broker.ts';

// VDA 5050 3.0 zone and edge requests answered by the platform's space grants, over the real Mosquitto.
// vda-5050-lib stops at VDA 5050 2.0 (no zoneRequests/edgeRequests, no `responses` topic), so the 3.0 AGVs here are
// a plain `mqtt` client publishing 3.0 connection, factsheet and state JSON on `v3` topics and reading `responses`.

const available = await brokerReachable();
if (!available) console.warn(`VDA 5050 3.0 request tests SKIPPED: no MQTT broker at ${MQTT_URL} (.ci/run starts Mosquitto)`);

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Response {
  requestId: string;
  grantType: string;
  leaseExpiry?: string;
}

/** A VDA 5050 3.0 AGV standing on one node: it publishes states carrying the requests it is given. */
class RawV3Agv {
  readonly responses: Response[] = [];
  private headerId = 0;
  zoneRequests: { requestId: string; zoneId: string }[] = [];
  edgeRequests: { requestId: string; edgeId: string }[] = [];

  constructor(
    private readonly client: MqttClient,
    private readonly base: string,
    readonly serial: string,
    private readonly at: SiteNode,
  ) {}

  async start(): Promise<void> {
    this.client.on('message', (topic, payload) => {
      if (topic === `${this.base}/responses`) this.responses.push(...((JSON.parse(payload.toString()) as { responses: Response[] }).responses));
    });
    await this.client.subscribeAsync(`${this.base}/responses`, { qos: 1 });
    await this.send('factsheet', vdaFactsheet({ seriesName: 'V3', lengthM: 0.4, widthM: 0.3, speedMps: 1, actions: ['pick', 'drop'] }));
    await this.send('connection', { connectionState: 'ONLINE' });
    await this.state();
  }

  async state(): Promise<void> {
    await this.send('state', {
      orderId: '', orderUpdateId: 0, lastNodeId: this.at.id, lastNodeSequenceId: 0, nodeStates: [], edgeStates: [],
      agvPosition: { x: this.at.x, y: this.at.y, theta: 0, mapId: this.at.map, positionInitialized: true },
      driving: false, operatingMode: 'AUTOMATIC', actionStates: [], batteryState: { batteryCharge: 80, charging: false }, errors: [],
      safetyState: { eStop: 'NONE', fieldViolation: false },
      zoneRequests: this.zoneRequests.map((r) => ({ ...r, zoneSetId: 'platform', requestType: 'ACCESS', requestStatus: 'REQUESTED' })),
      edgeRequests: this.edgeRequests.map((r) => ({ ...r, requestType: 'CORRIDOR', requestStatus: 'REQUESTED' })),
    });
  }

  last(requestId: string): Response | undefined {
    return this.responses.filter((r) => r.requestId === requestId).at(-1);
  }

  private async send(topic: string, body: object): Promise<void> {
    const header = { headerId: this.headerId++, timestamp: new Date().toISOString(), version: '3.0.0', manufacturer: 'V3Co', serialNumber: this.serial };
    await this.client.publishAsync(`${this.base}/${topic}`, JSON.stringify({ ...header, ...body }), { qos: 1 });
  }
}

/**
 * The i-th parking spot of the demo site and the aisle node its spur leaves from. The AGVs stand on parking spots, so
 * dispatch leaves them where they are (an AGV on an aisle node is sent to park, which would move its reservations).
 */
function spot(site: SiteMap, i: number): { park: SiteNode; entry: SiteNode; spur: string } {
  const park = site.nodes.find((n) => n.id === site.parking[i]!.node)!;
  const spur = site.edges.find((e) => e.to === park.id || e.from === park.id)!;
  const entry = site.nodes.find((n) => n.id === (spur.from === park.id ? spur.to : spur.from))!;
  return { park, entry, spur: spur.id };
}

async function setUp(): Promise<{ platform: PlatformHandle; agv(serial: string, at: SiteNode): Promise<RawV3Agv> }> {
  const site = await demoSite();
  const iface = `uf-test-${Math.random().toString(36).slice(2, 10)}`;
  const platform = await startPlatform(e2eConfig({ vda5050: true, vdaBrokerUrl: MQTT_URL, vdaInterface: iface, demoKey: true }), { site, clock: systemClock });
  cleanup.push(() => platform.stop());
  const agv = async (serial: string, at: SiteNode) => {
    const client = await mqtt.connectAsync(MQTT_URL);
    cleanup.push(() => client.endAsync());
    const raw = new RawV3Agv(client, `${iface}/v3/V3Co/${serial}`, serial, at);
    await raw.start();
    await waitFor(`${serial} online`, async () => {
      if (platform.traffic.held(serial)[0] === at.id) return true;
      await raw.state();
      return false;
    }, 60_000, () => JSON.stringify({ agvs: platform.vda!.list(), counters: platform.vda!.counters, held: platform.traffic.held(serial) }));
    return raw;
  };
  return { platform, agv };
}

/** Re-sends the AGV's state until its latest answer to the request is the one expected. */
async function answered(agv: RawV3Agv, requestId: string, grantType: string): Promise<Response> {
  await agv.state();
  await waitFor(`${agv.serial} ${requestId} ${grantType}`, async () => {
    if (agv.last(requestId)?.grantType === grantType) return true;
    await agv.state();
    return false;
  }, 20_000, () => JSON.stringify(agv.responses));
  return agv.last(requestId)!;
}

describe.skipIf(!available)('VDA 5050 3.0 zone and edge requests over Mosquitto', () => {
  it('grants a zone request with a lease, renews it while the request repeats, and releases it when it disappears', async () => {
    const { platform, agv } = await setUp();
    const { park, entry } = spot(platform.site, 0);
    const zone = await platform.zones.create({ type: 'speedLimit', name: 'slow lane', nodes: [park.id, entry.id], maxSpeed: 0.5 }, 'test');
    const v3 = await agv('V3-001', park);
    v3.zoneRequests = [{ requestId: 'z1', zoneId: zone.id }];
    const granted = await answered(v3, 'z1', 'GRANTED');
    expect(Date.parse(granted.leaseExpiry!)).toBeGreaterThan(Date.now());
    const [lease] = platform.space.grants.leases();
    expect(lease).toMatchObject({ agvId: 'V3-001' });
    expect(lease!.nodes).toEqual(expect.arrayContaining([park.id, entry.id]));
    // Repeating the request past half the lease renews it: a second GRANTED with a later expiry.
    await waitFor('renewed', async () => {
      await v3.state();
      return v3.responses.filter((r) => r.grantType === 'GRANTED').length >= 2;
    }, 20_000);
    expect(Date.parse(v3.last('z1')!.leaseExpiry!)).toBeGreaterThan(Date.parse(granted.leaseExpiry!));
    v3.zoneRequests = [];
    await v3.state();
    await waitFor('released', () => platform.space.grants.leases().length === 0);
  });

  it('queues a zone request that overlaps granted space and grants it once that space is released', async () => {
    const { platform, agv } = await setUp();
    const one = spot(platform.site, 0);
    const two = spot(platform.site, 1);
    // The second AGV's zone reaches the first one's aisle node, which the first AGV's lease covers.
    const zone = await platform.zones.create({ type: 'speedLimit', name: 'aisle', nodes: [two.park.id, two.entry.id, one.entry.id], maxSpeed: 0.5 }, 'test');
    const first = await agv('V3-001', one.park);
    const second = await agv('V3-002', two.park);
    first.edgeRequests = [{ requestId: 'e1', edgeId: one.spur }];
    await answered(first, 'e1', 'GRANTED');
    second.zoneRequests = [{ requestId: 'z2', zoneId: zone.id }];
    await answered(second, 'z2', 'QUEUED');
    first.edgeRequests = [];
    await first.state();
    await answered(second, 'z2', 'GRANTED');
    expect(platform.space.grants.leases().map((l) => l.agvId)).toEqual(['V3-002']);
  });

  it('rejects a request for space that conflicts with an operator block, and one naming no known zone', async () => {
    const { platform, agv } = await setUp();
    const { park, entry, spur } = spot(platform.site, 0);
    await platform.zones.create({ type: 'blocked', name: 'spill', nodes: [entry.id], mode: 'leave' }, 'test');
    const v3 = await agv('V3-001', park);
    v3.edgeRequests = [{ requestId: 'e1', edgeId: spur }];
    v3.zoneRequests = [{ requestId: 'z-unknown', zoneId: 'no-such-zone' }];
    await answered(v3, 'e1', 'REJECTED');
    await answered(v3, 'z-unknown', 'REJECTED');
    expect(platform.space.grants.leases()).toEqual([]);
  });

  it('tells the AGV REVOKED when an operator revokes its lease through the API', async () => {
    const { platform, agv } = await setUp();
    const { park, spur } = spot(platform.site, 0);
    const v3 = await agv('V3-001', park);
    v3.edgeRequests = [{ requestId: 'e1', edgeId: spur }];
    await answered(v3, 'e1', 'GRANTED');
    const leaseId = platform.space.grants.leases()[0]!.leaseId;
    const res = await fetch(`${platform.apiUrl}/api/v1/space/leases/${leaseId}/revoke`, { method: 'POST', headers: { 'x-api-key': platform.demoApiKey! } });
    expect(res.status).toBe(200);
    await waitFor('REVOKED', () => v3.last('e1')?.grantType === 'REVOKED');
    // The request still in the state is not asked again: the AGV must ask anew with a new request id.
    await v3.state();
    await v3.state();
    expect(v3.last('e1')?.grantType).toBe('REVOKED');
    expect(platform.space.grants.leases()).toEqual([]);
  });
});
