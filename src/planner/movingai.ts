import { PlannerInputError } from './errors.ts';
import type { GridMap } from './grid.ts';

/** MovingAI MAPF convention: only '.' and 'G' are free; everything else is blocked. */
export const MOVINGAI_PASSABLE = '.G';
/** League of Robot Runners maps also let agents stand on emitters 'E' and service points 'S'. */
export const LORR_PASSABLE = '.GES';

export interface ParseMapOptions {
  /** Characters that count as passable (default MOVINGAI_PASSABLE). */
  passable?: string;
}

/**
 * Parses a MovingAI `.map` file (also the LoRR 2023 map format):
 * `type octile` / `height H` / `width W` / `map`, then H rows of W characters.
 */
export function parseMovingAiMap(text: string, options: ParseMapOptions = {}): GridMap {
  const free = options.passable ?? MOVINGAI_PASSABLE;
  const lines = text.split(/\r?\n/);
  let height = -1;
  let width = -1;
  let row = 0;
  for (; row < lines.length; row++) {
    const line = lines[row]!.trim();
    if (line === '') continue;
    if (line === 'map') break;
    const [key, value, extra] = line.split(/\s+/);
    if (key === 'type') continue;
    if ((key === 'height' || key === 'width') && value !== undefined && extra === undefined) {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new PlannerInputError('MAP_FORMAT', `bad ${key}: "${value}"`);
      if (key === 'height') height = n;
      else width = n;
      continue;
    }
    throw new PlannerInputError('MAP_FORMAT', `unexpected header line ${row + 1}: "${line}"`);
  }
  if (row >= lines.length) throw new PlannerInputError('MAP_FORMAT', 'missing "map" line');
  if (height < 0 || width < 0) throw new PlannerInputError('MAP_FORMAT', 'header needs both height and width');
  if (width * height > 1 << 26) throw new PlannerInputError('MAP_FORMAT', `map too large: ${width} x ${height}`);

  const passable = new Uint8Array(width * height);
  const terrain = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const line = lines[row + 1 + y]?.replace(/\r$/, '');
    if (line === undefined || line.length < width) {
      throw new PlannerInputError('MAP_FORMAT', `map row ${y} is missing or shorter than width ${width}`);
    }
    for (let x = 0; x < width; x++) {
      const ch = line[x]!;
      terrain[y * width + x] = line.charCodeAt(x);
      passable[y * width + x] = free.includes(ch) ? 1 : 0;
    }
  }
  return { width, height, passable, terrain };
}

/** One agent of a MovingAI scenario. Coordinates are x = column, y = row. */
export interface ScenEntry {
  bucket: number;
  mapName: string;
  mapWidth: number;
  mapHeight: number;
  startX: number;
  startY: number;
  goalX: number;
  goalY: number;
  /** Octile (8-connected) optimal length from the file; not the 4-connected MAPF distance. */
  optimalLength: number;
}

/** Parses a MovingAI `.scen` file (`version 1` then tab-separated rows). An instance of k agents uses the first k. */
export function parseScen(text: string): ScenEntry[] {
  const lines = text.split(/\r?\n/);
  const entries: ScenEntry[] = [];
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (first) {
      first = false;
      if (/^version\b/.test(line)) continue;
    }
    const fields = line.split('\t');
    if (fields.length < 9) {
      throw new PlannerInputError('SCEN_FORMAT', `line ${i + 1}: expected 9 tab-separated fields, got ${fields.length}`);
    }
    const ints = [0, 2, 3, 4, 5, 6, 7].map((k) => Number(fields[k]));
    if (ints.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new PlannerInputError('SCEN_FORMAT', `line ${i + 1}: bucket, size and coordinates must be integers`);
    }
    const optimalLength = Number(fields[8]);
    if (!Number.isFinite(optimalLength)) throw new PlannerInputError('SCEN_FORMAT', `line ${i + 1}: bad optimal length`);
    entries.push({
      bucket: ints[0]!,
      mapName: fields[1]!,
      mapWidth: ints[1]!,
      mapHeight: ints[2]!,
      startX: ints[3]!,
      startY: ints[4]!,
      goalX: ints[5]!,
      goalY: ints[6]!,
      optimalLength,
    });
  }
  return entries;
}
