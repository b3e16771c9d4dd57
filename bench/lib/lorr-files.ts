import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseLorrAgents, parseLorrMap, parseLorrProblem, parseLorrTasks, type LorrMap, type LorrProblem } from '../../src/planner/research/lorr/index.ts';

// File loading for LoRR 2023 problems (the planner itself stays free of I/O).

export interface LoadedLorrProblem {
  name: string;
  file: string;
  problem: LorrProblem;
  map: LorrMap;
  starts: Int32Array;
  tasks: Int32Array;
}

/** Root of the shared MAPF benchmark data (see mapfDataDir). */
export { mapfDataDir as mapfDataRoot } from './mapf-data.ts';

export function loadLorrProblem(file: string): LoadedLorrProblem {
  const problem = parseLorrProblem(readFileSync(file, 'utf8'));
  const folder = dirname(file);
  const map = parseLorrMap(readFileSync(resolve(folder, problem.mapFile), 'utf8'));
  const starts = parseLorrAgents(readFileSync(resolve(folder, problem.agentFile), 'utf8'), map);
  const tasks = parseLorrTasks(readFileSync(resolve(folder, problem.taskFile), 'utf8'), map);
  // The Start-Kit uses the first teamSize agents of the agents file.
  if (starts.length < problem.teamSize) {
    throw new RangeError(`${file}: teamSize ${problem.teamSize} but the agents file has only ${starts.length}`);
  }
  return { name: basename(file, '.json'), file, problem, map, starts: starts.subarray(0, problem.teamSize), tasks };
}
