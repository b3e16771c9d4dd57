// Locates and loads the shared MovingAI benchmark data in place (never copied into the project).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gridToGraph, parseMovingAiMap, parseScen, type GridGraph, type ScenEntry } from '../../src/planner/index.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The shared MAPF data folder: env UNIFLEET_MAPF_DATA, else ../shared/benchmarks/mapf beside the project, else the
 * workstation's /work/shared copy (a CI clone may live elsewhere than the working checkout).
 */
export function mapfDataDir(): string {
  if (process.env.UNIFLEET_MAPF_DATA) return process.env.UNIFLEET_MAPF_DATA;
  const candidates = [resolve(projectRoot, '../shared/benchmarks/mapf'), '/work/shared/benchmarks/mapf'];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

export function hasMapfData(): boolean {
  return existsSync(join(mapfDataDir(), 'maps')) && existsSync(join(mapfDataDir(), 'scen'));
}

export const MOVINGAI_MAPS = [
  'random-32-32-20',
  'warehouse-10-20-10-2-1',
  'den520d',
  'Berlin_1_256',
  'room-64-64-8',
  'maze-32-32-2',
  'empty-32-32',
  'lak303d',
  'random-64-64-10',
  'warehouse-20-40-10-2-1',
] as const;

export interface LoadedInstance {
  mapName: string;
  grid: GridGraph;
  scen: ScenEntry[];
  starts: number[];
  goals: number[];
}

export function mapPath(mapName: string): string {
  return join(mapfDataDir(), 'maps', `${mapName}.map`);
}

export function scenPath(mapName: string, kind: 'random' | 'even', index: number): string {
  return join(mapfDataDir(), 'scen', `${mapName}-${kind}-${index}.scen`);
}

const gridCache = new Map<string, GridGraph>();

export function loadGrid(mapFile: string): GridGraph {
  let grid = gridCache.get(mapFile);
  if (!grid) {
    grid = gridToGraph(parseMovingAiMap(readFileSync(mapFile, 'utf8')));
    gridCache.set(mapFile, grid);
  }
  return grid;
}

/** Loads the first `agents` rows of a scen on a map; throws if a start or goal is blocked. */
export function loadInstance(mapFile: string, scenFile: string, agents: number): LoadedInstance {
  const grid = loadGrid(mapFile);
  const scen = parseScen(readFileSync(scenFile, 'utf8')).slice(0, agents);
  const starts: number[] = [];
  const goals: number[] = [];
  for (const [i, e] of scen.entries()) {
    const s = grid.vertexAt(e.startX, e.startY);
    const g = grid.vertexAt(e.goalX, e.goalY);
    if (s < 0 || g < 0) throw new Error(`${scenFile} row ${i + 1}: start or goal on a blocked cell`);
    starts.push(s);
    goals.push(g);
  }
  return { mapName: basename(mapFile, '.map'), grid, scen, starts, goals };
}
