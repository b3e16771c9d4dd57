// The fleet benchmark's site: every AGV owns a pair of nodes 0.3 m apart (it shuttles between them), pairs sit
// 1.5 m apart in rows 1.5 m apart, and every node is linked to its row and column neighbours, so central traffic
// control plans on a connected grid of 2 nodes per AGV. No AGV's shortest route ever enters another's pair, so a
// shuttle request is granted at the planner's next round and the load does not depend on who happens to be in the way.
// The hop is short so that even the slowest simulated vendor (1.0 m/s, 0.4 m/s²) finishes it in under 2 s.
import type { SiteMap } from '../../src/rcs/site/types.ts';
import { singleMapLevels } from '../../src/rcs/site/single-map.ts';

const PAIR_GAP_M = 0.3;
const PITCH_M = 1.5;

export interface PairGrid {
  site: SiteMap;
  /** The node each AGV starts on (one per pair, in pair order). */
  startNodes: string[];
  /** Node → the other node of its pair. */
  partner: ReadonlyMap<string, string>;
  /** Node id → position, for building motion orders. */
  byId: ReadonlyMap<string, { x: number; y: number }>;
}

export function pairGrid(agvs: number): PairGrid {
  const pairsPerRow = Math.max(1, Math.ceil(Math.sqrt(agvs / 2)));
  const rows = Math.max(1, Math.ceil(agvs / pairsPerRow));
  const nodes: SiteMap['nodes'] = [];
  const edges: SiteMap['edges'] = [];
  const startNodes: string[] = [];
  const partner = new Map<string, string>();
  const id = (col: number, row: number) => `p${col}_${row}`;
  const lane = (eid: string, from: string, to: string, length: number) => edges.push({ id: eid, from, to, length, maxSpeed: 1.5, bidirectional: true });
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < pairsPerRow * 2; col++) {
      const x = Math.floor(col / 2) * PITCH_M + (col % 2) * PAIR_GAP_M;
      nodes.push({ id: id(col, row), map: 'bench-pairs', x, y: row * PITCH_M, kind: 'waypoint' });
      if (col > 0) lane(`h${col}_${row}`, id(col - 1, row), id(col, row), col % 2 === 1 ? PAIR_GAP_M : PITCH_M - PAIR_GAP_M);
      if (row > 0) lane(`v${col}_${row}`, id(col, row - 1), id(col, row), PITCH_M);
      if (col % 2 === 1) {
        partner.set(id(col - 1, row), id(col, row));
        partner.set(id(col, row), id(col - 1, row));
        startNodes.push(id(col - 1, row));
      }
    }
  }
  nodes[0]!.kind = 'station';
  nodes[2]!.kind = 'station';
  nodes[0]!.stationId = 'S1';
  nodes[2]!.stationId = 'S2';
  // No parking spots: the coordinator would otherwise send idle AGVs back after every hop.
  const site: SiteMap = {
    id: 'bench-pairs',
    name: `bench pair grid ${pairsPerRow}x${rows} pairs`,
    ...singleMapLevels('bench-pairs', `bench pair grid ${pairsPerRow}x${rows} pairs`),
    nodes,
    edges,
    stations: [
      { id: 'S1', node: nodes[0]!.id, kind: 'pick' },
      { id: 'S2', node: nodes[2]!.id, kind: 'drop' },
    ],
    chargers: [],
    parking: [],
  };
  return { site, startNodes, partner, byId: new Map(nodes.map((n) => [n.id, { x: n.x, y: n.y }])) };
}
