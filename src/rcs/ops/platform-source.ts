import type { Clock } from '../../core/clock.ts';
import type { LiveAgv } from '../fleet/registry.ts';
import type { FleetRegistry } from '../fleet/registry.ts';
import type { SiteMap } from '../site/types.ts';
import { TaskNotFoundError, TaskRejectedError, TaskStateConflictError } from '../tasks/errors.ts';
import type { Task, TaskServiceApi } from '../tasks/types.ts';
import type { RoadGraph } from '../traffic/road-graph.ts';
import type { TrafficController } from '../traffic/types.ts';
import {
  FleetCommandError,
  TERMINAL_TASK_STATES,
  type AgvReportedAlarm,
  type AgvDetail,
  type CreateTaskInput,
  type FleetSource,
  type PlatformStatus,
  type Severity,
  type SiteMapView,
  type EquipmentView,
  type TaskView,
  type TrafficWait,
} from './ports.ts';

// Adapts the platform's runtime parts (registry, tasks, traffic, site, store) to the read models operations uses.

export interface PlatformParts {
  site: SiteMap;
  registry: FleetRegistry;
  tasks: TaskServiceApi;
  traffic: TrafficController;
  graph: RoadGraph;
  clock: Clock;
  /** The node an AGV is currently driving to, if any (from the coordinator's job). */
  goalOf?: (agvId: string) => string | undefined;
  /** Named self-checks for /readyz and the health diagnosis. */
  checks?: () => Record<string, boolean>;
  /** The state of the site's lifts and doors and the lift queues, from whoever runs them. */
  equipment?: () => EquipmentView;
}

const REPORTED_SEVERITY: Record<string, Severity> = { info: 'info', warning: 'warning', error: 'error', fatal: 'critical' };
/** Finished tasks kept in memory for the dashboard and health checks; older ones stay in the store. */
const RECENT_FINISHED = 1000;

function toTaskView(t: Task): TaskView {
  return { id: t.id, state: t.state, from: t.pick, to: t.drop, priority: t.priority, agvId: t.agvId, createdAt: t.createdAt, updatedAt: t.updatedAt };
}

export class PlatformFleetSource implements FleetSource {
  private readonly map: SiteMapView;
  private readonly taskCache = new Map<string, TaskView>();
  private readonly nodeMap: Map<string, string>;
  private unsubscribe: (() => void) | undefined;
  ready = false;

  constructor(private readonly parts: PlatformParts) {
    const { site } = parts;
    this.nodeMap = new Map(site.nodes.map((n) => [n.id, n.map]));
    const edges = site.edges.flatMap((e) => {
      const kind = e.kind === 'lift' ? { kind: 'lift' as const } : {};
      return e.bidirectional ? [{ id: e.id, from: e.from, to: e.to, ...kind }, { id: `${e.id}~`, from: e.to, to: e.from, ...kind }] : [{ id: e.id, from: e.from, to: e.to, ...kind }];
    });
    this.map = {
      id: site.id,
      nodes: site.nodes.map((n) => ({ id: n.id, x: n.x, y: n.y, map: n.map })),
      edges,
      stations: site.stations.map((s) => ({ id: s.id, node: s.node })),
      chargers: site.chargers.map((c) => ({ id: c.id, node: c.node })),
      parking: site.parking.map((p) => ({ id: p.id, node: p.node })),
      maps: site.maps.map((m) => ({ id: m.id, name: m.name, ...(m.building !== undefined ? { building: m.building } : {}), ...(m.floor !== undefined ? { floor: m.floor } : {}) })),
      lifts: site.lifts.map((l) => ({ id: l.id, name: l.name, stops: l.stops, cabin: l.cabin })),
      doors: site.doors.map((d) => ({ id: d.id, edge: d.edge, kind: d.kind })),
      navigationAreas: site.navigationAreas.map((a) => ({ id: a.id, modes: a.modes, nodes: a.nodes })),
    };
  }

  /** Loads open and recent tasks, then follows every change. */
  async load(): Promise<void> {
    this.unsubscribe = this.parts.tasks.onChange(({ task }) => this.remember(toTaskView(task)));
    for (const t of (await this.parts.tasks.list({ limit: 500 })).items) this.remember(toTaskView(t));
    for (const t of await this.parts.tasks.active()) this.remember(toTaskView(t));
  }

  close(): void {
    this.unsubscribe?.();
  }

  siteMap(): SiteMapView {
    return this.map;
  }

  equipment(): EquipmentView {
    return this.parts.equipment?.() ?? { lifts: [], doors: [] };
  }

  *agvs(): Iterable<AgvDetail> {
    for (const live of this.parts.registry.all()) yield this.view(live);
  }

  tasks(): Iterable<TaskView> {
    return this.taskCache.values();
  }

  async createTask(input: CreateTaskInput): Promise<TaskView> {
    try {
      const { task } = await this.parts.tasks.create({ pick: input.from, drop: input.to, priority: input.priority });
      const view = toTaskView(task);
      this.remember(view);
      return view;
    } catch (err) {
      if (err instanceof TaskRejectedError) throw new FleetCommandError(400, 'invalid_request', err.message);
      throw err;
    }
  }

  async cancelTask(id: string): Promise<TaskView> {
    try {
      const view = toTaskView(await this.parts.tasks.cancel(id, 'cancelled from the dashboard'));
      this.remember(view);
      return view;
    } catch (err) {
      if (err instanceof TaskNotFoundError) throw new FleetCommandError(404, 'not_found', err.message);
      if (err instanceof TaskStateConflictError) throw new FleetCommandError(409, 'invalid_state', err.message);
      throw err;
    }
  }

  trafficWaits(): TrafficWait[] {
    return this.parts.traffic.waiting();
  }

  status(): PlatformStatus {
    return { ready: this.ready, checks: this.parts.checks?.() ?? {} };
  }

  private remember(view: TaskView): void {
    this.taskCache.set(view.id, view);
    if (this.taskCache.size <= RECENT_FINISHED * 1.2) return;
    const finished = [...this.taskCache.values()].filter((t) => TERMINAL_TASK_STATES.has(t.state)).sort((a, b) => a.updatedAt - b.updatedAt);
    for (const t of finished.slice(0, finished.length - RECENT_FINISHED)) this.taskCache.delete(t.id);
  }

  /** The map the AGV reports being on when the site has it, else its node's map, else the site's first map. */
  private floorOf(s: LiveAgv['status']): string {
    const { site } = this.parts;
    if (s && site.maps.some((m) => m.id === s.mapId)) return s.mapId;
    const node = s?.lastNodeId === undefined ? undefined : this.nodeMap.get(s.lastNodeId);
    return node ?? site.maps[0]?.id ?? site.id;
  }

  /** The registry's AgvView of the AGV (the API's too), with the readings and paths operations reads beyond it. */
  private view(live: LiveAgv): AgvDetail {
    const s = live.status;
    const { registry, traffic, graph, goalOf } = this.parts;
    const id = live.identity.id;
    const alarms: AgvReportedAlarm[] = (s?.alarms ?? []).map((a) => ({ code: `AGV_${a.code}`, severity: REPORTED_SEVERITY[a.severity] ?? 'warning', message: a.message }));
    return {
      ...registry.view(live),
      pose: s ? { x: s.x, y: s.y, theta: s.theta } : null,
      nodeId: s?.lastNodeId ?? null,
      mapId: this.floorOf(s),
      localisationScore: s?.localisationScore ?? null,
      navMode: s?.navMode ?? null,
      body: live.identity.footprint,
      charging: s?.charging ?? false,
      emergencyStop: s?.emergencyStop ?? false,
      // Computed only when read (the dashboard asks for one selected AGV), not for every AGV every second.
      get plannedPath(): string[] {
        const held = traffic.held(id);
        const goal = goalOf?.(id);
        const from = held.at(-1);
        if (!goal || !from || from === goal) return [];
        return graph.shortestPath(from, goal)?.path.slice(1) ?? [];
      },
      alarms,
      statusKnown: s !== undefined,
    };
  }
}
