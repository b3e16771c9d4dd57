import type { RoadEdgeInput, RoadNodeInput } from '../../src/rcs/traffic/index.ts';

/** A width × height grid of nodes "x,y" 1 m apart with two-way edges, for traffic tests. */
export function gridSite(width: number, height: number): { nodes: RoadNodeInput[]; edges: RoadEdgeInput[] } {
  const nodes: RoadNodeInput[] = [];
  const edges: RoadEdgeInput[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      nodes.push({ id: `${x},${y}`, x, y });
      if (x + 1 < width) edges.push({ from: `${x},${y}`, to: `${x + 1},${y}`, bidirectional: true });
      if (y + 1 < height) edges.push({ from: `${x},${y}`, to: `${x},${y + 1}`, bidirectional: true });
    }
  }
  return { nodes, edges };
}
