import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { keyPairFromPem, publicKeyFromPem } from '../protocol/secure/index.ts';
import { formatResultLine, formatSummary } from './report.ts';
import { runConformance, SCENARIO_NAMES, type ConformanceOptions } from './run.ts';

// `npm run conformance -- --listen PORT | --rcs HOST:PORT [options]`: see docs/conformance.md. Prints one line per
// scenario (or one JSON object per line with --json) and a summary; exits 1 when a scenario failed, 2 on bad usage.

const USAGE = `usage: npm run conformance -- (--listen PORT | --rcs HOST:PORT) [options]
  --json                 one JSON object per scenario, then a summary object
  --key KEY              the kit's SM2 private key (hex or PEM file): the platform's with --listen, the AGV's with --rcs
  --platform-key KEY     (--rcs) the platform's SM2 public key the AGV pins (hex or PEM file)
  --agv-key KEY          (--listen) the AGV's public key; without it any key the AGV presents is accepted
  --agv-id ID            (--rcs) id of the kit's AGV (default CONFORMANCE-1); --secure-agv-id for its secure twin
  --map-id N             (--rcs) map the kit's AGV holds (default 1); --space-node N: node asked for (default 1)
  --start-node N --start-pose X,Y  (--rcs) site node (wire number) and its position in mm where the kit's AGV
                         stands and drives the platform's orders; --order-wait MS for the first order (default 30000)
  --status-period MS     (--listen) statusPeriod to configure (default 200); --tolerance F (default 0.5)
  --heartbeat-period MS  (--listen) default 1000; --heartbeat-timeout MS default 10000
  --step-mm MM           (--listen) spacing of the test route's nodes (default 1000)
  --connect-timeout MS   wait for the peer (default 30000); --move-timeout MS per node/action (default 30000)
  --only a,b             run only these scenarios
scenarios with --listen: ${SCENARIO_NAMES.listen.join(', ')}
scenarios with --rcs:    ${SCENARIO_NAMES.rcs.join(', ')}`;

class UsageError extends Error {}
class HelpRequested extends Error {}

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

/** A key given as hex, or as the path of a PEM file. */
function keyBytes(name: string, text: string | undefined, kind: 'private' | 'public'): Uint8Array | undefined {
  if (text === undefined) return undefined;
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) return Buffer.from(text, 'hex');
  let pem: string;
  try {
    pem = readFileSync(text, 'utf8');
  } catch {
    throw new UsageError(`--${name} is neither hex nor a readable PEM file: ${text}`);
  }
  return kind === 'private' ? keyPairFromPem(pem).privateKey : publicKeyFromPem(pem);
}

export function parseCli(argv: string[]): { options: ConformanceOptions; json: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      listen: { type: 'string' }, rcs: { type: 'string' }, json: { type: 'boolean' }, key: { type: 'string' }, 'platform-key': { type: 'string' },
      'agv-key': { type: 'string' }, 'agv-id': { type: 'string' }, 'secure-agv-id': { type: 'string' }, 'map-id': { type: 'string' },
      'space-node': { type: 'string' }, 'status-period': { type: 'string' }, tolerance: { type: 'string' }, 'heartbeat-period': { type: 'string' },
      'heartbeat-timeout': { type: 'string' }, 'step-mm': { type: 'string' }, 'connect-timeout': { type: 'string' }, 'move-timeout': { type: 'string' },
      'start-node': { type: 'string' }, 'start-pose': { type: 'string' }, 'order-wait': { type: 'string' },
      only: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) throw new HelpRequested();
  if ((values.listen === undefined) === (values.rcs === undefined)) throw new UsageError('give exactly one of --listen PORT or --rcs HOST:PORT');
  let rcs: ConformanceOptions['rcs'];
  if (values.rcs !== undefined) {
    const m = /^(.+):(\d+)$/.exec(values.rcs);
    if (!m) throw new UsageError(`--rcs must be HOST:PORT, got "${values.rcs}"`);
    rcs = { host: m[1]!, port: Number(m[2]) };
  }
  let startNode: ConformanceOptions['startNode'];
  if ((values['start-node'] === undefined) !== (values['start-pose'] === undefined)) throw new UsageError('--start-node and --start-pose go together');
  if (values['start-node'] !== undefined) {
    const pose = /^(-?\d+),(-?\d+)$/.exec(values['start-pose']!);
    if (!pose) throw new UsageError(`--start-pose must be X,Y in mm, got "${values['start-pose']}"`);
    startNode = { nodeId: integer('start-node', values['start-node'])!, x: Number(pose[1]), y: Number(pose[2]) };
  }
  const tolerance = values.tolerance === undefined ? undefined : Number(values.tolerance);
  if (tolerance !== undefined && !(tolerance > 0 && tolerance < 1)) throw new UsageError('--tolerance must be a fraction between 0 and 1');
  const only = values.only?.split(',').map((s) => s.trim());
  const known = rcs ? SCENARIO_NAMES.rcs : SCENARIO_NAMES.listen;
  const unknown = only?.filter((s) => !known.includes(s)) ?? [];
  if (unknown.length) throw new UsageError(`unknown scenario(s): ${unknown.join(', ')}`);
  return {
    json: values.json ?? false,
    options: {
      listen: integer('listen', values.listen),
      rcs,
      key: keyBytes('key', values.key, 'private'),
      platformKey: keyBytes('platform-key', values['platform-key'], 'public'),
      agvKey: keyBytes('agv-key', values['agv-key'], 'public'),
      agvId: values['agv-id'],
      secureAgvId: values['secure-agv-id'],
      mapId: integer('map-id', values['map-id']),
      spaceNodeId: integer('space-node', values['space-node']),
      startNode,
      orderWaitMs: integer('order-wait', values['order-wait']),
      statusPeriodMs: integer('status-period', values['status-period']),
      tolerance,
      heartbeatPeriodMs: integer('heartbeat-period', values['heartbeat-period']),
      heartbeatTimeoutMs: integer('heartbeat-timeout', values['heartbeat-timeout']),
      stepMm: integer('step-mm', values['step-mm']),
      connectTimeoutMs: integer('connect-timeout', values['connect-timeout']),
      moveTimeoutMs: integer('move-timeout', values['move-timeout']),
      only,
    },
  };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${message ? `${message}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const { options, json } = parsed;
  const report = await runConformance({
    ...options,
    onListening: (port) => process.stderr.write(`conformance kit playing the platform on port ${port}; connect the AGV under test\n`),
    onResult: (r) => process.stdout.write(`${formatResultLine(r, json)}\n`),
  });
  process.stdout.write(`${formatSummary(report.summary, json)}\n`);
  return report.summary.ok ? 0 : 1;
}

process.exit(await main());
