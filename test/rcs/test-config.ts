import { loadConfig, type PlatformConfig } from '../../src/rcs/config.ts';

/**
 * Settings for a platform inside a test: free local ports, an in-memory store, no demo key, and silent logs unless
 * UNIFLEET_LOG_LEVEL asks for them.
 */
export function testConfig(overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  return {
    ...loadConfig([], { UNIFLEET_LOG_LEVEL: process.env.UNIFLEET_LOG_LEVEL || 'silent' }),
    apiHost: '127.0.0.1',
    apiPort: 0,
    rcsHost: '127.0.0.1',
    rcsPort: 0,
    dbPath: ':memory:',
    demoKey: false,
    // Tests drive AGVs that register on first contact; admission by an operator is tested where it is the subject.
    autoApprove: true,
    ...overrides,
  };
}
