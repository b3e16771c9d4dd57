import type { Clock } from '../../core/index.ts';
import type { FleetRegistry } from '../fleet/registry.ts';
import type { AgvStatus } from '../fleet/types.ts';
import type { Logger } from '../logger.ts';
import type { AlarmEngine } from '../ops/alarms/engine.ts';
import type { SiteMap } from '../site/types.ts';
import type { EventRepository, EventSeverity } from '../store/types.ts';
import type { TrafficController } from '../traffic/types.ts';
import { ReportedBlockages, type Blockage, type BlockageReport } from '../traffic/space/blockages.ts';
import { SpaceGrants, type Lease, type LeaseEnd, type LeaseLoss, type SpaceAsk, type SpaceDecision, type SpaceGrantOptions, type SpaceRefusal } from '../traffic/space/space-grants.ts';

// The platform side of autonomous space: AGVs' asks come in from their sessions, the decisions (SpaceGrants) go back
// to them, leases are expired and queued asks decided on a timer, reported positions are checked against the
// granted space (leaving it raises an alarm and stops the AGV), and the AGV's order execution is told when it moves
// on its own. Blockages AGVs report are marked here too (ReportedBlockages) and re-route the reporter.

/** What the session that carries an AGV's asks does with answers (it turns them into protocol messages). */
export interface SpacePeer {
  /** Negotiated protocol version: 0x12 and above renew leases and are told when one ends. */
  readonly version: number;
  spaceResponse(reply: SpaceReply): void;
  /** The lease ended without a release; before 1.2 the session stops the AGV instead (motionControl cancel). */
  leaseEnded(leaseId: number, reason: LeaseEnd, detail: string, onLeaseLoss: LeaseLoss): void;
}

export interface SpaceReply {
  requestId: number;
  decision: 'granted' | 'queued' | 'refused';
  leaseId: number;
  /** Lease length (ms) from now; 0 unless granted. */
  leaseMs: number;
  queuePosition: number;
  refusal: SpaceRefusal | 'none';
  onLeaseLoss: LeaseLoss;
  detail: string;
}

/** How the service reaches an AGV's order execution. */
export interface SpaceOrders {
  controllerOf(agvId: string): { enterSpace(): void; leaveSpace(): void; reroute(): void };
}

export interface SpaceServiceOptions {
  clock: Clock;
  traffic: TrafficController;
  site: SiteMap;
  registry: FleetRegistry;
  orders: SpaceOrders;
  events: EventRepository;
  logger: Logger;
  /** Disc radius (m) each AGV is planned with. */
  radiusOf: (agvId: string) => number;
  grants?: SpaceGrantOptions;
  /** How often leases are expired and queued asks decided (default 100 ms). */
  tickMs?: number;
}

/** Decision times kept for the percentile (a ring). */
const DECISION_SAMPLES = 4096;
const STILL_MPS = 0.01;

export const leftSpaceAlarmKey = (agvId: string): string => `space:${agvId}:LEFT_SPACE`;

export class SpaceService {
  readonly grants: SpaceGrants;
  readonly blockages: ReportedBlockages;
  private readonly peers = new Map<string, SpacePeer>();
  private readonly decisionMs: number[] = [];
  private alarms: AlarmEngine | undefined;
  private cancelTick: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: SpaceServiceOptions) {
    this.grants = new SpaceGrants(o.traffic, o.site, o.radiusOf, o.grants);
    this.blockages = new ReportedBlockages(o.traffic, o.site);
  }

  /** Alarms for AGVs leaving their space (operations are built after the service). */
  useAlarms(alarms: AlarmEngine | undefined): void {
    this.alarms = alarms;
  }

  start(): void {
    this.unsubscribe = this.o.registry.onEvent((event) => {
      if (event.type === 'status') this.onStatus(event.agvId, event.status);
    });
    const loop = () => {
      this.tick();
      this.cancelTick = this.o.clock.setTimeout(loop, this.o.tickMs ?? 100);
    };
    this.cancelTick = this.o.clock.setTimeout(loop, this.o.tickMs ?? 100);
  }

  stop(): void {
    this.cancelTick?.();
    this.unsubscribe?.();
  }

  // --- from sessions ---

  request(agvId: string, ask: Omit<SpaceAsk, 'agvId' | 'renewable'>, peer: SpacePeer): void {
    this.peers.set(agvId, peer);
    const started = performance.now();
    const decision = this.grants.request({ ...ask, agvId, renewable: peer.version >= 0x12 }, this.o.clock.now());
    this.recordDecision(performance.now() - started);
    this.answer(agvId, ask.requestId, decision);
  }

  renew(agvId: string, leaseId: number, peer: SpacePeer): void {
    this.peers.set(agvId, peer);
    const lease = this.grants.renew(agvId, leaseId, this.o.clock.now());
    if (lease) peer.spaceResponse(this.grantReply(lease));
    else peer.leaseEnded(leaseId, 'expired', 'no such lease in force', 'stop');
  }

  /** The AGV released a lease (idempotent: unknown leases are fine). */
  release(agvId: string, leaseId: number): void {
    if (!this.grants.release(agvId, leaseId)) return;
    this.record('info', 'space.released', agvId, `${agvId} released space lease ${leaseId}`);
    this.o.orders.controllerOf(agvId).leaveSpace();
  }

  /** Marks a reported blockage and re-routes the reporter; throws BlockageError when it names nothing known. */
  reportBlockage(agvId: string, report: BlockageReport): Blockage {
    const blockage = this.blockages.report(agvId, report, this.o.clock.now());
    // The reporter stands still before the blockage: what it held beyond goes, and it is planned again from here.
    const at = this.o.traffic.held(agvId)[0];
    if (at !== undefined) this.o.traffic.standsAt?.(agvId, at);
    this.o.orders.controllerOf(agvId).reroute();
    this.record('warning', 'space.blockage', agvId, `${agvId} reports a blockage (${blockage.id}: ${blockage.nodes.length} nodes, ${blockage.edges.length} edges)${report.detail ? `: ${report.detail}` : ''}`, { blockage: blockage.id });
    return blockage;
  }

  /** The session ended: queued asks are dropped; granted space runs until its lease ends. */
  disconnected(agvId: string, peer: SpacePeer): void {
    if (this.peers.get(agvId) !== peer) return;
    this.peers.delete(agvId);
  }

  // --- operators ---

  /** Takes a lease back (operator, emergency-stop zone); undefined when no such lease is in force. */
  revoke(leaseId: number, by: string): Lease | undefined {
    const lease = this.grants.revoke(leaseId);
    if (lease) this.lost(lease, 'revoked', `revoked by ${by}`);
    return lease;
  }

  clearBlockage(id: string, by: string): boolean {
    const cleared = this.blockages.clear(id);
    if (cleared) this.record('info', 'space.blockage_cleared', null, `blockage ${id} cleared by ${by}`, { blockage: id });
    return cleared;
  }

  /** Decision times (ms) of the last requests, for benchmarks and metrics. */
  decisionTimes(): readonly number[] {
    return this.decisionMs;
  }

  // --- internals ---

  tick(): void {
    const { expired, decided } = this.grants.tick(this.o.clock.now());
    for (const lease of expired) this.lost(lease, 'expired', 'lease not renewed in time');
    for (const { ask, result } of decided) this.answer(ask.agvId, ask.requestId, result);
  }

  private onStatus(agvId: string, status: AgvStatus): void {
    const left = this.grants.leftSpace(agvId, { x: status.x, y: status.y });
    if (left) {
      this.grants.revoke(left.leaseId);
      this.lost(left, 'leftSpace', `reported at (${status.x.toFixed(2)}, ${status.y.toFixed(2)}), outside the granted space`);
      void this.o.registry.live(agvId)?.link?.sendControl('cancel');
      this.alarms
        ?.raise({ key: leftSpaceAlarmKey(agvId), source: 'platform', code: 'LEFT_SPACE', severity: 'critical', agvId, taskId: null, message: `${agvId} left its granted space (lease ${left.leaseId}) and was stopped` })
        .catch((err: unknown) => this.o.logger.error({ err }, 'space: alarm not stored'));
      return;
    }
    // Space lost without a release stays blocked until the AGV stands still on a node.
    if (status.speed < STILL_MPS && this.grants.lostLeases().some((l) => l.agvId === agvId) && this.standsOnNode(status)) {
      this.grants.settled(agvId);
      this.o.orders.controllerOf(agvId).leaveSpace();
    }
  }

  private standsOnNode(status: AgvStatus): boolean {
    const node = status.lastNodeId !== undefined ? this.o.site.nodes.find((n) => n.id === status.lastNodeId) : undefined;
    return node !== undefined && Math.hypot(node.x - status.x, node.y - status.y) <= 0.25;
  }

  private answer(agvId: string, requestId: number, decision: SpaceDecision): void {
    const peer = this.peers.get(agvId);
    if (decision.decision === 'granted') {
      this.o.orders.controllerOf(agvId).enterSpace();
      this.record('info', 'space.granted', agvId, `${agvId} granted space (lease ${decision.lease.leaseId}, request ${requestId})`, { leaseId: decision.lease.leaseId, nodes: decision.lease.nodes });
      peer?.spaceResponse(this.grantReply(decision.lease));
      return;
    }
    if (decision.decision === 'queued') {
      peer?.spaceResponse({ requestId, decision: 'queued', leaseId: 0, leaseMs: 0, queuePosition: decision.position, refusal: 'none', onLeaseLoss: 'stop', detail: `waiting for ${decision.waitingFor}` });
      return;
    }
    this.record('info', 'space.refused', agvId, `${agvId} refused space (request ${requestId}): ${decision.reason}: ${decision.detail}`, { reason: decision.reason });
    peer?.spaceResponse({ requestId, decision: 'refused', leaseId: 0, leaseMs: 0, queuePosition: 0, refusal: decision.reason, onLeaseLoss: 'stop', detail: decision.detail });
  }

  private grantReply(lease: Lease): SpaceReply {
    return {
      requestId: lease.requestId,
      decision: 'granted',
      leaseId: lease.leaseId,
      leaseMs: Math.max(0, lease.expiresAtMs - this.o.clock.now()),
      queuePosition: 0,
      refusal: 'none',
      onLeaseLoss: lease.onLeaseLoss,
      detail: '',
    };
  }

  private lost(lease: Lease, reason: LeaseEnd, detail: string): void {
    this.record('warning', `space.${reason === 'leftSpace' ? 'left' : reason}`, lease.agvId, `${lease.agvId} lost space lease ${lease.leaseId}: ${detail}`, { leaseId: lease.leaseId });
    this.peers.get(lease.agvId)?.leaseEnded(lease.leaseId, reason, detail, lease.onLeaseLoss);
  }

  private recordDecision(ms: number): void {
    if (this.decisionMs.length >= DECISION_SAMPLES) this.decisionMs.shift();
    this.decisionMs.push(ms);
  }

  private record(severity: EventSeverity, type: string, agvId: string | null, message: string, data: Record<string, unknown> = {}): void {
    void this.o.events
      .append({ at: this.o.clock.now(), severity, type, message, agvId, taskId: null, data })
      .catch((err: unknown) => this.o.logger.error({ err, type }, 'space: event not stored'));
  }
}
