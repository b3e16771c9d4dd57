import { LorrFormatError } from './errors.ts';

// Parsers for the League of Robot Runners 2023 problem files. Pure: callers read the files.

export type TaskAssignmentStrategy = 'roundrobin' | 'roundrobin_fixed' | 'greedy';

export interface LorrProblem {
  /** Paths as written in the problem file: relative to the problem file's own folder. */
  mapFile: string;
  agentFile: string;
  taskFile: string;
  teamSize: number;
  numTasksReveal: number;
  taskAssignmentStrategy: TaskAssignmentStrategy;
}

/** A 4-connected grid; a location is linearised as row * width + col (the LoRR convention). */
export interface LorrMap {
  width: number;
  height: number;
  /** 1 where the cell is an obstacle ('@' or 'T'), 0 where it is traversable ('.', 'E', 'S', ...). */
  obstacle: Uint8Array;
}

function positiveInt(value: unknown, where: string, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new LorrFormatError(where, `"${field}" must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function nonEmptyString(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new LorrFormatError(where, `"${field}" must be a non-empty string`);
  }
  return value;
}

export function parseLorrProblem(text: string): LorrProblem {
  const where = 'problem';
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LorrFormatError(where, `not JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new LorrFormatError(where, 'must be a JSON object');
  const o = raw as Record<string, unknown>;
  const strategyRaw = o.taskAssignmentStrategy ?? 'roundrobin';
  // The 2023 Start-Kit spells the fixed variant with a dash in docs and an underscore in code; accept both.
  const strategy = String(strategyRaw).replace('-', '_');
  if (strategy !== 'roundrobin' && strategy !== 'roundrobin_fixed' && strategy !== 'greedy') {
    throw new LorrFormatError(where, `unknown taskAssignmentStrategy ${JSON.stringify(strategyRaw)}`);
  }
  return {
    mapFile: nonEmptyString(o.mapFile, where, 'mapFile'),
    agentFile: nonEmptyString(o.agentFile, where, 'agentFile'),
    taskFile: nonEmptyString(o.taskFile, where, 'taskFile'),
    teamSize: positiveInt(o.teamSize, where, 'teamSize'),
    numTasksReveal: o.numTasksReveal === undefined ? 1 : positiveInt(o.numTasksReveal, where, 'numTasksReveal'),
    taskAssignmentStrategy: strategy,
  };
}

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

export function parseLorrMap(text: string): LorrMap {
  const rows = lines(text);
  let height = -1;
  let width = -1;
  let i = 0;
  for (; i < rows.length; i++) {
    const line = rows[i]!.trim();
    if (line === 'map') break;
    const m = /^(\w+)\s+(\S+)$/.exec(line);
    if (!m) {
      if (line === '') continue;
      throw new LorrFormatError(`map line ${i + 1}`, `unexpected header line ${JSON.stringify(line)}`);
    }
    if (m[1] === 'height') height = Number(m[2]);
    else if (m[1] === 'width') width = Number(m[2]);
  }
  if (i === rows.length) throw new LorrFormatError('map', 'missing "map" line');
  if (!Number.isInteger(height) || height < 1) throw new LorrFormatError('map', 'missing or bad "height"');
  if (!Number.isInteger(width) || width < 1) throw new LorrFormatError('map', 'missing or bad "width"');
  const obstacle = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) {
    const row = rows[i + 1 + r];
    if (row === undefined || row.trimEnd().length < width) {
      throw new LorrFormatError(`map row ${r}`, `expected ${width} cells, got ${row === undefined ? 'end of file' : row.trimEnd().length}`);
    }
    for (let c = 0; c < width; c++) {
      const ch = row[c];
      if (ch === '@' || ch === 'T') obstacle[r * width + c] = 1;
    }
  }
  return { width, height, obstacle };
}

/** Parses an agents or tasks file: a count line, then that many linearised locations. */
function parseLocationList(text: string, what: 'agents' | 'tasks', map?: LorrMap): Int32Array {
  const rows = lines(text).map((l) => l.trim()).filter((l, idx, all) => l !== '' || idx < all.length - 1);
  const count = Number(rows[0]);
  if (!Number.isInteger(count) || count < 0) throw new LorrFormatError(`${what} file line 1`, `bad count ${JSON.stringify(rows[0])}`);
  if (rows.length - 1 < count) throw new LorrFormatError(`${what} file`, `declares ${count} entries but has ${rows.length - 1}`);
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const text = rows[k + 1]!;
    const loc = Number(text);
    if (!/^\d+$/.test(text)) throw new LorrFormatError(`${what} file line ${k + 2}`, `not a location: ${JSON.stringify(text)}`);
    if (map) {
      if (loc >= map.width * map.height) throw new LorrFormatError(`${what} file line ${k + 2}`, `location ${loc} is off the map`);
      if (map.obstacle[loc]) throw new LorrFormatError(`${what} file line ${k + 2}`, `location ${loc} is an obstacle`);
    }
    out[k] = loc;
  }
  return out;
}

/** Start locations; every agent starts facing east (orientation 0). Pass the map to check locations. */
export function parseLorrAgents(text: string, map?: LorrMap): Int32Array {
  const starts = parseLocationList(text, 'agents', map);
  const seen = new Set<number>();
  starts.forEach((loc, i) => {
    if (seen.has(loc)) throw new LorrFormatError(`agents file line ${i + 2}`, `two agents start at location ${loc}`);
    seen.add(loc);
  });
  return starts;
}

export function parseLorrTasks(text: string, map?: LorrMap): Int32Array {
  const tasks = parseLocationList(text, 'tasks', map);
  if (tasks.length === 0) throw new LorrFormatError('tasks file', 'has no tasks');
  return tasks;
}
