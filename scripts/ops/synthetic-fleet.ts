// A stand-in fleet that produces the read models operations consumes, without protocol, sockets or planner:
// used by the dashboard's dev server and the browser FPS benchmark (which needs 2,000 AGVs on a 2-core machine),
// and by API tests of operations in isolation. The real-browser test runs against the real platform instead.
import { seededRandom as rng } from '../../src/core/random.ts';
import {
  FleetCommandError,
  type AgvDetail,
  type EquipmentView,
  type CreateTaskInput,
  type FleetSource,
  type MapEdge,
  type MapNode,
  type MapPoint,
  type PlatformStatus,
  type SiteMapView,
  type TaskView,
  type TrafficWait,
} from '../../src/rcs/ops/ports.ts';

const VENDORS = [
  { vendor: 'acme', model: 'Lifter-1', speed: 1.5 },
  { vendor: 'hikro', model: 'Q7', speed: 1.2 },
  { vendor: 'geekbot', model: 'P800', speed: 1.8 },
];


interface SimAgv extends AgvDetail {
  speed: number;
  fromNode: string;
  toNode: string;
  progress: number;
  route: string[];
}

export interface SyntheticFleetOptions {
  agvs: number;
  /** Grid columns × rows of the map; 2 m spacing. */
  cols?: number;
  rows?: number;
  seed?: number;
}

export class SyntheticFleet implements FleetSource {
  readonly map: SiteMapView;
  /** Lifts and doors of the stand-in site: none, unless a test or a demo sets them. */
  equipment?: () => EquipmentView;
  private readonly agvList: SimAgv[] = [];
  private readonly taskMap = new Map<string, TaskView>();
  private readonly neighbours = new Map<string, string[]>();
  private readonly nodeById = new Map<string, MapNode>();
  private readonly random: () => number;
  private taskCounter = 0;
  ready = true;

  constructor(private readonly options: SyntheticFleetOptions, private now: () => number) {
    this.random = rng(options.seed ?? 1);
    const cols = options.cols ?? Math.max(10, Math.ceil(Math.sqrt(options.agvs * 3)));
    const rows = options.rows ?? cols;
    const nodes: MapNode[] = [];
    const edges: MapEdge[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) nodes.push({ id: `n${r}_${c}`, x: c * 2, y: r * 2 });
    }
    const link = (a: string, b: string): void => {
      edges.push({ id: `${a}-${b}`, from: a, to: b }, { id: `${b}-${a}`, from: b, to: a });
      this.neighbours.set(a, [...(this.neighbours.get(a) ?? []), b]);
      this.neighbours.set(b, [...(this.neighbours.get(b) ?? []), a]);
    };
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (c + 1 < cols) link(`n${r}_${c}`, `n${r}_${c + 1}`);
        if (r + 1 < rows) link(`n${r}_${c}`, `n${r + 1}_${c}`);
      }
    }
    for (const n of nodes) this.nodeById.set(n.id, n);
    const stations: MapPoint[] = [];
    for (let c = 0; c < cols; c += 3) {
      stations.push({ id: `S-top-${c}`, node: `n0_${c}` }, { id: `S-bottom-${c}`, node: `n${rows - 1}_${c}` });
    }
    const chargers: MapPoint[] = [];
    for (let r = 2; r < rows - 2; r += Math.max(3, Math.floor(rows / 6))) chargers.push({ id: `C${r}`, node: `n${r}_0` });
    this.map = { id: 'synthetic', nodes, edges, stations, chargers, parking: [] };

    for (let i = 0; i < options.agvs; i++) {
      const profile = VENDORS[i % VENDORS.length]!;
      const start = nodes[Math.floor(this.random() * nodes.length)]!;
      this.agvList.push({
        id: `${profile.vendor}-${String(i + 1).padStart(4, '0')}`,
        vendor: profile.vendor,
        model: profile.model,
        type: 'lifter',
        connection: 'online',
        mode: i % 4 === 0 ? 'normal' : 'secure',
        state: 'idle',
        pose: { x: start.x, y: start.y, theta: 0 },
        nodeId: start.id,
        mapId: 'synthetic',
        battery: 40 + this.random() * 60,
        localisationScore: 0.9,
        charging: false,
        emergencyStop: false,
        heldNodes: [],
        plannedPath: [],
        alarms: [],
        lastSeen: now(),
        speed: profile.speed,
        fromNode: start.id,
        toNode: start.id,
        progress: 1,
        route: [],
      });
    }
  }

  siteMap(): SiteMapView {
    return this.map;
  }
  agvs(): Iterable<AgvDetail> {
    return this.agvList;
  }
  tasks(): Iterable<TaskView> {
    return this.taskMap.values();
  }
  status(): PlatformStatus {
    return { ready: this.ready, checks: { store: true, listener: true } };
  }

  /** Waits to report, set by tests (the stand-in fleet has no traffic control of its own). */
  waits: TrafficWait[] = [];
  trafficWaits(): TrafficWait[] {
    return this.waits;
  }

  agv(id: string): SimAgv | undefined {
    return this.agvList.find((a) => a.id === id);
  }

  async createTask(input: CreateTaskInput): Promise<TaskView> {
    for (const node of [input.from, input.to]) {
      if (!this.pointNode(node)) throw new FleetCommandError(400, 'invalid_request', `unknown station or node ${node}`);
    }
    const t = this.now();
    const task: TaskView = { id: `T${++this.taskCounter}`, state: 'queued', from: input.from, to: input.to, priority: input.priority ?? 5, agvId: null, createdAt: t, updatedAt: t };
    this.taskMap.set(task.id, task);
    return task;
  }

  async cancelTask(id: string): Promise<TaskView> {
    const task = this.taskMap.get(id);
    if (!task) throw new FleetCommandError(404, 'not_found', `task '${id}' not found`);
    if (['completed', 'failed', 'cancelled'].includes(task.state)) throw new FleetCommandError(409, 'invalid_state', `task '${id}' is ${task.state}; it cannot become cancelled`);
    this.finish(task, 'cancelled');
    return task;
  }

  /** Moves every AGV by dtMs of simulated time and advances tasks. */
  step(dtMs: number): void {
    const now = this.now();
    this.assign();
    for (const agv of this.agvList) {
      if (agv.connection === 'offline') continue;
      agv.lastSeen = now;
      if (agv.emergencyStop) continue;
      agv.battery = Math.max(0, agv.battery - dtMs * 0.00002);
      this.advance(agv, dtMs);
    }
  }

  private pointNode(name: string): string | undefined {
    if (this.nodeById.has(name)) return name;
    return [...this.map.stations, ...this.map.chargers].find((p) => p.id === name)?.node;
  }

  private assign(): void {
    for (const task of this.taskMap.values()) {
      if (task.state !== 'queued') continue;
      const idle = this.agvList.find((a) => a.connection === 'online' && a.currentTaskId === undefined && !a.emergencyStop);
      if (!idle) return;
      task.state = 'assigned';
      task.agvId = idle.id;
      task.updatedAt = this.now();
      idle.currentTaskId = task.id;
      idle.route = this.route(idle.toNode, this.pointNode(task.from)!);
    }
  }

  private route(from: string, to: string): string[] {
    // Breadth-first search on the grid: good enough for a stand-in.
    const prev = new Map<string, string>([[from, from]]);
    const queue = [from];
    while (queue.length) {
      const n = queue.shift()!;
      if (n === to) break;
      for (const m of this.neighbours.get(n) ?? []) {
        if (!prev.has(m)) {
          prev.set(m, n);
          queue.push(m);
        }
      }
    }
    const path: string[] = [];
    for (let n = to; n !== from; n = prev.get(n)!) path.unshift(n);
    return path;
  }

  private advance(agv: SimAgv, dtMs: number): void {
    const from = this.nodeById.get(agv.fromNode)!;
    const to = this.nodeById.get(agv.toNode)!;
    if (agv.progress >= 1) {
      agv.nodeId = agv.toNode;
      agv.fromNode = agv.toNode;
      const next = agv.route.shift() ?? this.wander(agv);
      if (!next) {
        agv.state = 'idle';
        return;
      }
      agv.toNode = next;
      agv.progress = 0;
    }
    agv.state = 'moving';
    const length = Math.hypot(to.x - from.x, to.y - from.y) || 1;
    agv.progress = Math.min(1, agv.progress + (agv.speed * dtMs) / 1000 / length);
    const a = this.nodeById.get(agv.fromNode)!;
    const b = this.nodeById.get(agv.toNode)!;
    agv.pose = { x: a.x + (b.x - a.x) * agv.progress, y: a.y + (b.y - a.y) * agv.progress, theta: Math.atan2(b.y - a.y, b.x - a.x) };
    agv.heldNodes = [agv.toNode, ...agv.route.slice(0, 2)];
    agv.plannedPath = agv.route.slice(2, 12);
  }

  /** Picks the next node when the route is empty: progresses the AGV's task, or wanders if it has none. */
  private wander(agv: SimAgv): string | undefined {
    const task = agv.currentTaskId ? this.taskMap.get(agv.currentTaskId) : undefined;
    if (task) {
      if (task.state === 'assigned') {
        task.state = 'delivering';
        task.updatedAt = this.now();
        agv.route = this.route(agv.fromNode, this.pointNode(task.to)!);
        return agv.route.shift();
      }
      if (task.state === 'delivering') this.finish(task, 'completed');
      return undefined;
    }
    const options = this.neighbours.get(agv.fromNode) ?? [];
    return options[Math.floor(this.random() * options.length)];
  }

  private finish(task: TaskView, state: string): void {
    task.state = state;
    task.updatedAt = this.now();
    const agv = task.agvId ? this.agv(task.agvId) : undefined;
    if (agv && agv.currentTaskId === task.id) {
      agv.currentTaskId = undefined;
      agv.route = [];
    }
  }
}
