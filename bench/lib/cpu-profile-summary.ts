// Reads a V8 .cpuprofile (node --cpu-prof, or inspector Profiler.stop) and sums sample time per function: self
// time (samples whose top frame is the function) and total time (samples with the function anywhere on the stack,
// counted once per sample). Used by the fleet benchmark's --profile mode to say where the RCS's time goes.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface FunctionTime {
  function: string;
  /** file:line, relative to the repository when inside it. */
  where: string;
  self_ms: number;
  total_ms: number;
  self_pct: number;
}

function label(node: ProfileNode, root: string): { key: string; fn: string; where: string } {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(root, '');
  const fn = functionName || (file ? '(anonymous)' : '(program)');
  const where = file ? `${file}:${lineNumber + 1}` : '';
  return { key: `${fn}@${where}`, fn, where };
}

/** The `top` functions by self time. `root` (a path prefix) is cut from file names. */
export function summarizeProfile(profile: CpuProfile, top: number, root = ''): FunctionTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const names = new Map<string, { fn: string; where: string }>();
  let all = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // Each sample's duration is the delta to the next one (the last sample gets the mean).
    const us = profile.timeDeltas[i + 1] ?? (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
    all += us;
    const seen = new Set<string>();
    let id: number | undefined = profile.samples[i];
    let first = true;
    while (id !== undefined) {
      const node = byId.get(id);
      if (!node) break;
      const { key, fn, where } = label(node, root);
      names.set(key, { fn, where });
      if (first) self.set(key, (self.get(key) ?? 0) + us);
      first = false;
      if (!seen.has(key)) total.set(key, (total.get(key) ?? 0) + us);
      seen.add(key);
      id = parent.get(id);
    }
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => ({
      function: names.get(key)!.fn,
      where: names.get(key)!.where,
      self_ms: Math.round(us / 100) / 10,
      total_ms: Math.round((total.get(key) ?? 0) / 100) / 10,
      self_pct: Math.round((us / Math.max(1, all)) * 1000) / 10,
    }));
}
