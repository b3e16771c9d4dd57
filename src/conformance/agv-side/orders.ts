import { orderProblems } from '../checks.ts';
import { fail, pass, skip, type Scenario } from '../scenario.ts';
import type { AgvSide } from './harness.ts';

// Orders the platform sent to the kit's AGV during the run, if any (a platform only drives an AGV it has work for):
// each must be well formed — edges joining consecutive nodes, sequence ids increasing, a valid released part.

export const orders: Scenario<AgvSide> = {
  name: 'orders',
  async run(a) {
    const received = a.log.ofKind('motionCommand');
    if (received.length === 0) return skip('the platform sent no order to the kit\'s AGV (it stands at no site node)');
    const problems = received.flatMap((o) => orderProblems(o.message).map((p) => `order ${o.message.orderId}/${o.message.orderUpdateId}: ${p}`));
    return problems.length ? fail(problems.join('; ')) : pass(`${received.length} order(s) well formed`);
  },
};
