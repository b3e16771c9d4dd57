import { orderProblems } from '../checks.ts';
import { delay } from '../frame-log.ts';
import { fail, pass, skip, type Scenario } from '../scenario.ts';
import type { AgvSide } from './harness.ts';

// Orders from the platform (§6 Motion, §8 motionCommand), when the kit's AGV stands at a site node and the platform
// has work for it: every order and update is well formed (edges joining consecutive nodes, sequence ids increasing,
// a valid released part), and the AGV, driving the released nodes with the SDK, reaches the last of the first order.

export const orders: Scenario<AgvSide> = {
  name: 'orders',
  async run(a) {
    if (!a.vehicle) return skip('the kit\'s AGV stands at no site node; give --start-node and --start-pose so the platform can send it work');
    const first = await a.log.waitForKind('motionCommand', a.options.orderWaitMs);
    if (!first) return skip(`the platform sent no order within ${a.options.orderWaitMs} ms (give it a task the kit's AGV can serve)`);
    const target = first.nodes[first.releasedNodeCount - 1]?.nodeId;
    const standsThere = target === a.options.startNode?.nodeId && first.releasedNodeCount === 1;
    const started = performance.now();
    while (!standsThere && target !== undefined && !a.reached.includes(target) && performance.now() - started < a.options.moveTimeoutMs) await delay(100);
    const received = a.log.ofKind('motionCommand');
    const problems = received.flatMap((o) => orderProblems(o.message).map((p) => `order ${o.message.orderId}/${o.message.orderUpdateId}: ${p}`));
    if (problems.length) return fail(problems.join('; '));
    if (!standsThere && (target === undefined || !a.reached.includes(target))) return fail(`did not reach node ${target}, the end of the released part of order ${first.orderId}, within ${a.options.moveTimeoutMs} ms`);
    return pass(`order ${first.orderId} driven to node ${target}; ${received.length} order(s)/update(s) well formed`);
  },
};
