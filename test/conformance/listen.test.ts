import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/index.ts';
import { generateSm2KeyPair } from '../../src/protocol/secure/index.ts';
import { SimAgv, VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { runConformance, type ConformanceOptions } from '../../src/conformance/run.ts';
import type { SecureCredentials } from '../../src/agv/sdk/types.ts';
import { AgvClient } from '../../src/agv/sdk/client.ts';
import { idleStatus, kitRegistration } from '../../src/conformance/agv-side/harness.ts';

// The kit playing the platform (--listen) against the project's simulated AGV, which runs on the SDK's
// AgvController over a real TCP socket: every scenario the simulator supports must pass.

describe('conformance kit, platform side, against the simulated AGV', () => {
  const agvs: SimAgv[] = [];
  afterEach(() => {
    for (const agv of agvs.splice(0)) agv.stop();
  });

  function runAgainstSim(options: Omit<ConformanceOptions, 'listen' | 'onListening'>, secure?: SecureCredentials) {
    return runConformance({
      ...options,
      listen: 0,
      connectTimeoutMs: 10_000,
      onListening: (port) => {
        const agv = new SimAgv({ id: 'SIM-UNDER-TEST', profile: VENDOR_PROFILES[0]!, serial: 'SIM-0001', start: { nodeNumber: 1, x: 0, y: 0 }, mapNumber: 1, clock: systemClock, port, selfTickMs: 50, batteryPct: 80, secure });
        agvs.push(agv);
        agv.start();
      },
    });
  }

  it('passes every scenario in normal mode', async () => {
    const report = await runAgainstSim({});
    const byName = Object.fromEntries(report.results.map((r) => [r.scenario, r]));
    expect(report.results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(report.summary.ok).toBe(true);
    // Secure access needs a secure-mode AGV; everything else the simulator supports.
    expect(byName['secure-access']?.status).toBe('skip');
    expect(report.results.filter((r) => r.status === 'pass').map((r) => r.scenario)).toEqual([
      'access', 'registration', 'config', 'status-period', 'heartbeat', 'motion', 'mid-edge-reissue', 'pause-resume-cancel-estop', 'actuator', 'charging', 'map-switch', 'nav-switch', 'parameters', 'running-data', 'hostile-frames',
    ]);
  }, 180_000);

  it('completes the SM2 key exchange with a secure-mode AGV', async () => {
    const platform = generateSm2KeyPair();
    const agv = generateSm2KeyPair();
    const report = await runAgainstSim(
      { key: platform.privateKey, agvKey: agv.publicKey, only: ['access', 'secure-access', 'registration', 'config', 'heartbeat'] },
      { ...agv, platformPublicKey: platform.publicKey },
    );
    expect(report.results.map((r) => [r.scenario, r.status])).toEqual([['access', 'pass'], ['secure-access', 'pass'], ['registration', 'pass'], ['config', 'pass'], ['heartbeat', 'pass']]);
  }, 60_000);

  it('fails the secure exchange when the AGV presents a key other than the enrolled one', async () => {
    const platform = generateSm2KeyPair();
    const agv = generateSm2KeyPair();
    const report = await runAgainstSim(
      { key: platform.privateKey, agvKey: generateSm2KeyPair().publicKey, only: ['access', 'secure-access'] },
      { ...agv, platformPublicKey: platform.publicKey },
    );
    expect(report.results[1]).toMatchObject({ scenario: 'secure-access', status: 'fail' });
    expect(report.summary.ok).toBe(false);
  }, 60_000);

  it('fails motion for an AGV that acks orders but never drives them', async () => {
    let client: AgvClient | undefined;
    const report = await runConformance({
      listen: 0,
      connectTimeoutMs: 10_000,
      moveTimeoutMs: 2_000,
      only: ['access', 'registration', 'config', 'motion'],
      onListening: (port) => {
        client = new AgvClient({ agvId: 'LAZY-1', port, registration: kitRegistration('LAZY-1', 1), status: () => idleStatus(1) });
        client.onMotion(() => ({ ok: true }));
        client.start();
      },
    });
    client?.stop();
    expect(report.results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'fail']);
    expect(report.results[3]!.detail).toContain('never reported reaching released node');
  }, 60_000);
});
