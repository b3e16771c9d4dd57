import type { MessageOfKind } from '../../protocol/index.ts';
import { fail, pass, skip, type Outcome, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';
import { isStill, kitSpeedLimit, moving, orderOver, pointsAhead, startPoint, type RoutePoint } from './test-route.ts';

// Pause, resume, cancel and emergency stop (§6 Motion, §8 motionControl) on a moving AGV. Each command must be
// acked and show in the status: paused, moving again, stopped at a node, emergencyStop and its release. A command
// the vehicle cannot carry out is nacked UNSUPPORTED_ACTION: that part is skipped, not failed.

type Status = MessageOfKind<'statusReport'>;
type Command = MessageOfKind<'motionControl'>['command'];

export const control: Scenario<PlatformSide> = {
  name: 'pause-resume-cancel-estop',
  async run(p) {
    const peer = p.link();
    const status = p.lastStatus();
    if (!status) return fail('no status report to start from');
    if (!isStill(status)) return fail(`the AGV is ${status.state}; it must stand still to start`);
    const start = startPoint(p, status);
    const points = [start, ...pointsAhead(p, start, status.pose.theta, 3)];
    const orderId = p.id();
    const from = p.log.mark();
    const sent = await peer.request(orderOver({ orderId, orderUpdateId: 0, points, released: points.length, mapId: status.mapId, maxSpeed: kitSpeedLimit(p) }));
    if (!sent.ok) return fail(`order refused: ${sent.code} ${sent.message}`);
    if (!(await moving(p, from))) return fail('never reported moving on the order');

    const results: { command: string; outcome: Outcome }[] = [];
    const step = async (command: Command, shows: string, check: (s: Status) => boolean, timeoutMs = 5_000) => {
      const mark = p.log.mark();
      const reply = await peer.request({ kind: 'motionControl', command, orderId: command === 'emergencyStop' || command === 'releaseEmergencyStop' ? 0 : orderId });
      let outcome: Outcome;
      if (!reply.ok) outcome = reply.code === 'UNSUPPORTED_ACTION' ? skip(`${command} not supported`) : fail(`${command} refused: ${reply.code} ${reply.message}`);
      else outcome = (await p.log.waitForKind('statusReport', timeoutMs, mark, check)) ? pass(command) : fail(`${command} acked but no status showed ${shows} within ${timeoutMs} ms`);
      results.push({ command, outcome });
      return outcome.status === 'pass';
    };
    const paused = await step('pause', 'paused', (s) => s.state === 'paused');
    if (paused) await step('resume', 'moving', (s) => s.state === 'moving' || s.vx !== 0);
    await step('cancel', 'a stop at a node', (s) => isStill(s) && nearNode(s, points), p.options.moveTimeoutMs);
    const stopped = await step('emergencyStop', 'the emergency stop', (s) => s.eStop !== 'none' || s.state === 'emergencyStop');
    if (stopped) await step('releaseEmergencyStop', 'the release', (s) => s.eStop === 'none' && s.state !== 'emergencyStop');

    const last = p.lastStatus();
    p.here = points.find((pt) => pt.nodeId === last?.lastNodeId);
    const failed = results.filter((r) => r.outcome.status === 'fail');
    const skipped = results.filter((r) => r.outcome.status === 'skip');
    if (failed.length > 0) return fail(failed.map((r) => r.outcome.detail).join('; '));
    if (skipped.length === results.length) return skip(skipped.map((r) => r.outcome.detail).join('; '));
    return pass(`${results.filter((r) => r.outcome.status === 'pass').map((r) => r.command).join(', ')} carried out${skipped.length ? `; ${skipped.map((r) => r.outcome.detail).join(', ')}` : ''}`);
  },
};

/** Standing at one of the route's nodes, within half a metre of it. */
function nearNode(s: Status, points: RoutePoint[]): boolean {
  const node = points.find((pt) => pt.nodeId === s.lastNodeId);
  return node !== undefined && Math.hypot(node.x - s.pose.x, node.y - s.pose.y) <= 500;
}
