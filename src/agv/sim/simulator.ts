import type { Clock } from '../../core/index.ts';
import type { FrameChannel } from '../transport/channel.ts';
import type { AgvClientOptions, PlatformEndpoint, SecureCredentials } from '../sdk/types.ts';
import { Obstacles, type Obstacle, type ObstacleSpec } from './obstacles.ts';
import { VENDOR_PROFILES, type VendorProfile } from './profiles.ts';
import { SimAgv } from './sim-agv.ts';
import { chooseStarts } from './start-placement.ts';
import { runInSlices } from '../../core/slices.ts';

/** Longest stretch (ms) of a motion tick before the simulator reads the frames that arrived meanwhile. */
const TICK_SLICE_MS = 5;
/** AGVs moved per step of a tick. */
const TICK_STEP_AGVS = 64;
/** Steps a tick takes before it may pause: up to 256 AGVs move in one piece. */
const SMALL_FLEET_STEPS = 4;

// A fleet of simulated AGVs of several vendors on one map, each with its own protocol connection. One timer moves
// every body, so thousands of AGVs cost one timer, not thousands.

export interface SimMapNode {
  id: string;
  x: number;
  y: number;
  /** The site map (floor) the node is on, for sites of several maps. */
  map?: string;
}

export interface SimMapEdge {
  from: string;
  to: string;
}

/** Obstacles appearing at random on edges nobody drives (soak runs, the space benchmark). */
export interface RandomObstacles {
  /** Site edges to place them on. */
  edges: readonly SimMapEdge[];
  /** Mean time between two obstacles appearing (ms). */
  everyMs: number;
  /** How long one stays (ms). */
  lifetimeMs: number;
  /** Most at once. */
  max?: number;
  random?: () => number;
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
  /** Map number of every AGV; default 1, or with `maps` the number of the map each AGV starts on. */
  mapNumber?: number;
  /** The site's maps in order (a map's wire number is its 1-based position): AGVs start localised on their start node's map. */
  maps?: readonly { id: string }[];
  tickMs?: number;
  mode?: 'normal' | 'secure';
  credentials?: (agvId: string) => SecureCredentials | undefined;
  /** Starting battery per AGV (default 60-100 %, random). */
  batteryPct?: (index: number) => number;
  /** Sideways offset (m) of detours around obstacles (default 1 m). */
  detourOffsetM?: number;
}

export class Simulator {
  readonly agvs: SimAgv[] = [];
  private readonly byId = new Map<string, SimAgv>();
  private cancelTick: (() => void) | undefined;
  private running = false;
  /** Obstacles in the simulated world: AGVs meeting one stop and ask for a detour (see SimAgv). */
  readonly obstacles = new Obstacles();
  private cancelScatter: (() => void) | undefined;

  constructor(private readonly o: SimulatorOptions) {
    const profiles = o.profiles ?? VENDOR_PROFILES;
    const numberOf = new Map(o.nodes.map((n, i) => [n.id, i + 1]));
    const order = [...(o.startNodes ?? []), ...o.nodes.map((n) => n.id)];
    const byNodeId = new Map(o.nodes.map((n) => [n.id, n]));
    const candidates = [...new Set(order)].filter((id) => numberOf.has(id)).map((id) => byNodeId.get(id)!);
    if (o.count > candidates.length) throw new Error(`map has ${candidates.length} nodes, cannot start ${o.count} AGVs`);
    const profileOf = (i: number) => profiles[i % profiles.length]!;
    const starts = chooseStarts(candidates, Array.from({ length: o.count }, (_, i) => Math.max(profileOf(i).lengthM, profileOf(i).widthM) / 2));
    const byWire = (wire: string) => o.nodes[Number(wire) - 1];
    const world = {
      obstructed: (from: string, to: string, a: { x: number; y: number }, b: { x: number; y: number }) =>
        this.obstacles.on(byWire(from)?.id ?? from, byWire(to)?.id ?? to, a, b) !== undefined,
      nodeAt: (x: number, y: number) => {
        const i = o.nodes.findIndex((n) => Math.hypot(n.x - x, n.y - y) < 0.05);
        return i >= 0 ? String(i + 1) : undefined;
      },
      position: (wire: string) => byWire(wire),
    };
    for (let i = 0; i < o.count; i++) {
      const profile = profileOf(i);
      const id = `${o.idPrefix ?? 'AGV-'}${String(i + 1).padStart(3, '0')}`;
      const node = byNodeId.get(starts[i]!)!;
      const agv = new SimAgv({
        id,
        profile,
        serial: `${profile.vendor.slice(0, 2).toUpperCase()}${String(100000 + i)}`,
        start: { nodeNumber: numberOf.get(node.id)!, x: node.x, y: node.y },
        mapNumber: o.mapNumber ?? mapNumberOf(o.maps, node.map),
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
        world,
        detourOffsetM: o.detourOffsetM,
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
    this.cancelScatter?.();
    for (const agv of this.agvs) agv.stop();
  }

  // ---- obstacles ----

  /** Puts an obstacle on an edge (site node ids, either direction) or an area (metres). */
  addObstacle(spec: ObstacleSpec): Obstacle {
    return this.obstacles.add(spec);
  }

  removeObstacle(id: string): boolean {
    return this.obstacles.remove(id);
  }

  /**
   * Places obstacles at random on edges no AGV stands on or drives, each cleared again after its lifetime; calls
   * `placed` for every one (counting). Stops with the simulator.
   */
  scatterObstacles(options: RandomObstacles, placed?: (obstacle: Obstacle) => void): void {
    const random = options.random ?? Math.random;
    const nodeOf = new Map(this.o.nodes.map((n, i) => [String(i + 1), n.id]));
    const busy = () => {
      const ids = new Set<string>();
      for (const agv of this.agvs) {
        const m = agv.body.motion;
        ids.add(nodeOf.get(m.lastNodeId) ?? m.lastNodeId);
        for (const p of m.ahead) ids.add(nodeOf.get(p.id) ?? p.id);
      }
      return ids;
    };
    const next = () => {
      this.cancelScatter = this.o.clock.setTimeout(() => {
        if (!this.running) return;
        if (this.obstacles.list().length < (options.max ?? Infinity) && options.edges.length > 0) {
          const taken = busy();
          const free = options.edges.filter((e) => !taken.has(e.from) && !taken.has(e.to));
          const edge = free[Math.floor(random() * free.length)];
          if (edge) {
            const obstacle = this.obstacles.add({ edge: [edge.from, edge.to] });
            placed?.(obstacle);
            this.o.clock.setTimeout(() => this.obstacles.remove(obstacle.id), options.lifetimeMs);
          }
        }
        next();
      }, -Math.log(1 - random()) * options.everyMs);
    };
    next();
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
      // The next tick is scheduled once this one has ended (in the turn of its last step).
      void runInSlices(this.tick(), TICK_SLICE_MS, SMALL_FLEET_STEPS, () => this.schedule());
    }, this.o.tickMs ?? 100);
  }

  /**
   * Moves every AGV's body to now, in steps of 64 AGVs: thousands of bodies in one piece held the simulator's event
   * loop for tens of ms, and every command it received meanwhile waited for its ack. Up to 256 AGVs move in one
   * piece, as before (and as tests on a manual clock expect).
   */
  private *tick(): Generator<void, void> {
    let n = 0;
    for (const agv of this.agvs) {
      agv.update(this.o.clock.now());
      if (++n % TICK_STEP_AGVS === 0) {
        yield;
        if (!this.running) return;
      }
    }
  }
}

function mapNumberOf(maps: readonly { id: string }[] | undefined, map: string | undefined): number {
  const index = maps && map !== undefined ? maps.findIndex((m) => m.id === map) : -1;
  return index >= 0 ? index + 1 : 1;
}
