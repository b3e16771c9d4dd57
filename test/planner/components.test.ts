import { describe, expect, it } from 'vitest';
import { DistanceTable, GraphBuilder, stronglyConnectedComponents } from '../../src/planner/index.ts';
import { seededRandom } from '../../src/core/random.ts';

describe('stronglyConnectedComponents', () => {
  it('puts a cycle in one component and a one-way spur in components of its own', () => {
    // 0 -> 1 -> 2 -> 0 is a cycle; 2 -> 3 -> 4 leads out of it and never back.
    const b = new GraphBuilder();
    for (let i = 0; i < 5; i++) b.addVertex(i, 0);
    b.addEdge(0, 1, { oneWay: true });
    b.addEdge(1, 2, { oneWay: true });
    b.addEdge(2, 0, { oneWay: true });
    b.addEdge(2, 3, { oneWay: true });
    b.addEdge(3, 4, { oneWay: true });
    const c = stronglyConnectedComponents(b.build());
    expect(c[0]).toBe(c[1]);
    expect(c[1]).toBe(c[2]);
    expect(new Set([c[2], c[3], c[4]]).size).toBe(3);
  });

  it('agrees with a search on random directed graphs: same component exactly when each reaches the other', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 20; trial++) {
      const b = new GraphBuilder();
      const n = 30;
      for (let i = 0; i < n; i++) b.addVertex(i, 0);
      for (let e = 0; e < 45; e++) {
        const from = Math.floor(random() * n);
        const to = Math.floor(random() * n);
        if (from !== to) b.addEdge(from, to, { oneWay: true, length: 1 });
      }
      const graph = b.build();
      const c = stronglyConnectedComponents(graph);
      const d = new DistanceTable(graph);
      for (let u = 0; u < n; u++) {
        for (let v = 0; v < n; v++) {
          const both = Number.isFinite(d.get(v, u)) && Number.isFinite(d.get(u, v));
          expect(c[u] === c[v]).toBe(both);
        }
      }
    }
  });
});
