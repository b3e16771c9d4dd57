import { fail, pass, type Scenario } from '../scenario.ts';
import type { PlatformSide } from './harness.ts';

// Map and navigation-mode switching (§6, §8 mapSwitch / navModeSwitch): the AGV answers each request with a result
// frame echoing its requestId. The kit asks for the map and mode the AGV is on, so a conforming vehicle is not
// moved off its map; any result value counts as reported, and a success must name the target as current.

const RESULT_TIMEOUT_MS = 10_000;

export const mapSwitch: Scenario<PlatformSide> = {
  name: 'map-switch',
  async run(p) {
    const status = p.lastStatus();
    if (!status) return fail('no status report to start from');
    const requestId = p.id();
    const from = p.log.mark();
    p.send({ kind: 'mapSwitch', requestId, targetMapId: status.mapId, switchNodeId: 0, initialPose: status.pose });
    const result = await p.log.waitForKind('mapSwitchResult', RESULT_TIMEOUT_MS, from, (m) => m.requestId === requestId);
    if (!result) return fail(`no mapSwitchResult for request ${requestId} within ${RESULT_TIMEOUT_MS} ms`);
    if (result.result === 'success' && result.currentMapId !== status.mapId) return fail(`success but current map ${result.currentMapId}, asked for ${status.mapId}`);
    return pass(`reported ${result.result}${result.detail ? ` (${result.detail})` : ''}`);
  },
};

export const navSwitch: Scenario<PlatformSide> = {
  name: 'nav-switch',
  async run(p) {
    const status = p.lastStatus();
    if (!status) return fail('no status report to start from');
    const requestId = p.id();
    const from = p.log.mark();
    p.send({ kind: 'navModeSwitch', requestId, targetMode: status.navMode, switchNodeId: 0 });
    const result = await p.log.waitForKind('navModeSwitchResult', RESULT_TIMEOUT_MS, from, (m) => m.requestId === requestId);
    if (!result) return fail(`no navModeSwitchResult for request ${requestId} within ${RESULT_TIMEOUT_MS} ms`);
    if (result.result === 'success' && result.currentMode !== status.navMode) return fail(`success but current mode ${result.currentMode}, asked for ${status.navMode}`);
    return pass(`reported ${result.result}${result.detail ? ` (${result.detail})` : ''}`);
  },
};
