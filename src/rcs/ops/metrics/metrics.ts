import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SEVERITIES, type ConnectionTierStatus, type FleetSource } from '../ports.ts';
import { agvLabel } from './label.ts';

/**
 * Prometheus metrics of one platform instance. A registry per instance (not prom-client's global one) so several
 * platforms in one process — as in tests — do not share or clash over counters.
 * Gauges that describe the fleet are computed at scrape time from the fleet source, so they are never stale and
 * cost nothing between scrapes. Counters and histograms are fed by the platform through the observe* hooks.
 */
export class OpsMetrics {
  readonly registry = new Registry();
  readonly frames: Counter<'direction'>;
  readonly commandLatency: Histogram<'command'>;
  readonly plannerStep: Histogram;
  readonly trafficEvents: Counter<'kind'>;
  readonly sessionAudit: Counter<'kind' | 'reason'>;
  readonly wsClients: Gauge;

  constructor(
    fleet: FleetSource,
    alarmCounts: () => Record<string, number>,
    options: {
      defaultMetrics?: boolean;
      /** Frames received so far, read at scrape time (the session server's counter); adds to frames_total{in}. */
      framesInTotal?: () => number;
      /** The protocol gateways' state when the platform runs them (--gateways), read at scrape time. */
      connectionTier?: () => ConnectionTierStatus;
    } = {},
  ) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'unifleet_' });

    new Gauge({
      name: 'unifleet_agvs_connected',
      help: 'AGVs with an open session, by vendor and channel mode',
      labelNames: ['vendor', 'mode'],
      registers,
      collect() {
        this.reset();
        for (const agv of fleet.agvs()) if (agv.connection === 'online') this.inc({ vendor: agvLabel(agv.vendor), mode: agv.mode });
      },
    });
    new Gauge({
      name: 'unifleet_agvs_known',
      help: 'Registered AGVs, connected or not, by vendor',
      labelNames: ['vendor'],
      registers,
      collect() {
        this.reset();
        for (const agv of fleet.agvs()) this.inc({ vendor: agvLabel(agv.vendor) });
      },
    });
    new Gauge({
      name: 'unifleet_tasks',
      help: 'Tasks by state',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const t of fleet.tasks()) this.inc({ state: t.state });
      },
    });
    new Gauge({
      name: 'unifleet_alarms_open',
      help: 'Open (raised or acknowledged) alarms by severity',
      labelNames: ['severity'],
      registers,
      collect() {
        const counts = alarmCounts();
        for (const s of SEVERITIES) this.set({ severity: s }, counts[s] ?? 0);
      },
    });
    new Gauge({
      name: 'unifleet_ready',
      help: '1 when the platform is ready to serve',
      registers,
      collect() {
        this.set(fleet.status().ready ? 1 : 0);
      },
    });
    let framesSeen = options.framesInTotal?.() ?? 0;
    const framesInTotal = options.framesInTotal;
    this.frames = new Counter({
      name: 'unifleet_frames_total',
      help: 'Protocol frames handled; rate() gives frames per second',
      labelNames: ['direction'],
      registers,
      collect() {
        if (!framesInTotal) return;
        // The source counts frames of live sessions only, so it can drop when sessions close: then re-baseline.
        const total = framesInTotal();
        if (total > framesSeen) this.inc({ direction: 'in' }, total - framesSeen);
        framesSeen = total;
      },
    });
    this.commandLatency = new Histogram({
      name: 'unifleet_command_latency_seconds',
      help: 'Time from sending a command to an AGV until its ack',
      labelNames: ['command'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.plannerStep = new Histogram({
      name: 'unifleet_planner_step_seconds',
      help: 'Wall time of one traffic planning step',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers,
    });
    this.trafficEvents = new Counter({
      name: 'unifleet_traffic_events_total',
      help: 'Traffic control events: deadlocks detected, resolved or not, stalls, deviations, conflicts',
      labelNames: ['kind'],
      registers,
    });
    this.sessionAudit = new Counter({
      name: 'unifleet_session_audit_total',
      help: 'Session-layer refusals and admission decisions: refused accesses and registrations, rejected secure frames, refused takeovers, per-source limits hit',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.wsClients = new Gauge({ name: 'unifleet_dashboard_clients', help: 'Open live-feed WebSockets', registers });
    const tier = options.connectionTier;
    if (tier) {
      new Gauge({
        name: 'unifleet_gateways',
        help: 'Protocol gateway processes: configured, running now, and waiting on the per-minute restart cap (1 = a crash loop was stopped)',
        labelNames: ['state'],
        registers,
        collect() {
          const now = tier();
          this.set({ state: 'configured' }, now.configured);
          this.set({ state: 'up' }, now.up);
          this.set({ state: 'capped' }, now.capped ? 1 : 0);
        },
      });
      let restartsSeen = 0;
      new Counter({
        name: 'unifleet_gateway_restarts_total',
        help: 'Protocol gateways started again after dying',
        registers,
        collect() {
          const total = tier().restarts;
          if (total > restartsSeen) this.inc(total - restartsSeen);
          restartsSeen = total;
        },
      });
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
