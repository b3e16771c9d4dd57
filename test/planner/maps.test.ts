import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DistanceTable,
  GraphBuilder,
  LORR_PASSABLE,
  PlannerInputError,
  buildRoadmapGraph,
  gridFromRows,
  gridToGraph,
  parseMovingAiMap,
  parseScen,
} from '../../src/planner/index.ts';
import { MOVINGAI_MAPS, hasMapfData, mapPath, scenPath } from '../../bench/lib/mapf-data.ts';

const SMALL_MAP = ['type octile', 'height 3', 'width 4', 'map', '..@.', '.T..', 'G...'].join('\n');

describe('MovingAI map parser', () => {
  it('reads header and cells, treating only . and G as free', () => {
    const grid = parseMovingAiMap(SMALL_MAP);
    expect(grid.width).toBe(4);
    expect(grid.height).toBe(3);
    expect([...grid.passable]).toEqual([1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1]);
    expect(String.fromCharCode(grid.terrain[1 * 4 + 1]!)).toBe('T');
  });

  it('accepts CRLF line endings and custom passable characters', () => {
    const text = ['type octile', 'height 1', 'width 3', 'map', 'E.S'].join('\r\n');
    expect([...parseMovingAiMap(text).passable]).toEqual([0, 1, 0]);
    expect([...parseMovingAiMap(text, { passable: LORR_PASSABLE }).passable]).toEqual([1, 1, 1]);
  });

  it('rejects malformed maps with a typed error', () => {
    const bad = [
      'height 2\nwidth 2\nmap\n..\n',
      'type octile\nheight x\nwidth 2\nmap\n..\n..',
      'type octile\nheight 2\nwidth 2\n..\n..',
      'type octile\nwidth 2\nmap\n..',
      'type octile\nheight 2\nwidth 3\nmap\n...\n..',
    ];
    for (const text of bad) {
      expect(() => parseMovingAiMap(text)).toThrow(PlannerInputError);
    }
  });
});

describe('scen parser', () => {
  it('reads rows as (x = column, y = row) pairs', () => {
    const text = 'version 1\n2\tempty-32-32.map\t32\t32\t12\t24\t21\t23\t9.41421356\n';
    expect(parseScen(text)).toEqual([
      { bucket: 2, mapName: 'empty-32-32.map', mapWidth: 32, mapHeight: 32, startX: 12, startY: 24, goalX: 21, goalY: 23, optimalLength: 9.41421356 },
    ]);
  });

  it('rejects rows with missing or non-numeric fields', () => {
    expect(() => parseScen('version 1\n2\tm.map\t32\t32\t1\t2\n')).toThrow(PlannerInputError);
    expect(() => parseScen('version 1\n2\tm.map\t32\t32\ta\t2\t3\t4\t5\n')).toThrow(PlannerInputError);
  });
});

describe('grid graph', () => {
  it('numbers free cells row-major and links 4-neighbours in E,S,W,N order', () => {
    const gg = gridToGraph(gridFromRows(['...', '.@.', '...']));
    expect(gg.graph.vertexCount).toBe(8);
    const centerLeft = gg.vertexAt(0, 1);
    expect(gg.vertexAt(1, 1)).toBe(-1);
    expect([...gg.graph.neighbors(gg.vertexAt(0, 0))]).toEqual([gg.vertexAt(1, 0), centerLeft]);
    expect(gg.xOf(centerLeft)).toBe(0);
    expect(gg.yOf(centerLeft)).toBe(1);
    expect(gg.directionNeighbor[centerLeft * 4 + 0]).toBe(-1); // east is the obstacle
    expect(gg.directionNeighbor[centerLeft * 4 + 3]).toBe(gg.vertexAt(0, 0));
    expect(gg.graph.isSymmetric).toBe(true);
    expect(gg.vertexOfCell(2 * 3 + 2)).toBe(gg.vertexAt(2, 2));
  });
});

describe('distance tables', () => {
  it('gives BFS move counts to a goal, lazily and cached', () => {
    const gg = gridToGraph(gridFromRows(['....', '.@@.', '....', '@@@.']));
    const table = new DistanceTable(gg.graph);
    const goal = gg.vertexAt(0, 0);
    expect(table.get(goal, goal)).toBe(0);
    expect(table.get(goal, gg.vertexAt(3, 3))).toBe(6);
    expect(table.get(goal, gg.vertexAt(1, 2))).toBe(3);
    expect(table.forGoal(goal)).toBe(table.forGoal(goal));
  });

  it('follows edge direction: distance is measured along out-edges toward the goal', () => {
    const b = new GraphBuilder();
    const [a, c, d] = [b.addVertex(0, 0), b.addVertex(1, 0), b.addVertex(2, 0)];
    b.addEdge(a, c, { oneWay: true });
    b.addEdge(c, d, { oneWay: true });
    const table = new DistanceTable(b.build());
    expect(table.get(d, a)).toBe(2);
    expect(table.get(a, d)).toBe(Number.POSITIVE_INFINITY);
  });

  it('evicts least recently used goals beyond maxGoals', () => {
    const gg = gridToGraph(gridFromRows(['....']));
    const table = new DistanceTable(gg.graph, { maxGoals: 2 });
    table.forGoal(0);
    table.forGoal(1);
    table.forGoal(0);
    table.forGoal(2);
    expect(table.cachedGoals).toBe(2);
    expect(table.get(3, 0)).toBe(3);
  });
});

describe('roadmap graph builder', () => {
  it('maps site ids to vertices with one-way edges and footprint conflicts', () => {
    const rm = buildRoadmapGraph({
      nodes: [
        { id: 'A', x: 0, y: 0 },
        { id: 'B', x: 3, y: 4, conflictsWith: ['C'] },
        { id: 'C', x: 3, y: 5 },
      ],
      edges: [
        { from: 'A', to: 'B' },
        { from: 'B', to: 'C', oneWay: true, length: 2 },
      ],
    });
    const [a, b, c] = ['A', 'B', 'C'].map((id) => rm.vertexOf(id));
    expect(rm.graph.edgeLength(a!, b!)).toBe(5);
    expect(rm.graph.hasEdge(b!, a!)).toBe(true);
    expect(rm.graph.hasEdge(b!, c!)).toBe(true);
    expect(rm.graph.hasEdge(c!, b!)).toBe(false);
    expect(rm.graph.inConflict(c!, b!)).toBe(true);
    expect(rm.graph.inConflict(a!, c!)).toBe(false);
    expect(rm.graph.isSymmetric).toBe(false);
    expect(rm.vertexOf('nope')).toBe(-1);
  });

  it('rejects unknown nodes, duplicates and bad lengths', () => {
    const nodes = [{ id: 'A', x: 0, y: 0 }, { id: 'B', x: 1, y: 0 }];
    expect(() => buildRoadmapGraph({ nodes, edges: [{ from: 'A', to: 'Z' }] })).toThrow(PlannerInputError);
    expect(() => buildRoadmapGraph({ nodes: [...nodes, { id: 'A', x: 2, y: 2 }], edges: [] })).toThrow(/duplicate/);
    expect(() => buildRoadmapGraph({ nodes, edges: [{ from: 'A', to: 'B', length: -1 }] })).toThrow(PlannerInputError);
    expect(() => buildRoadmapGraph({ nodes, edges: [{ from: 'A', to: 'A' }] })).toThrow(PlannerInputError);
    expect(() => buildRoadmapGraph({ nodes: [{ id: 'A', x: Number.NaN, y: 0 }], edges: [] })).toThrow(PlannerInputError);
    expect(() => buildRoadmapGraph(null as never)).toThrow(PlannerInputError);
  });
});

describe.skipIf(!hasMapfData())('shared MovingAI data', () => {
  it('parses all 10 maps with the documented free-cell counts', () => {
    const expected: Record<string, number> = {
      'warehouse-10-20-10-2-1': 5699, 'random-32-32-20': 819, 'maze-32-32-2': 666, 'empty-32-32': 1024, 'room-64-64-8': 3232,
    };
    for (const name of MOVINGAI_MAPS) {
      const gg = gridToGraph(parseMovingAiMap(readFileSync(mapPath(name), 'utf8')));
      if (expected[name] !== undefined) expect(gg.graph.vertexCount).toBe(expected[name]);
      const scen = parseScen(readFileSync(scenPath(name, 'random', 1), 'utf8'));
      expect(scen.length).toBeGreaterThan(0);
      for (const e of scen.slice(0, 50)) {
        expect(gg.vertexAt(e.startX, e.startY)).toBeGreaterThanOrEqual(0);
        expect(gg.vertexAt(e.goalX, e.goalY)).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
if (!hasMapfData()) console.warn('shared MovingAI data not found: skipping data-backed planner tests');
