// Where simulated AGVs start: real bodies do not overlap, so an AGV is never started where its body would reach into
// another's (two discs of half the longest side, as the platform plans them). Candidates are tried in order of
// preference; when none is clear the first free node is taken, so a fleet larger than the clear spots still starts.

export interface StartCandidate {
  id: string;
  x: number;
  y: number;
  map?: string;
}

/** Start node ids, one per body radius in `radii`, from `candidates` in order of preference. */
export function chooseStarts(candidates: readonly StartCandidate[], radii: readonly number[]): string[] {
  const cell = 2 * Math.max(0.01, ...radii);
  const placed = new Map<string, { x: number; y: number; r: number }[]>();
  const key = (map: string | undefined, cx: number, cy: number) => `${map ?? ''}|${cx}|${cy}`;
  const clear = (c: StartCandidate, r: number): boolean => {
    const [cx, cy] = [Math.floor(c.x / cell), Math.floor(c.y / cell)];
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const p of placed.get(key(c.map, cx + dx, cy + dy)) ?? []) if (Math.hypot(p.x - c.x, p.y - c.y) < p.r + r - 1e-9) return false;
      }
    }
    return true;
  };
  const used = new Set<number>();
  let firstFree = 0;
  return radii.map((r) => {
    while (used.has(firstFree)) firstFree++;
    let pick = -1;
    for (let i = firstFree; i < candidates.length; i++) {
      if (!used.has(i) && clear(candidates[i]!, r)) {
        pick = i;
        break;
      }
    }
    if (pick < 0) pick = firstFree;
    const c = candidates[pick];
    if (!c) throw new Error(`map has ${candidates.length} nodes, cannot start ${radii.length} AGVs`);
    used.add(pick);
    const k = key(c.map, Math.floor(c.x / cell), Math.floor(c.y / cell));
    placed.set(k, [...(placed.get(k) ?? []), { x: c.x, y: c.y, r }]);
    return c.id;
  });
}
