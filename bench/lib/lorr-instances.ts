import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The LoRR 2023 instances the benchmark runs by default, with best-known results from
// ../shared/benchmarks/mapf/SOURCES.md §4 (Benchmark-Archive and Code-Archive READMEs).

export interface KnownInstance {
  /** Path relative to the lorr/ data folder. */
  path: string;
  round: 'main' | 'test';
  bestKnown: number;
  bestKnownBy: string;
  /** Horizon when the instance is not in main-round simulation_time.json. */
  horizon?: number;
}

export const KNOWN_INSTANCES: readonly KnownInstance[] = [
  { path: '2023-main-round/random.domain/MR23-I-04.json', round: 'main', bestKnown: 1741, bestKnownBy: 'Shadoks' },
  { path: '2023-main-round/random.domain/MR23-I-03.json', round: 'main', bestKnown: 3042, bestKnownBy: 'Shadoks' },
  { path: '2023-main-round/random.domain/MR23-I-05.json', round: 'main', bestKnown: 7432, bestKnownBy: 'Pikachu' },
  { path: '2023-main-round/random.domain/MR23-I-07.json', round: 'main', bestKnown: 5914, bestKnownBy: 'Pikachu' },
  { path: '2023-main-round/random.domain/MR23-I-08.json', round: 'main', bestKnown: 6059, bestKnownBy: 'Shadoks' },
  { path: '2023-main-round/warehouse.domain/MR23-I-10.json', round: 'main', bestKnown: 194677, bestKnownBy: 'Shadoks' },
  { path: '2023-main-round/warehouse.domain/MR23-I-06.json', round: 'main', bestKnown: 197275, bestKnownBy: 'Shadoks' },
  { path: '2023-test-round/warehouse.domain/TR23-warehouse_large.json', round: 'test', bestKnown: 19758, bestKnownBy: 'Pikachu', horizon: 5000 },
  { path: '2023-test-round/warehouse.domain/TR23-sortation_large.json', round: 'test', bestKnown: 24577, bestKnownBy: 'NCD-MIPT', horizon: 5000 },
];

/** Horizons of main-round instances, keyed by "I-xx" as in simulation_time.json. */
export function readMainRoundHorizons(lorrRoot: string): Map<string, number> {
  const text = readFileSync(join(lorrRoot, '2023-main-round/simulation_time.json'), 'utf8');
  return new Map(Object.entries(JSON.parse(text) as Record<string, number>));
}

/** Horizon of a problem by its file name (MR23-I-xx), or undefined for unknown problems. */
export function horizonFor(fileName: string, mainRound: Map<string, number>, known?: KnownInstance): number | undefined {
  const match = /MR23-(I-\d+)\.json$/.exec(fileName);
  if (match) return mainRound.get(match[1]!);
  return known?.horizon;
}
