import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from '../../src/rcs/config.ts';

describe('platform configuration', () => {
  it('uses defaults, then environment variables, then flags', () => {
    expect(loadConfig([], {})).toEqual(DEFAULT_CONFIG);
    const config = loadConfig(['--api-port', '9001', '--auto-enrol=false', '--require-secure', '--db-path', ':memory:'], {
      UNIFLEET_API_PORT: '9000',
      UNIFLEET_SIM_AGVS: '5',
    });
    expect(config).toMatchObject({ apiPort: 9001, simAgvs: 5, autoEnrol: false, requireSecure: true, dbPath: ':memory:' });
  });

  it('rejects unknown options and bad values with a clear message', () => {
    expect(() => loadConfig(['--api-prot', '1'], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--api-prot', '1'], {})).toThrow(/unknown option --api-prot/);
    expect(() => loadConfig([], { UNIFLEET_API_PORT: 'eighty' })).toThrow(/UNIFLEET_API_PORT: expected a non-negative number/);
    expect(() => loadConfig(['--auto-enrol=maybe'], {})).toThrow(/expected true\/false/);
    expect(() => loadConfig(['--map-path'], {})).toThrow(/needs a value/);
    expect(() => loadConfig(['--traffic', 'zoned'], {})).toThrow(/--traffic: expected one of reservation, central, got 'zoned'/);
    expect(loadConfig([], { UNIFLEET_TRAFFIC: 'reservation' }).traffic).toBe('reservation');
  });
});
