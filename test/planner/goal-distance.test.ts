import { describe, expect, it } from 'vitest';
import { GoalDistance, GraphBuilder } from '../../src/planner/index.ts';

/** A 12 x 12 grid, 4-connected. */
function grid(): ReturnType<GraphBuilder['build']> {
  const b = new GraphBuilder();
  for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) b.addVertex(x, y);
  for (let y = 0; y < 12; y++) {
    for (let x = 0; x < 12; x++) {
      if (x > 0) b.addEdge(y * 12 + x - 1, y * 12 + x);
      if (y > 0) b.addEdge((y - 1) * 12 + x, y * 12 + x);
    }
  }
  return b.build();
}

describe('GoalDistance.restart', () => {
  it('answers like a fresh table after a partial search, a complete one, and with walls', () => {
    const graph = grid();
    const blocked = new Uint8Array(graph.vertexCount);
    for (let y = 0; y < 10; y++) blocked[y * 12 + 6] = 1;
    for (const walls of [undefined, { blocked }]) {
      const same = (table: GoalDistance, goal: number) => {
        const fresh = new GoalDistance(graph, goal, walls);
        for (let v = 0; v < graph.vertexCount; v++) expect(table.get(v), `goal ${goal}, vertex ${v}`).toBe(fresh.get(v));
      };
      const reused = new GoalDistance(graph, 0, walls);
      reused.get(1); // a partial search
      reused.restart(143);
      same(reused, 143); // restarted from a partial search; now complete
      reused.restart(77); // restarted from a complete search
      same(reused, 77);
      reused.restart(30);
      reused.get(31); // partial again
      reused.restart(5);
      same(reused, 5);
    }
  });
});
