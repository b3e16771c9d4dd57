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
  type PlatformRole,
  type PlatformStatus,
  type Severity,
  type SiteMapView,
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
  /** This process's part in its site's leadership (absent: the only process, always leading). */
  role?: () => PlatformRole;
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
  private unsubscribe: (() => void) | undefined;
  ready = false;

  constructor(private readonly parts: PlatformParts) {
    const { site } = parts;
    const edges = site.edges.flatMap((e) =>
      e.bidirectional ? [{ id: e.id, from: e.from, to: e.to }, { id: `${e.id}~`, from: e.to, to: e.from }] : [{ id: e.id, from: e.from, to: e.to }],
    );
    this.map = {
      id: site.id,
      nodes: site.nodes.map((n) => ({ id: n.id, x: n.x, y: n.y })),
      edges,
      stations: site.stations.map((s) => ({ id: s.id, node: s.node })),
      chargers: site.chargers.map((c) => ({ id: c.id, node: c.node })),
      parking: site.parking.map((p) => ({ id: p.id, node: p.node })),
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
    return { ready: this.ready, checks: this.parts.checks?.() ?? {}, role: this.parts.role?.() };
  }

  private remember(view: TaskView): void {
    this.taskCache.set(view.id, view);
    if (this.taskCache.size <= RECENT_FINISHED * 1.2) return;
    const finished = [...this.taskCache.values()].filter((t) => TERMINAL_TASK_STATES.has(t.state)).sort((a, b) => a.updatedAt - b.updatedAt);
    for (const t of finished.slice(0, finished.length - RECENT_FINISHED)) this.taskCache.delete(t.id);
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
      mapId: s?.mapId ?? this.map.id,
      localisationScore: s?.localisationScore ?? null,
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
