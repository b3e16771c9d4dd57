// Imports a MovingAI `.map` grid as a site map: every passable cell becomes a node, 4-neighbours get bidirectional
// edges. Node ids keep MovingAI's coordinates (x = column, y = row, row 0 at the top) so `.scen` files map directly.

import { MOVINGAI_PASSABLE, parseMovingAiMap } from '../../src/planner/movingai.ts';
import { SiteMapError } from '../../src/rcs/site/errors.ts';
import type { Charger, ParkingSpot, SiteEdge, SiteMap, SiteNode, Station, StationKind } from '../../src/rcs/site/types.ts';
import { loadSiteMap } from '../../src/rcs/site/validate.ts';

export interface CellRef {
  x: number;
  y: number;
  id?: string;
}

export interface MovingAiImportOptions {
  id: string;
  name?: string;
  /** Metres per cell; default 1. */
  cellSize?: number;
  /** m/s on every edge; default 1.5. */
  maxSpeed?: number;
  /** Extra passable characters that mark stations, e.g. { P: 'pick', D: 'drop', S: 'both' }. */
  stationChars?: Record<string, StationKind>;
  /** Passable characters that mark chargers, e.g. 'C'. */
  chargerChars?: string;
  /** Passable characters that mark parking spots, e.g. 'K'. */
  parkingChars?: string;
  /** Cells to mark explicitly, in addition to any marker characters. */
  stations?: (CellRef & { kind: StationKind })[];
  chargers?: CellRef[];
  parking?: CellRef[];
}

export const cellNodeId = (x: number, y: number): string => `x${x}y${y}`;

/** Throws SiteMapError for a malformed file, unknown cells or an invalid result. */
export function importMovingAiMap(text: string, options: MovingAiImportOptions): SiteMap {
  const cell = options.cellSize ?? 1;
  const speed = options.maxSpeed ?? 1.5;
  if (!(cell > 0) || !(speed > 0)) throw new SiteMapError([{ path: 'options', message: 'cellSize and maxSpeed must be positive' }]);
  const stationChars = options.stationChars ?? {};
  const chargerChars = options.chargerChars ?? '';
  const parkingChars = options.parkingChars ?? '';
  const markers = Object.keys(stationChars).join('') + chargerChars + parkingChars;

  let grid;
  try {
    grid = parseMovingAiMap(text, { passable: MOVINGAI_PASSABLE + markers });
  } catch (err) {
    throw new SiteMapError([{ path: 'map', message: err instanceof Error ? err.message : String(err) }]);
  }
  const { width, height, passable, terrain } = grid;
  const free = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && passable[y * width + x] === 1;

  const nodes = new Map<string, SiteNode>();
  const edges: SiteEdge[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!free(x, y)) continue;
      const id = cellNodeId(x, y);
      nodes.set(id, { id, map: options.id, x: x * cell, y: y * cell, kind: 'waypoint' });
      // Each undirected pair once: to the east and to the south.
      for (const [nx, ny] of [
        [x + 1, y],
        [x, y + 1],
      ] as const) {
        if (!free(nx, ny)) continue;
        const to = cellNodeId(nx, ny);
        edges.push({ id: `${id}-${to}`, from: id, to, length: cell, maxSpeed: speed, bidirectional: true });
      }
    }
  }

  const stations: Station[] = [];
  const chargers: Charger[] = [];
  const parking: ParkingSpot[] = [];
  const issues: { path: string; message: string }[] = [];
  const claim = (ref: CellRef, path: string, kind: 'station' | 'charger' | 'parking', fallbackId: string): string | undefined => {
    const node = nodes.get(cellNodeId(ref.x, ref.y));
    if (!node) {
      issues.push({ path, message: `cell (${ref.x}, ${ref.y}) is outside the map or blocked` });
      return undefined;
    }
    if (node.kind !== 'waypoint') {
      issues.push({ path, message: `cell (${ref.x}, ${ref.y}) is already a ${node.kind}` });
      return undefined;
    }
    node.kind = kind;
    const id = ref.id ?? fallbackId;
    if (kind === 'station') node.stationId = id;
    if (kind === 'charger') node.chargerId = id;
    return node.id;
  };

  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ch = String.fromCharCode(terrain[y * width + x]!);
      const at = `map(${x}, ${y})`;
      if (stationChars[ch]) {
        const node = claim({ x, y }, at, 'station', `S-${x}-${y}`);
        if (node) stations.push({ id: `S-${x}-${y}`, node, kind: stationChars[ch] });
      } else if (chargerChars.includes(ch)) {
        const node = claim({ x, y }, at, 'charger', `C-${x}-${y}`);
        if (node) chargers.push({ id: `C-${x}-${y}`, node });
      } else if (parkingChars.includes(ch)) {
        const node = claim({ x, y }, at, 'parking', `P-${x}-${y}`);
        if (node) parking.push({ id: `P-${x}-${y}`, node });
      }
    }
  }
  options.stations?.forEach((s, i) => {
    const id = s.id ?? `S-${s.x}-${s.y}`;
    const node = claim(s, `options.stations[${i}]`, 'station', id);
    if (node) stations.push({ id, node, kind: s.kind });
  });
  options.chargers?.forEach((c, i) => {
    const id = c.id ?? `C-${c.x}-${c.y}`;
    const node = claim(c, `options.chargers[${i}]`, 'charger', id);
    if (node) chargers.push({ id, node });
  });
  options.parking?.forEach((p, i) => {
    const id = p.id ?? `P-${p.x}-${p.y}`;
    const node = claim(p, `options.parking[${i}]`, 'parking', id);
    if (node) parking.push({ id, node });
  });
  if (issues.length > 0) throw new SiteMapError(issues);

  // Round-trip through the validator so an imported map obeys exactly the rules a hand-written one does.
  return loadSiteMap({ id: options.id, name: options.name ?? options.id, nodes: [...nodes.values()], edges, stations, chargers, parking });
}
