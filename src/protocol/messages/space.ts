// Autonomous space: the AGV asks for an area (and time) in which it may move on its own, e.g. a detour.
import { LeaseEnd, LeaseLoss, SpaceDecision, SpaceReason, SpaceRefusal, SpaceRestrictionType } from '../enums.ts';
import { appended, array, enumOf, optional, string, struct, u16, u32, u48 } from '../schema/types.ts';
import { Point, Pose } from './common.ts';
import { defineMessage } from './define.ts';

const TrajectoryPoint = struct({
  pose: Pose,
  offset: u32({ unit: 'ms', doc: 'time after the window start at which the AGV expects to be here' }),
}, { name: 'TrajectoryPoint' });

export const spaceRequest = defineMessage('spaceRequest', 0x0501, 'agv→platform',
  'Ask for exclusive (or restricted) use of an area — a polygon and/or a node set — for a time window.', {
    requestId: u32({ min: 1, doc: 'echoed in spaceResponse' }),
    reason: enumOf(SpaceReason, { doc: 'why' }),
    restriction: enumOf(SpaceRestrictionType, { doc: 'what the space means for others' }),
    mapId: u16({ min: 1, doc: 'map of the polygon' }),
    polygon: array(Point, { maxCount: 64, doc: 'area outline (≥ 3 points) or empty when nodeIds is used' }),
    nodeIds: array(u32({ min: 1, doc: 'node id' }), { maxCount: 255, doc: 'nodes (and the edges between them) asked for' }),
    start: u48({ unit: 'ms', doc: 'window start (ms since Unix epoch); 0 = now' }),
    duration: u32({ unit: 'ms', doc: 'window length' }),
    trajectory: optional(struct({
      points: array(TrajectoryPoint, { maxCount: 255, doc: 'timed poses' }),
    }, { name: 'OwnTrajectory' }), { doc: 'the AGV\'s own planned trajectory inside the space, if it has one' }),
  });

export const spaceResponse = defineMessage('spaceResponse', 0x0502, 'platform→agv',
  'Decision on a spaceRequest. A queued request gets another spaceResponse when granted or refused.', {
    requestId: u32({ doc: 'requestId answered' }),
    decision: enumOf(SpaceDecision, { doc: 'granted, queued or refused' }),
    leaseId: u32({ doc: 'lease id when granted; 0 otherwise' }),
    lease: u32({ unit: 'ms', doc: 'lease length from this frame\'s timestamp; 0xFFFFFFFF = until released' }),
    queuePosition: u16({ doc: 'when queued: requests ahead; else 0' }),
    detail: string({ maxBytes: 255, doc: 'human-readable reason (may be empty)' }),
    refusal: appended(2, enumOf(SpaceRefusal, { doc: 'why refused; none otherwise' })),
    onLeaseLoss: appended(2, enumOf(LeaseLoss, { doc: 'when granted: what the AGV does if the lease ends without a release' })),
  });

export const spaceRelease = defineMessage('spaceRelease', 0x0503, 'agv→platform',
  'The AGV has left the space (or no longer needs it); the platform frees the lease.', {
    leaseId: u32({ min: 1, doc: 'lease released' }),
  });

export const spaceRenew = defineMessage('spaceRenew', 0x0504, 'agv→platform',
  'Since v1.2: keep a granted lease. Answered by spaceResponse (granted, the new lease length) or spaceLeaseEnd.', {
    leaseId: u32({ min: 1, doc: 'lease renewed' }),
  });

export const spaceLeaseEnd = defineMessage('spaceLeaseEnd', 0x0505, 'platform→agv',
  'Since v1.2: a lease ended without a release (expired, revoked, or the AGV left its space); sent with ACK requested. The AGV acts as the grant\'s onLeaseLoss says.', {
    leaseId: u32({ min: 1, doc: 'lease ended' }),
    reason: enumOf(LeaseEnd, { doc: 'why' }),
    detail: string({ maxBytes: 255, doc: 'human-readable reason (may be empty)' }),
  });

const BlockedEdge = struct({
  from: u32({ min: 1, doc: 'node id' }),
  to: u32({ min: 1, doc: 'node id' }),
}, { name: 'BlockedEdge' });

export const blockageReport = defineMessage('blockageReport', 0x0506, 'agv→platform',
  'Since v1.2: the AGV found its way blocked (an obstacle it cannot pass) and asks to be re-routed; sent with ACK requested. The platform plans every AGV around it until an operator clears it.', {
    reportId: u32({ min: 1, doc: 'AGV-chosen id, echoed in the ack\'s detail' }),
    mapId: u16({ min: 1, doc: 'map of nodes and polygon' }),
    nodeIds: array(u32({ min: 1, doc: 'node id' }), { maxCount: 64, doc: 'nodes that cannot be used' }),
    edges: array(BlockedEdge, { maxCount: 64, doc: 'edges that cannot be driven (either direction)' }),
    polygon: array(Point, { maxCount: 64, doc: 'outline of the obstacle (≥ 3 points) or empty' }),
    detail: string({ maxBytes: 255, doc: 'what the AGV saw (may be empty)' }),
  });
