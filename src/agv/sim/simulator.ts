import type { Clock } from '../../core/index.ts';
import type { FrameChannel } from '../transport/channel.ts';
import type { AgvClientOptions, PlatformEndpoint, SecureCredentials } from '../sdk/types.ts';
import { VENDOR_PROFILES, type VendorProfile } from './profiles.ts';
import { SimAgv } from './sim-agv.ts';

// A fleet of simulated AGVs of several vendors on one map, each with its own protocol connection. One timer moves
// every body, so thousands of AGVs cost one timer, not thousands.

export interface SimMapNode {
  id: string;
  x: number;
  y: number;
}

export interface SimulatorOptions {
  clock: Clock;
  /** Site map nodes in file order: a node's wire number is its 1-based position. */
  nodes: readonly SimMapNode[];
  count: number;
  /** Node ids to start AGVs on, in order of preference (e.g. parking spots); other nodes fill up after. */
  startNodes?: readonly string[];
  host?: string;
  port?: number;
  /** The site's platform instances in failover order (instead of host/port). */
  endpoints?: readonly PlatformEndpoint[];
  /** 'mqtt': every AGV connects through the broker `mqtt` names (SDK client options). */
  transport?: AgvClientOptions['transport'];
  mqtt?: AgvClientOptions['mqtt'];
  /** Alternative transport per AGV (e.g. in-memory channels). */
  connect?: (agvId: string) => Promise<FrameChannel>;
  profiles?: readonly VendorProfile[];
  idPrefix?: string;
  mapNumber?: number;
  tickMs?: number;
  mode?: 'normal' | 'secure';
  credentials?: (agvId: string) => SecureCredentials | undefined;
  /** Starting battery per AGV (default 60-100 %, random). */
  batteryPct?: (index: number) => number;
}

export class Simulator {
  readonly agvs: SimAgv[] = [];
  private readonly byId = new Map<string, SimAgv>();
  private cancelTick: (() => void) | undefined;
  private running = false;

  constructor(private readonly o: SimulatorOptions) {
    const profiles = o.profiles ?? VENDOR_PROFILES;
    const numberOf = new Map(o.nodes.map((n, i) => [n.id, i + 1]));
    const order = [...(o.startNodes ?? []), ...o.nodes.map((n) => n.id)];
    const starts = [...new Set(order)].filter((id) => numberOf.has(id));
    if (o.count > starts.length) throw new Error(`map has ${starts.length} nodes, cannot start ${o.count} AGVs`);
    const byNodeId = new Map(o.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < o.count; i++) {
      const profile = profiles[i % profiles.length]!;
      const id = `${o.idPrefix ?? 'AGV-'}${String(i + 1).padStart(3, '0')}`;
      const node = byNodeId.get(starts[i]!)!;
      const agv = new SimAgv({
        id,
        profile,
        serial: `${profile.vendor.slice(0, 2).toUpperCase()}${String(100000 + i)}`,
        start: { nodeNumber: numberOf.get(node.id)!, x: node.x, y: node.y },
        mapNumber: o.mapNumber ?? 1,
        clock: o.clock,
        host: o.host,
        port: o.port,
        endpoints: o.endpoints,
        transport: o.transport,
        mqtt: o.mqtt,
        connect: o.connect ? () => o.connect!(id) : undefined,
        mode: o.mode,
        secure: o.credentials?.(id),
        batteryPct: o.batteryPct?.(i),
      });
      this.agvs.push(agv);
      this.byId.set(id, agv);
    }
  }

  get(id: string): SimAgv | undefined {
    return this.byId.get(id);
  }

  /** Connects every AGV; with staggerBatch, batches of that size 20 ms apart so thousands do not hit accept() at once. */
  start(staggerBatch = 0): void {
    this.running = true;
    if (staggerBatch <= 0) {
      for (const agv of this.agvs) agv.start();
    } else {
      for (let i = 0; i < this.agvs.length; i += staggerBatch) {
        const batch = this.agvs.slice(i, i + staggerBatch);
        setTimeout(() => {
          if (this.running) for (const agv of batch) agv.start();
        }, (i / staggerBatch) * 20);
      }
    }
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.cancelTick?.();
    for (const agv of this.agvs) agv.stop();
  }

  // ---- fault injection ----

  /** Cuts the AGV's connection; the SDK reconnects with backoff while the body keeps driving what it holds. */
  disconnect(id: string): void {
    this.byId.get(id)?.client.dropConnection();
  }

  stall(id: string, stalled: boolean): void {
    const agv = this.byId.get(id);
    if (agv) agv.body.faults.stalled = stalled;
  }

  emergencyStop(id: string, active: boolean): void {
    const agv = this.byId.get(id);
    if (agv) agv.body.faults.emergencyStop = active;
  }

  setBattery(id: string, pct: number): void {
    const agv = this.byId.get(id);
    if (agv) agv.body.battery = Math.max(0, Math.min(100, pct));
  }

  private schedule(): void {
    if (!this.running) return;
    this.cancelTick = this.o.clock.setTimeout(() => {
      const now = this.o.clock.now();
      for (const agv of this.agvs) agv.update(now);
      this.schedule();
    }, this.o.tickMs ?? 100);
  }
}
