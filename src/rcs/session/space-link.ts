import { truncateUtf8, type Message, type MessageOfKind } from '../../protocol/index.ts';
import type { FramePeer } from '../../agv/transport/frame-peer.ts';
import type { ControlCommand } from '../fleet/types.ts';
import type { SpacePeer, SpaceReply } from '../space/space-service.ts';
import type { BlockageReport } from '../traffic/space/blockages.ts';
import type { LeaseEnd, LeaseLoss, SpaceAsk } from '../traffic/space/space-grants.ts';
import type { SiteNumbering } from './site-numbering.ts';

// Autonomous space on one session: wire messages (mm, node numbers, ms since the epoch) to the platform's terms
// (metres, node ids, the platform clock) and back, with the version rules of protocol 1.2: refusal reasons and the
// lease-loss behaviour are sent only to 1.2 peers, and an older peer is stopped instead of told its lease ended.

const LEASE_FOREVER = 0xffffffff;

export class SessionSpaceLink implements SpacePeer {
  constructor(
    private readonly peer: FramePeer,
    private readonly numbering: SiteNumbering,
    private readonly versionOf: () => number,
    private readonly sendControl: (command: ControlCommand) => Promise<unknown>,
  ) {}

  get version(): number {
    return this.versionOf();
  }

  spaceResponse(reply: SpaceReply): void {
    const v12 = this.version >= 0x12;
    this.peer.send({
      kind: 'spaceResponse',
      requestId: reply.requestId,
      decision: reply.decision,
      leaseId: reply.leaseId,
      lease: reply.decision === 'granted' ? Math.min(LEASE_FOREVER - 1, Math.round(reply.leaseMs)) : 0,
      queuePosition: Math.min(0xffff, reply.queuePosition),
      detail: truncate(reply.detail),
      refusal: v12 ? reply.refusal : undefined,
      onLeaseLoss: v12 ? reply.onLeaseLoss : undefined,
    });
  }

  leaseEnded(leaseId: number, reason: LeaseEnd, detail: string, onLeaseLoss: LeaseLoss): void {
    if (this.version >= 0x12) {
      void this.peer.request({ kind: 'spaceLeaseEnd', leaseId, reason, detail: truncate(detail) });
      return;
    }
    // Before 1.2 there is no message for it: an AGV told to stop on lease loss is stopped.
    if (onLeaseLoss === 'stop') void this.sendControl('cancel');
  }

  /** The ask in platform terms; unknown node numbers become ids no map has, refused as an invalid area. */
  askOf(m: MessageOfKind<'spaceRequest'>): Omit<SpaceAsk, 'agvId' | 'renewable'> {
    const m2 = (p: { x: number; y: number }) => ({ x: p.x / 1000, y: p.y / 1000 });
    return {
      requestId: m.requestId,
      polygon: m.polygon.map(m2),
      nodes: m.nodeIds.map((n) => this.numbering.nodeId(n) ?? `#${n}`),
      startMs: m.start,
      durationMs: m.duration,
      trajectory: m.trajectory?.points.map((p) => m2(p.pose)),
    };
  }

  blockageOf(m: MessageOfKind<'blockageReport'>): BlockageReport {
    const node = (n: number) => this.numbering.nodeId(n) ?? `#${n}`;
    return {
      nodes: m.nodeIds.map(node),
      edges: m.edges.map((e) => [node(e.from), node(e.to)] as const),
      polygon: m.polygon.map((p) => ({ x: p.x / 1000, y: p.y / 1000 })),
      detail: m.detail,
    };
  }
}

const truncate = (text: string): string => truncateUtf8(text, 255);

export type SpaceMessage = Extract<Message, { kind: 'spaceRequest' | 'spaceRenew' | 'spaceRelease' | 'blockageReport' }>;
