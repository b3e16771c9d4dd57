import type { Scenario } from '../scenario.ts';
import { access, config, registration } from './session.ts';
import type { AgvSide } from './harness.ts';
import { heartbeat, platformHeartbeat } from './heartbeat.ts';
import { hostile } from './hostile.ts';
import { orders } from './orders.ts';
import { secureAccess } from './secure-access.ts';
import { spaceRequest } from './space.ts';

// The scenarios run against a platform, in this order (hostile frames last: they may cost the session).
export const AGV_SIDE_SCENARIOS: Scenario<AgvSide>[] = [access, secureAccess, registration, config, heartbeat, platformHeartbeat, spaceRequest, orders, hostile];

export { AgvSide, type AgvSideOptions } from './harness.ts';
