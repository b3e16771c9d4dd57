import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, describeConfig, loadConfig } from '../../src/rcs/config.ts';

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
    expect(() => loadConfig(['--log-level', 'loud'], {})).toThrow(/--log-level: expected one of fatal, error, warn, info, debug, trace, silent, got 'loud'/);
  });

  it('reads the log level, the database URL and the webhook switch like every other setting', () => {
    expect(DEFAULT_CONFIG).toMatchObject({ logLevel: 'info', dbUrl: '', webhooks: true });
    expect(loadConfig(['--log-level=debug'], { UNIFLEET_LOG_LEVEL: 'warn' }).logLevel).toBe('debug');
    expect(loadConfig([], { UNIFLEET_LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
    expect(loadConfig(['--db-url', 'postgres://root@127.0.0.1:5432/test'], {}).dbUrl).toBe('postgres://root@127.0.0.1:5432/test');
    expect(loadConfig([], { UNIFLEET_DB_URL: 'postgres://root@db/unifleet' }).dbUrl).toBe('postgres://root@db/unifleet');
    expect(loadConfig(['--webhooks=false'], {}).webhooks).toBe(false);
    expect(describeConfig()).toMatch(/--log-level\s+UNIFLEET_LOG_LEVEL\s+default "info"/);
  });
});
