import { TERMINAL_TASK_STATES, type SiteMapView } from '../ports.ts';
import type { HealthCheck } from './types.ts';

// Checks over the site map, the task flow and the platform process.

const MAX_SUBJECTS = 20;

function reachable(map: SiteMapView, start: string, reverse: boolean): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of map.edges) {
    const [a, b] = reverse ? [e.to, e.from] : [e.from, e.to];
    if (!next.has(a)) next.set(a, []);
    next.get(a)!.push(b);
  }
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length) {
    for (const n of next.get(queue.pop()!) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

export const siteChecks: HealthCheck[] = [
  {
    id: 'map.dangling_edges',
    area: 'map',
    run({ map }) {
      const nodes = new Set(map.nodes.map((n) => n.id));
      const bad = map.edges.filter((e) => !nodes.has(e.from) || !nodes.has(e.to));
      const badPoints = [...map.stations, ...map.chargers, ...map.parking].filter((p) => !nodes.has(p.node));
      if (bad.length + badPoints.length === 0) return [];
      return [
        {
          risk: 'high',
          title: `${bad.length} edges and ${badPoints.length} stations/chargers refer to nodes that do not exist`,
          impact: 'tasks to those places cannot be planned',
          fix: 'fix the site map JSON and re-import it',
          subjects: [...bad.map((e) => e.id), ...badPoints.map((p) => p.id)].slice(0, MAX_SUBJECTS),
        },
      ];
    },
  },
  {
    id: 'map.unreachable_points',
    area: 'map',
    run({ map }) {
      // Every station, charger and parking spot must be reachable from every other one, in both directions:
      // with one-way edges a place can be enterable and still be a trap.
      const points = [...map.stations, ...map.chargers, ...map.parking];
      if (points.length < 2) return [];
      const anchor = points[0]!.node;
      const forward = reachable(map, anchor, false);
      const backward = reachable(map, anchor, true);
      const trapped = points.filter((p) => !forward.has(p.node) || !backward.has(p.node));
      if (trapped.length === 0) return [];
      return [
        {
          risk: 'high',
          title: `${trapped.length} stations/chargers/parking spots are not mutually reachable`,
          impact: 'AGVs sent there cannot arrive or cannot leave',
          fix: 'add the missing edges (check one-way edge directions) in the site map',
          subjects: trapped.slice(0, MAX_SUBJECTS).map((p) => p.id),
        },
      ];
    },
  },
  {
    id: 'map.isolated_nodes',
    area: 'map',
    run({ map }) {
      const linked = new Set(map.edges.flatMap((e) => [e.from, e.to]));
      const isolated = map.nodes.filter((n) => !linked.has(n.id));
      if (isolated.length === 0) return [];
      return [
        {
          risk: 'low',
          title: `${isolated.length} map nodes have no edges`,
          impact: 'none directly, but they often reveal an import or drawing mistake',
          fix: 'remove the nodes or connect them',
          subjects: isolated.slice(0, MAX_SUBJECTS).map((n) => n.id),
        },
      ];
    },
  },
  {
    id: 'tasks.backlog',
    area: 'tasks',
    run({ tasks, agvs, now }) {
      const waiting = tasks.filter((t) => t.agvId === null && !TERMINAL_TASK_STATES.has(t.state));
      const old = waiting.filter((t) => now - t.createdAt > 10 * 60_000);
      const idle = agvs.filter((a) => a.connection === 'online' && a.currentTaskId === undefined && a.state === 'idle').length;
      if (old.length === 0) return [];
      return [
        {
          risk: idle > 0 || old.length > 10 ? 'high' : 'low',
          title: `${old.length} tasks have waited over 10 min for an AGV (${idle} AGVs idle)`,
          impact: 'upper-system deadlines are at risk',
          fix: idle > 0
            ? 'idle AGVs are not taking the tasks: check vendor/type constraints on the tasks and the AGVs\' capabilities'
            : 'the fleet is saturated: add AGVs or spread the task release',
          subjects: old.slice(0, MAX_SUBJECTS).map((t) => t.id),
        },
      ];
    },
  },
  {
    id: 'tasks.failure_rate',
    area: 'tasks',
    run({ tasks, now }) {
      const recent = tasks.filter((t) => TERMINAL_TASK_STATES.has(t.state) && now - t.updatedAt < 60 * 60_000);
      const failed = recent.filter((t) => t.state === 'failed');
      if (recent.length < 5 || failed.length / recent.length < 0.05) return [];
      return [
        {
          risk: failed.length / recent.length >= 0.2 ? 'high' : 'low',
          title: `${failed.length} of ${recent.length} tasks finished in the last hour failed`,
          impact: 'transports are not delivered; upper systems must retry',
          fix: 'look up the failed tasks\' events (GET /api/v1/events?taskId=...) for the common cause',
          subjects: failed.slice(0, MAX_SUBJECTS).map((t) => t.id),
        },
      ];
    },
  },
  {
    id: 'platform.self_checks',
    area: 'platform',
    run({ platform }) {
      const failing = Object.entries(platform.checks).filter(([, ok]) => !ok).map(([name]) => name);
      if (platform.ready && failing.length === 0) return [];
      return [
        {
          risk: 'high',
          title: platform.ready ? `platform self-checks failing: ${failing.join(', ')}` : 'the platform is not ready',
          impact: 'AGVs or upper systems may not be served',
          fix: 'see the platform log (JSON, filter by "err") and /readyz',
          subjects: failing,
        },
      ];
    },
  },
  {
    id: 'platform.unacknowledged_critical',
    area: 'platform',
    run({ openAlarms, now }) {
      const stale = openAlarms.filter((a) => a.state === 'raised' && (a.severity === 'critical' || a.severity === 'error') && now - a.raisedAt > 15 * 60_000);
      if (stale.length === 0) return [];
      return [
        {
          risk: 'high',
          title: `${stale.length} error/critical alarms unacknowledged for over 15 min`,
          impact: 'nobody may be looking after the problems they report',
          fix: 'acknowledge and handle them in the alarm centre; route alarm webhooks to the on-call channel',
          subjects: stale.slice(0, MAX_SUBJECTS).map((a) => String(a.id)),
        },
      ];
    },
  },
  {
    id: 'platform.resources',
    area: 'platform',
    run({ process }) {
      const out = [];
      if (process.eventLoopDelayP99Ms > 100) {
        out.push({
          risk: 'high' as const,
          title: `event loop delay p99 ${process.eventLoopDelayP99Ms.toFixed(0)} ms`,
          impact: 'status frames and commands are processed late; command latency rises',
          fix: 'reduce the fleet per process (shard by site) or give the platform a dedicated CPU',
          subjects: [],
        });
      }
      if (process.rssMb > 2048) {
        out.push({
          risk: 'low' as const,
          title: `platform memory ${process.rssMb.toFixed(0)} MB`,
          impact: 'risk of running out of memory on small servers',
          fix: 'check event-log retention and the number of retained tasks',
          subjects: [],
        });
      }
      return out;
    },
  },
];
