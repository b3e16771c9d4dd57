import { registrationProblems } from '../checks.ts';
import { fail, pass, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Registration (§6, §8 registerRequest): identity and a capability sheet that makes physical sense.

export const registration: Scenario<PlatformSide> = {
  name: 'registration',
  async run(p) {
    p.link();
    const m = await p.log.waitForKind('registerRequest', 5_000);
    if (!m) return fail('no registerRequest within 5000 ms of access');
    p.registration = m;
    // Accepted even when implausible, so the remaining scenarios still run; the problems fail this one.
    p.send({ kind: 'registerAck', result: 'accepted', detail: '' });
    const problems = registrationProblems(m);
    if (problems.length > 0) return fail(problems.join('; '));
    const c = m.capabilities;
    return pass(`${m.vendor} ${m.model} #${m.serial}: ${c.length}×${c.width} mm, ${c.maxSpeed} mm/s, ${c.actuators.length} actuator(s), maps ${c.maps.map((x) => x.mapId).join(',')}`);
  },
};
