import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/rcs/config.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { DEFAULT_THRESHOLDS } from '../../src/rcs/ops/alarms/types.ts';
import { DEFAULT_SESSION_SETTINGS } from '../../src/rcs/session/index.ts';
import { CentralTrafficController } from '../../src/rcs/traffic/central/index.ts';
import { ReservationTrafficController } from '../../src/rcs/traffic/index.ts';
import { demoSite } from './e2e-harness.ts';
import { testConfig } from './test-config.ts';

// The platform runs on the same configuration object the command line builds: a setting left out takes the one
// default DEFAULT_CONFIG gives it, wherever it is used.

describe('the platform started from the configuration', () => {
  let platform: PlatformHandle | undefined;
  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
  });

  it('takes every default from DEFAULT_CONFIG, as the command line does', async () => {
    const { autoEnrol, requireSecure, statusPeriodMs, heartbeatPeriodMs, heartbeatTimeoutMs } = DEFAULT_CONFIG;
    expect(DEFAULT_SESSION_SETTINGS).toMatchObject({ autoEnrol, requireSecure, statusPeriodMs, heartbeatPeriodMs, heartbeatTimeoutMs });
    expect(DEFAULT_THRESHOLDS.heartbeatTimeoutMs).toBe(heartbeatTimeoutMs);
    platform = await startPlatform(testConfig(), { site: await demoSite(), ops: false });
    expect(platform.sessions.settings).toMatchObject({ autoEnrol: true, requireSecure, statusPeriodMs, heartbeatPeriodMs, heartbeatTimeoutMs });
    expect(platform.traffic).toBeInstanceOf(CentralTrafficController);
    expect(platform.demoApiKey).toBeUndefined();
  });

  it('applies the settings it is given and the controller config.traffic names', async () => {
    platform = await startPlatform(testConfig({ autoEnrol: false, heartbeatTimeoutMs: 12_000, traffic: 'reservation', demoKey: true }), { site: await demoSite(), ops: false });
    expect(platform.sessions.settings).toMatchObject({ autoEnrol: false, heartbeatTimeoutMs: 12_000 });
    expect(platform.traffic).toBeInstanceOf(ReservationTrafficController);
    expect(platform.demoApiKey).toMatch(/\S+/);
  });
});
