import { Graph } from './graph.ts';
import { PlannerInputError } from './errors.ts';

/** A rectangular occupancy grid. Cell (x, y) is index y * width + x; (0, 0) is the upper-left cell. */
export interface GridMap {
  readonly width: number;
  readonly height: number;
  /** 1 where an agent may stand, 0 where blocked. */
  readonly passable: Uint8Array;
  /** The map character of each cell (char code), kept so callers can find special cells such as LoRR 'E'/'S'. */
  readonly terrain: Uint8Array;
}

/** Grid directions, in the LoRR orientation order: 0 east, 1 south, 2 west, 3 north. */
export const DIRECTION_DX = [1, 0, -1, 0] as const;
export const DIRECTION_DY = [0, 1, 0, -1] as const;

/**
 * A 4-connected grid as a Graph plus the cell↔vertex mapping. Only passable cells become vertices, numbered in
 * row-major order. Each vertex's out-edges are listed in direction order E, S, W, N (skipping blocked ones).
 */
export class GridGraph {
  readonly graph: Graph;
  readonly width: number;
  readonly height: number;
  /** Vertex of each cell, or -1 for a blocked cell. */
  readonly cellToVertex: Int32Array;
  /** Cell index (y * width + x) of each vertex. */
  readonly vertexToCell: Uint32Array;
  /** Neighbour of v in direction d is directionNeighbor[v * 4 + d], or -1 when blocked or off the map. */
  readonly directionNeighbor: Int32Array;

  constructor(grid: GridMap) {
    const { width, height, passable } = grid;
    this.width = width;
    this.height = height;
    this.cellToVertex = new Int32Array(width * height).fill(-1);
    let count = 0;
    for (let c = 0; c < width * height; c++) if (passable[c]) this.cellToVertex[c] = count++;
    this.vertexToCell = new Uint32Array(count);
    for (let c = 0; c < width * height; c++) if (passable[c]) this.vertexToCell[this.cellToVertex[c]!] = c;

    this.directionNeighbor = new Int32Array(count * 4).fill(-1);
    const outStart = new Uint32Array(count + 1);
    const targets: number[] = [];
    const xs = new Float64Array(count);
    const ys = new Float64Array(count);
    for (let v = 0; v < count; v++) {
      const cell = this.vertexToCell[v]!;
      const x = cell % width;
      const y = (cell - x) / width;
      xs[v] = x;
      ys[v] = y;
      for (let d = 0; d < 4; d++) {
        const u = this.vertexAt(x + DIRECTION_DX[d]!, y + DIRECTION_DY[d]!);
        if (u < 0) continue;
        this.directionNeighbor[v * 4 + d] = u;
        targets.push(u);
      }
      outStart[v + 1] = targets.length;
    }
    const outTarget = Uint32Array.from(targets);
    // A 4-connected grid is symmetric, so in-edges equal out-edges.
    this.graph = new Graph({
      outStart,
      outTarget,
      outLength: new Float64Array(outTarget.length).fill(1),
      inStart: outStart,
      inSource: outTarget,
      xs,
      ys,
      conflictStart: new Uint32Array(count + 1),
      conflictTarget: new Uint32Array(0),
    });
  }

  /** Vertex at (x, y), or -1 when the cell is blocked or outside the grid. */
  vertexAt(x: number, y: number): number {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return -1;
    return this.cellToVertex[y * this.width + x]!;
  }

  /** Vertex of a linearised cell index (row * width + col, as in LoRR files), or -1. */
  vertexOfCell(cell: number): number {
    if (!Number.isInteger(cell) || cell < 0 || cell >= this.width * this.height) return -1;
    return this.cellToVertex[cell]!;
  }

  xOf(v: number): number {
    return this.vertexToCell[v]! % this.width;
  }

  yOf(v: number): number {
    return Math.floor(this.vertexToCell[v]! / this.width);
  }
}

export function gridToGraph(grid: GridMap): GridGraph {
  return new GridGraph(grid);
}

/** Builds a GridMap from rows of text, handy for tests and hand-made maps. Characters in `free` are passable. */
export function gridFromRows(rows: readonly string[], free = '.'): GridMap {
  const height = rows.length;
  const width = height > 0 ? rows[0]!.length : 0;
  const passable = new Uint8Array(width * height);
  const terrain = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    if (row.length !== width) {
      throw new PlannerInputError('MAP_FORMAT', `row ${y} has ${row.length} cells, expected ${width}`);
    }
    for (let x = 0; x < width; x++) {
      terrain[y * width + x] = row.charCodeAt(x);
      passable[y * width + x] = free.includes(row[x]!) ? 1 : 0;
    }
  });
  return { width, height, passable, terrain };
}
