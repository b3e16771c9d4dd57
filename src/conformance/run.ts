import { AGV_SIDE_SCENARIOS, AgvSide } from './agv-side/index.ts';
import { PLATFORM_SIDE_SCENARIOS, PlatformSide } from './platform-side/index.ts';
import { summarise, type ConformanceReport, type ScenarioResult } from './report.ts';
import { runScenarios, type Scenario } from './scenario.ts';

// The kit's entry point (the CLI is a thin wrapper): plays the platform against an AGV that connects to `listen`,
// or an AGV against the platform at `rcs`, runs the scenarios in order and returns one result per scenario.

export interface ConformanceOptions {
  /** Play the platform: listen on this port (0 = any free port, see onListening) for the AGV under test. */
  listen?: number;
  /** Play an AGV against the platform at this address. */
  rcs?: { host: string; port: number };
  /** Interface to listen on (default all). */
  listenHost?: string;
  /** The kit's own SM2 private key: the platform's (--listen) or the AGV's (--rcs). */
  key?: Uint8Array;
  /** --rcs: the platform's public key the AGV pins. */
  platformKey?: Uint8Array;
  /** --listen: the AGV's enrolled public key (any key is accepted without it). */
  agvKey?: Uint8Array;
  /** --rcs: id of the kit's AGV, and of its secure-mode twin (whose key must be enrolled). */
  agvId?: string;
  secureAgvId?: string;
  mapId?: number;
  spaceNodeId?: number;
  /** --rcs: a site node (wire number, position in mm) where the kit's AGV stands, so the platform can send it work. */
  startNode?: { nodeId: number; x: number; y: number };
  /** --rcs: how long to wait for the platform's first order. */
  orderWaitMs?: number;
  statusPeriodMs?: number;
  heartbeatPeriodMs?: number;
  heartbeatTimeoutMs?: number;
  tolerance?: number;
  connectTimeoutMs?: number;
  moveTimeoutMs?: number;
  stepMm?: number;
  /** Run only these scenarios (by name). */
  only?: string[];
  onListening?: (port: number) => void;
  onResult?: (result: ScenarioResult) => void;
}

export const SCENARIO_NAMES = {
  listen: PLATFORM_SIDE_SCENARIOS.map((s) => s.name),
  rcs: AGV_SIDE_SCENARIOS.map((s) => s.name),
};

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  if ((options.listen === undefined) === (options.rcs === undefined)) throw new Error('give exactly one of listen (play the platform) or rcs (play an AGV)');
  const onResult = options.onResult ?? (() => {});
  const pick = <C>(all: Scenario<C>[]) => (options.only ? all.filter((s) => options.only!.includes(s.name)) : all);
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  if (options.rcs) {
    const side = new AgvSide({
      host: options.rcs.host,
      port: options.rcs.port,
      agvId: options.agvId ?? 'CONFORMANCE-1',
      secureAgvId: options.secureAgvId ?? `${options.agvId ?? 'CONFORMANCE-1'}-SECURE`,
      mapId: options.mapId ?? 1,
      spaceNodeId: options.spaceNodeId ?? 1,
      key: options.key,
      platformKey: options.platformKey,
      connectTimeoutMs,
      startNode: options.startNode,
      orderWaitMs: options.orderWaitMs ?? 30_000,
      moveTimeoutMs: options.moveTimeoutMs ?? 30_000,
    });
    try {
      const results = await runScenarios(pick(AGV_SIDE_SCENARIOS), side, onResult);
      return { direction: 'rcs', results, summary: summarise('rcs', results) };
    } finally {
      side.stop();
    }
  }
  const side = await PlatformSide.listen({
    port: options.listen!,
    host: options.listenHost,
    key: options.key,
    agvKey: options.agvKey,
    statusPeriodMs: options.statusPeriodMs ?? 200,
    heartbeatPeriodMs: options.heartbeatPeriodMs ?? 1_000,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000,
    tolerance: options.tolerance ?? 0.5,
    connectTimeoutMs,
    moveTimeoutMs: options.moveTimeoutMs ?? 30_000,
    stepMm: options.stepMm ?? 1_000,
    onListening: options.onListening,
  });
  try {
    const results = await runScenarios(pick(PLATFORM_SIDE_SCENARIOS), side, onResult);
    return { direction: 'listen', results, summary: summarise('listen', results) };
  } finally {
    await side.close();
  }
}
