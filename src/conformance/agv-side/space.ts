import { fail, pass, type Scenario } from '../scenario.ts';
import type { AgvSide } from './harness.ts';

// Autonomous space request (§6, §8 spaceRequest/spaceResponse): the platform answers with a well-formed
// spaceResponse for our requestId — granted, queued or refused are all valid; a granted lease is released again.

const ANSWER_TIMEOUT_MS = 5_000;

export const spaceRequest: Scenario<AgvSide> = {
  name: 'space-request',
  async run(a) {
    const errorsBefore = a.log.errors.length;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ANSWER_TIMEOUT_MS)));
    const request = a.client.requestSpace({ reason: 'docking', restriction: 'exclusive', mapId: a.options.mapId, polygon: [], nodeIds: [a.options.spaceNodeId], start: 0, duration: 10_000, trajectory: undefined });
    const answer = await Promise.race([request, timeout]);
    clearTimeout(timer);
    if (!answer) return fail(`no spaceResponse within ${ANSWER_TIMEOUT_MS} ms`);
    if (a.log.errors.length > errorsBefore) return fail(`frames that do not decode: ${a.log.errors.slice(errorsBefore).map((e) => e.code).join(', ')}`);
    if (answer.decision === 'granted') {
      if (answer.leaseId === 0) return fail('granted without a lease id');
      a.client.releaseSpace(answer.leaseId);
    }
    if (answer.decision === 'queued' && answer.queuePosition === 0) return fail('queued without a queue position');
    return pass(`${answer.decision}${answer.detail ? ` (${answer.detail})` : ''}`);
  },
};
