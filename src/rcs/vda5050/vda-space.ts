import type { SpacePeer, SpaceReply } from '../space/space-service.ts';
import type { LeaseEnd, SpaceAsk } from '../traffic/space/space-grants.ts';
import type { VdaState } from './wire.ts';

// VDA 5050 3.0's zone and edge requests on one AGV, answered by the platform's space grants (the same grant / queue /
// refuse / lease mechanism as the guide protocol's space requests). A request is asked once, when its requestId
// first appears in the AGV's state; while it stays in later states the lease is renewed (re-sent GRANTED with a later
// `leaseExpiry`) once half of it has run; when it disappears the space is released. Refusals are REJECTED, a lease
// lost (operator revoke, expiry, the AGV left the space) is REVOKED. A closed request id is never asked again: the
// AGV asks anew with a new requestId.

export type VdaGrantType = 'GRANTED' | 'QUEUED' | 'REVOKED' | 'REJECTED';

export interface VdaResponse {
  requestId: string;
  grantType: VdaGrantType;
  /** ISO time the lease runs out (GRANTED only). */
  leaseExpiry?: string;
}

/** The space service as this link uses it. */
export interface VdaSpaceService {
  request(agvId: string, ask: Omit<SpaceAsk, 'agvId' | 'renewable'>, peer: SpacePeer): void;
  renew(agvId: string, leaseId: number, peer: SpacePeer): void;
  release(agvId: string, leaseId: number): void;
  disconnected(agvId: string, peer: SpacePeer): void;
}

export interface VdaSpaceContext {
  service: VdaSpaceService;
  /** Nodes a zone of the platform's zone set covers; undefined for an unknown zone id. */
  zoneNodes(zoneId: string): readonly string[] | undefined;
  /** The two end nodes of a site edge; undefined for an unknown edge id. */
  edgeNodes(edgeId: string): readonly string[] | undefined;
  /** Publishes on the AGV's `responses` topic (the bridge adds the header). */
  publish(body: { responses: VdaResponse[] }): void;
  /** Platform clock (leases) and wall clock (the ISO `leaseExpiry` the AGV reads). */
  now(): number;
  wallNow(): number;
  /** Window asked for each request: a lease is renewed up to this long after the grant. */
  windowMs: number;
}

interface Tracked {
  requestId: string;
  askId: number;
  phase: 'asked' | 'queued' | 'granted' | 'closed';
  leaseId: number;
  leaseMs: number;
  grantedAt: number;
  /** Still in the AGV's latest state. */
  present: boolean;
}

/** Node-id lists of the requests in a 3.0 state; malformed entries (no string ids) are skipped. */
export function requestsOf(state: VdaState, ctx: Pick<VdaSpaceContext, 'zoneNodes' | 'edgeNodes'>): Map<string, readonly string[] | undefined> {
  const wanted = new Map<string, readonly string[] | undefined>();
  for (const r of asRecords(state.zoneRequests)) if (typeof r.requestId === 'string' && typeof r.zoneId === 'string') wanted.set(r.requestId, ctx.zoneNodes(r.zoneId));
  for (const r of asRecords(state.edgeRequests)) if (typeof r.requestId === 'string' && typeof r.edgeId === 'string') wanted.set(r.requestId, ctx.edgeNodes(r.edgeId));
  return wanted;
}

const asRecords = (list: unknown): Record<string, unknown>[] => (Array.isArray(list) ? list.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null) : []);

export class VdaSpaceLink implements SpacePeer {
  /** Renews leases and is told when one ends (the guide protocol's 1.2 rules). */
  readonly version = 0x12;
  private readonly byRequest = new Map<string, Tracked>();
  private nextAskId = 1;

  constructor(
    readonly agvId: string,
    private readonly ctx: VdaSpaceContext,
  ) {}

  onState(state: VdaState): void {
    const wanted = requestsOf(state, this.ctx);
    for (const tracked of this.byRequest.values()) tracked.present = wanted.has(tracked.requestId);
    for (const [requestId, nodes] of wanted) {
      const tracked = this.byRequest.get(requestId);
      if (!tracked) this.ask(requestId, nodes);
      else if (tracked.phase === 'granted' && this.ctx.now() - tracked.grantedAt >= tracked.leaseMs / 2) this.ctx.service.renew(this.agvId, tracked.leaseId, this);
    }
    for (const tracked of [...this.byRequest.values()]) {
      if (tracked.present) continue;
      // A queued ask that vanished is released when its grant comes (spaceResponse); closed ones are just forgotten.
      if (tracked.phase === 'granted') this.ctx.service.release(this.agvId, tracked.leaseId);
      if (tracked.phase !== 'queued' && tracked.phase !== 'asked') this.byRequest.delete(tracked.requestId);
    }
  }

  /** The AGV went offline: its queued asks go; granted space runs until its lease ends. */
  close(): void {
    this.ctx.service.disconnected(this.agvId, this);
  }

  spaceResponse(reply: SpaceReply): void {
    const tracked = [...this.byRequest.values()].find((t) => t.askId === reply.requestId);
    if (!tracked) return;
    if (reply.decision === 'granted') {
      if (!tracked.present) {
        this.ctx.service.release(this.agvId, reply.leaseId);
        this.byRequest.delete(tracked.requestId);
        return;
      }
      Object.assign(tracked, { phase: 'granted', leaseId: reply.leaseId, leaseMs: reply.leaseMs, grantedAt: this.ctx.now() });
      this.respond(tracked.requestId, 'GRANTED', new Date(this.ctx.wallNow() + reply.leaseMs).toISOString());
    } else if (reply.decision === 'queued') {
      tracked.phase = 'queued';
      this.respond(tracked.requestId, 'QUEUED');
    } else {
      this.closeRequest(tracked, 'REJECTED');
    }
  }

  leaseEnded(leaseId: number, _reason: LeaseEnd): void {
    const tracked = [...this.byRequest.values()].find((t) => t.phase === 'granted' && t.leaseId === leaseId);
    if (tracked) this.closeRequest(tracked, 'REVOKED');
  }

  private ask(requestId: string, nodes: readonly string[] | undefined): void {
    const tracked: Tracked = { requestId, askId: this.nextAskId++, phase: 'asked', leaseId: 0, leaseMs: 0, grantedAt: 0, present: true };
    this.byRequest.set(requestId, tracked);
    // An unknown zone or edge id names no space: refused like an invalid area.
    if (!nodes || nodes.length === 0) return this.closeRequest(tracked, 'REJECTED');
    this.ctx.service.request(this.agvId, { requestId: tracked.askId, polygon: [], nodes, startMs: 0, durationMs: this.ctx.windowMs }, this);
  }

  private closeRequest(tracked: Tracked, grantType: 'REJECTED' | 'REVOKED'): void {
    tracked.phase = 'closed';
    this.respond(tracked.requestId, grantType);
    if (!tracked.present) this.byRequest.delete(tracked.requestId);
  }

  private respond(requestId: string, grantType: VdaGrantType, leaseExpiry?: string): void {
    this.ctx.publish({ responses: [{ requestId, grantType, ...(leaseExpiry !== undefined ? { leaseExpiry } : {}) }] });
  }
}
