import { delay } from '../frame-log.ts';
import { fail, pass, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';
import { arrival, isStill, kitSpeedLimit, orderOver, pointsAhead, startPoint } from './test-route.ts';

// Motion with an order and an update (§6 Motion): the AGV drives only the released nodes, waits at the last one,
// continues when an update (same order, orderUpdateId + 1, starting at the last released node) releases more, and
// reports each node it reaches.

export const motion: Scenario<PlatformSide> = {
  name: 'motion',
  async run(p) {
    const peer = p.link();
    const status = p.lastStatus();
    if (!status) return fail('no status report to start from');
    if (!isStill(status)) return fail(`the AGV is ${status.state} at ${status.vx} mm/s; it must stand still to start`);
    const a = startPoint(p, status);
    const [b, c, d] = pointsAhead(p, a, status.pose.theta, 3) as [typeof a, typeof a, typeof a];
    const orderId = p.id();
    const common = { orderId, mapId: status.mapId, maxSpeed: kitSpeedLimit(p) };
    const from = p.log.mark();
    const sent = await peer.request(orderOver({ ...common, orderUpdateId: 0, points: [a, b, c, d], released: 2 }));
    if (!sent.ok) return fail(`order refused: ${sent.code} ${sent.message}`);
    if (!(await arrival(p, b.nodeId, from))) return fail(`never reported reaching released node ${b.nodeId}`);
    // Held at the end of the released part: nothing beyond it may be reached while the rest is only announced.
    await delay(Math.max(1_000, 3 * p.options.statusPeriodMs));
    const beyond = p.log.ofKind('statusReport', from).find((s) => s.message.lastNodeId === c.nodeId || s.message.lastNodeId === d.nodeId);
    if (beyond) return fail(`drove to announced node ${beyond.message.lastNodeId} that was not released`);
    const held = p.lastStatus()!;
    if (held.vx !== 0) return fail(`still moving (${held.vx} mm/s) at the end of the released part`);
    const update = await peer.request(orderOver({ ...common, orderUpdateId: 1, points: [b, c, d], released: 3, firstSequenceId: 2 }));
    if (!update.ok) return fail(`update refused: ${update.code} ${update.message}`);
    if (!(await arrival(p, d.nodeId, from))) return fail(`never reported reaching node ${d.nodeId} after the update`);
    if (!p.log.ofKind('statusReport', from).some((s) => s.message.lastNodeId === c.nodeId)) return fail(`passed node ${c.nodeId} without reporting it`);
    p.here = d;
    return pass(`drove ${a.nodeId}→${b.nodeId}, held there, then ${c.nodeId}→${d.nodeId} after the update; each node reported`);
  },
};
