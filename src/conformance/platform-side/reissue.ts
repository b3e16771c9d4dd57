import { fail, pass, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';
import { arrival, isStill, kitSpeedLimit, moving, orderOver, pointsAhead, startPoint } from './test-route.ts';

// Mid-edge re-issue: a new order (orderUpdateId 0) arrives while the AGV drives an edge, starting with the node it
// just left (the platform's view lags its reports). The AGV must take it and finish the new order's route.

export const reissue: Scenario<PlatformSide> = {
  name: 'mid-edge-reissue',
  async run(p) {
    const peer = p.link();
    const status = p.lastStatus();
    if (!status) return fail('no status report to start from');
    if (!isStill(status)) return fail(`the AGV is ${status.state}; it must stand still to start`);
    const a = startPoint(p, status);
    const [b, c] = pointsAhead(p, a, status.pose.theta, 2) as [typeof a, typeof a];
    const common = { mapId: status.mapId, maxSpeed: kitSpeedLimit(p), orderUpdateId: 0 };
    const from = p.log.mark();
    const first = await peer.request(orderOver({ ...common, orderId: p.id(), points: [a, b], released: 2 }));
    if (!first.ok) return fail(`first order refused: ${first.code} ${first.message}`);
    if (!(await moving(p, from))) return fail('never reported moving on the first order');
    const orderId = p.id();
    const second = await peer.request(orderOver({ ...common, orderId, points: [a, b, c], released: 3 }));
    if (!second.ok) return fail(`new order issued mid-edge refused: ${second.code} ${second.message}`);
    const done = await arrival(p, c.nodeId, from);
    if (!done) return fail(`never reported reaching ${c.nodeId}, the end of the re-issued order`);
    if (done.orderId !== orderId) return fail(`reports order ${done.orderId}, expected the re-issued ${orderId}`);
    if (!p.log.ofKind('statusReport', from).some((s) => s.message.lastNodeId === b.nodeId)) return fail(`passed node ${b.nodeId} without reporting it`);
    p.here = c;
    return pass(`took the re-issued order ${orderId} mid-edge and drove on to ${c.nodeId}`);
  },
};
