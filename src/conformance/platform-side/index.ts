import { type Scenario } from '../scenario.ts';
import { access } from './access.ts';
import { actuator } from './actuator.ts';
import { charging } from './charging.ts';
import { config } from './config.ts';
import { control } from './control.ts';
import type { PlatformSide } from './harness.ts';
import { heartbeat } from './heartbeat.ts';
import { hostile } from './hostile.ts';
import { motion } from './motion.ts';
import { parameters, runningData } from './parameters.ts';
import { registration } from './registration.ts';
import { reissue } from './reissue.ts';
import { secureAccess } from './secure-access.ts';
import { statusPeriod } from './status-period.ts';
import { mapSwitch, navSwitch } from './switches.ts';

// The scenarios run against an AGV under test, in this order: each builds on the session the previous ones set up.
export const PLATFORM_SIDE_SCENARIOS: Scenario<PlatformSide>[] = [
  access, secureAccess, registration, config, statusPeriod, heartbeat, motion, reissue, control, actuator, charging, mapSwitch, navSwitch, parameters, runningData, hostile,
];

export { PlatformSide, type PlatformSideOptions } from './harness.ts';
