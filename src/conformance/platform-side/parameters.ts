import { fail, pass, skip, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Parameters and running data (§6 "Parameters, running data"): paramQuery is answered by a paramReport echoing its
// queryId; a paramSet (the kit sets one parameter to the value the AGV just reported, so nothing changes) by a
// paramSetAck echoing its requestId with one result per parameter in order; a runningDataRequest by runningData
// echoing its requestId, or a nack UNSUPPORTED_ACTION from an AGV without running data (a skip).

const ANSWER_TIMEOUT_MS = 10_000;

export const parameters: Scenario<PlatformSide> = {
  name: 'parameters',
  async run(p) {
    const queryId = p.id();
    let from = p.log.mark();
    p.send({ kind: 'paramQuery', queryId, params: [] });
    const report = await p.log.waitForKind('paramReport', ANSWER_TIMEOUT_MS, from, (m) => m.queryId === queryId);
    if (!report) return fail(`no paramReport for query ${queryId} within ${ANSWER_TIMEOUT_MS} ms`);
    const first = report.params[0];
    if (!first) return pass('answered the query with no parameters (none to set)');
    const requestId = p.id();
    from = p.log.mark();
    p.send({ kind: 'paramSet', requestId, params: [first] });
    const ack = await p.log.waitForKind('paramSetAck', ANSWER_TIMEOUT_MS, from, (m) => m.requestId === requestId);
    if (!ack) return fail(`no paramSetAck for request ${requestId} within ${ANSWER_TIMEOUT_MS} ms`);
    if (ack.results.length !== 1 || ack.results[0]!.param !== first.param) return fail(`paramSetAck does not give one result for ${first.param}: ${JSON.stringify(ack.results)}`);
    return pass(`reported ${report.params.length} parameters; setting ${first.param} to its value: ${ack.results[0]!.result}`);
  },
};

export const runningData: Scenario<PlatformSide> = {
  name: 'running-data',
  async run(p) {
    const requestId = p.id();
    const from = p.log.mark();
    const seq = p.send({ kind: 'runningDataRequest', requestId, items: [], logsSince: 0, maxLogLines: 0 });
    const answer = await Promise.race([
      p.log.waitForKind('runningData', ANSWER_TIMEOUT_MS, from, (m) => m.requestId === requestId),
      p.log.waitForKind('nack', ANSWER_TIMEOUT_MS, from, (m) => m.ackedSeq === seq),
    ]);
    if (!answer) return fail(`no runningData (or nack) for request ${requestId} within ${ANSWER_TIMEOUT_MS} ms`);
    if (answer.kind === 'nack') {
      return answer.errorCode === 'UNSUPPORTED_ACTION' ? skip('the AGV provides no running data (nack UNSUPPORTED_ACTION)') : fail(`nacked with ${answer.errorCode}: ${answer.detail}`);
    }
    return pass(`odometer ${answer.odometer} m, ${answer.operatingTime} s operating, ${answer.diagnostics.length} diagnostics`);
  },
};
