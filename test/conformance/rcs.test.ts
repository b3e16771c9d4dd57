import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSm2KeyPair } from '../../src/protocol/secure/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { runConformance } from '../../src/conformance/run.ts';
import { demoSite, e2eConfig, submitTask, taskPairs } from '../rcs/e2e-harness.ts';

// The kit playing an AGV (--rcs) against the project's own platform over real TCP: every scenario the platform
// supports must pass, in-process through runConformance and once through the CLI (exit code and --json lines).

describe('conformance kit, AGV side, against the platform', () => {
  let platform: PlatformHandle;
  const agvKeys = generateSm2KeyPair();

  beforeAll(async () => {
    platform = await startPlatform(e2eConfig({ heartbeatTimeoutMs: 10_000 }), { site: await demoSite() });
    await platform.store.agvs.enrol({ id: 'KIT-SECURE', publicKeyHex: Buffer.from(agvKeys.publicKey).toString('hex') });
  });
  afterAll(async () => {
    await platform.stop();
  });

  it('passes every scenario the platform supports, driving the order of a task given to the kit\'s AGV', async () => {
    // The kit's AGV stands at a parking node of the site (wire number = position in the site file, 1-based).
    const parking = platform.site.parking[0]!.node;
    const index = platform.site.nodes.findIndex((n) => n.id === parking);
    const node = platform.site.nodes[index]!;
    const [pair] = taskPairs(platform.site, 1);
    const submitted: number[] = [];
    const report = await runConformance({
      rcs: { host: '127.0.0.1', port: platform.rcsPort },
      agvId: 'KIT-1',
      secureAgvId: 'KIT-SECURE',
      key: agvKeys.privateKey,
      platformKey: platform.platformPublicKey,
      connectTimeoutMs: 10_000,
      startNode: { nodeId: index + 1, x: Math.round(node.x * 1000), y: Math.round(node.y * 1000) },
      onResult: (r) => {
        // Work for the kit's AGV once it is registered and configured.
        if (r.scenario === 'config') void submitTask(platform.apiUrl, platform.demoApiKey!, pair!).then((res) => submitted.push(res.status));
      },
    });
    expect(submitted).toEqual([201]);
    // The platform speaks 1.1, so it pings on its own too: every scenario passes.
    expect(report.results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(report.results.find((r) => r.scenario === 'platform-heartbeat')?.status).toBe('pass');
    const passed = report.results.filter((r) => r.status === 'pass').map((r) => r.scenario);
    expect(passed).toEqual(expect.arrayContaining(['access', 'secure-access', 'registration', 'config', 'heartbeat', 'space-request', 'orders', 'hostile-frames']));
    expect(report.results.find((r) => r.scenario === 'orders')?.detail).toMatch(/^order \d+ driven to node \d+/);
    expect(report.summary).toMatchObject({ direction: 'rcs', failed: 0, ok: true });
  }, 90_000);

  it('reports a refused secure access as a failure', async () => {
    const report = await runConformance({
      rcs: { host: '127.0.0.1', port: platform.rcsPort },
      agvId: 'KIT-2',
      secureAgvId: 'KIT-SECURE',
      key: generateSm2KeyPair().privateKey,
      platformKey: platform.platformPublicKey,
      connectTimeoutMs: 10_000,
      only: ['secure-access'],
    });
    expect(report.results).toMatchObject([{ scenario: 'secure-access', status: 'fail' }]);
    expect(report.summary.ok).toBe(false);
  }, 60_000);

  it('runs as a CLI: one JSON object per scenario and a summary, exit code 0 when all pass', async () => {
    const { code, stdout } = await runCli(['--rcs', `127.0.0.1:${platform.rcsPort}`, '--json', '--agv-id', 'KIT-3', '--only', 'access,registration,config,heartbeat,hostile-frames']);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, -1).map((l) => [l.scenario, l.status])).toEqual([['access', 'pass'], ['registration', 'pass'], ['config', 'pass'], ['heartbeat', 'pass'], ['hostile-frames', 'pass']]);
    expect(lines.at(-1)).toMatchObject({ summary: true, direction: 'rcs', passed: 5, failed: 0, skipped: 0, ok: true });
    expect(code).toBe(0);
  }, 60_000);

  it('exits non-zero when a scenario fails, and 2 on bad usage', async () => {
    // Nothing listens on port 1: access fails.
    const failed = await runCli(['--rcs', '127.0.0.1:1', '--json', '--only', 'access', '--connect-timeout', '1000']);
    expect(JSON.parse(failed.stdout.trim().split('\n')[0]!)).toMatchObject({ scenario: 'access', status: 'fail' });
    expect(failed.code).toBe(1);
    const usage = await runCli(['--rcs', 'nohost']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--rcs must be HOST:PORT');
  }, 60_000);
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/conformance/cli.ts', ...args], { cwd: new URL('../..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
