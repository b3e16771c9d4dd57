import type { Graph } from './graph.ts';

/**
 * Strongly connected components of a directed graph (iterative Tarjan, O(V + E)): two vertices with the same
 * component number reach each other. Lets "can the goal be reached from here?" be answered without a distance
 * table per goal; a pair in different components may still be connected one way and needs a search.
 */
export function stronglyConnectedComponents(graph: Graph): Int32Array {
  const n = graph.vertexCount;
  const { outStart, outTarget } = graph;
  const component = new Int32Array(n).fill(-1);
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  // Per DFS frame: the vertex and the next out-edge to look at.
  const frameVertex = new Int32Array(n);
  const frameEdge = new Uint32Array(n);
  let stackTop = 0;
  let counter = 0;
  let components = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    frameVertex[0] = root;
    frameEdge[0] = outStart[root]!;
    index[root] = low[root] = counter++;
    stack[stackTop++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = frameVertex[depth]!;
      const e = frameEdge[depth]!;
      if (e < outStart[v + 1]!) {
        frameEdge[depth] = e + 1;
        const w = outTarget[e]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[stackTop++] = w;
          onStack[w] = 1;
          depth++;
          frameVertex[depth] = w;
          frameEdge[depth] = outStart[w]!;
        } else if (onStack[w] === 1 && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
        continue;
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--stackTop]!;
          onStack[w] = 0;
          component[w] = components;
        } while (w !== v);
        components++;
      }
      depth--;
      if (depth >= 0) {
        const parent = frameVertex[depth]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return component;
}
