// Wait-for graph: each waiting AGV points at the AGV that blocks it. A cycle means none of its members can move
// until one of them changes plan: a deadlock. Each AGV waits for at most one other, so the graph is functional
// and cycles are found by following pointers with a visited mark, in linear time.

export function findCycles(waitsFor: ReadonlyMap<string, string>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  for (const start of waitsFor.keys()) {
    if (done.has(start)) continue;
    const order: string[] = [];
    const position = new Map<string, number>();
    let current: string | undefined = start;
    while (current !== undefined && !done.has(current) && !position.has(current)) {
      position.set(current, order.length);
      order.push(current);
      current = waitsFor.get(current);
    }
    if (current !== undefined && position.has(current)) cycles.push(order.slice(position.get(current)!));
    for (const id of order) done.add(id);
  }
  return cycles;
}

/** A stable key for a cycle regardless of where it was entered, to tell a persisting deadlock from a new one. */
export function cycleKey(cycle: readonly string[]): string {
  return [...cycle].sort().join('|');
}
