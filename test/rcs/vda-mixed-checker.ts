import mqtt, { type MqttClient } from 'mqtt';
import type { Frame } from '../../src/protocol/index.ts';

// Independent occupancy check for a mixed fleet: it reads only what the AGVs themselves report — guide-protocol
// status frames through the platform's frame tap, VDA 5050 states through its own MQTT subscription on the broker —
// and the site's node coordinates. It shares no code with the bridge or traffic control. A violation is two AGVs
// (of either protocol) standing on one node at the same time.

/** Reported position within this distance of a node counts as standing on it (site nodes are >= 1 m apart). */
const ON_NODE_M = 0.45;

export class MixedFleetChecker {
  readonly violations: string[] = [];
  reports = { guide: 0, vda: 0 };
  private readonly latest = new Map<string, string | undefined>();
  private client: MqttClient | undefined;

  constructor(private readonly nodes: readonly { id: string; x: number; y: number }[]) {}

  /** Subscribes to every VDA AGV's state under the interface name. */
  async watchVda(brokerUrl: string, interfaceName: string): Promise<void> {
    const client = await mqtt.connectAsync(brokerUrl, { clientId: `checker-${Math.random().toString(16).slice(2, 10)}` });
    this.client = client;
    client.on('message', (_topic, payload) => {
      let state: { serialNumber?: string; driving?: boolean; agvPosition?: { x: number; y: number } };
      try {
        state = JSON.parse(payload.toString()) as typeof state;
      } catch {
        return;
      }
      if (!state.serialNumber || !state.agvPosition) return;
      this.reports.vda++;
      // While driving, its last state still shows where it set off from; it counts on a node only when stopped.
      this.report(state.serialNumber, state.driving ? undefined : this.nodeAt(state.agvPosition.x, state.agvPosition.y));
    });
    await client.subscribeAsync(`${interfaceName}/+/+/+/state`, { qos: 0 });
  }

  /** The platform's frame tap for guide-protocol AGVs. */
  tap = (agvId: string, frame: Frame): void => {
    const m = frame.message;
    if (m.kind !== 'statusReport') return;
    this.reports.guide++;
    this.report(agvId, this.nodeAt(m.pose.x / 1000, m.pose.y / 1000));
  };

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }

  private nodeAt(x: number, y: number): string | undefined {
    for (const n of this.nodes) if (Math.hypot(n.x - x, n.y - y) < ON_NODE_M) return n.id;
    return undefined;
  }

  private report(agvId: string, node: string | undefined): void {
    this.latest.set(agvId, node);
    if (node === undefined) return;
    for (const [other, otherNode] of this.latest) {
      if (other !== agvId && otherNode === node) this.violations.push(`${agvId} and ${other} both on ${node}`);
    }
  }
}
