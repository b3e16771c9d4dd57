import { DistanceTable, type GoalDistance } from '../distance.ts';
import { checkInstance, type MapfInstance } from './instance.ts';
import { ConfigTable, HighNode, LowNode, hashConfig, type Config } from './lacam-nodes.ts';
import { SwapAwarePibt } from './swap-aware-pibt.ts';
import { Rng } from './random.ts';

export interface LacamOptions {
  /** Wall-clock budget in ms (default 10 000). */
  timeLimitMs?: number;
  /** LaCAM*: keep improving the solution until the time limit or proven optimal (default false: stop at first). */
  anytime?: boolean;
  seed?: number;
  /** Millisecond clock (default performance.now); inject to control time in tests. */
  now?: () => number;
  /** Memory guard: stop after this many explored configurations (default derived from a ~1.5 GB budget). */
  maxNodes?: number;
  /** Reuse cached distance tables across calls on the same graph. */
  distances?: DistanceTable;
  /** Probability of restarting from the initial configuration when a known one is met (LaCAM3 uses 0.001). */
  restartRate?: number;
  /** Anytime mode: stop refining this many ms after the first solution (still bounded by timeLimitMs). */
  refineTimeMs?: number;
  /** Called whenever a (better) solution is found, with its search cost, elapsed ms and a way to read its paths. */
  onSolution?: (cost: number, elapsedMs: number, paths: () => number[][]) => void;
}

export type LacamStatus = 'solved' | 'timeout' | 'unsolvable' | 'node-limit';

export interface LacamStats {
  highLevelNodes: number;
  lowLevelNodes: number;
  iterations: number;
  /** ms from the call to the first solution, or null. */
  firstSolutionMs: number | null;
  elapsedMs: number;
  /** Search cost of the returned solution (sum over agents of steps not spent resting at the goal). */
  searchCost: number | null;
  /** True when LaCAM* exhausted its open list, so the solution is optimal for its cost. */
  provenOptimal: boolean;
}

export interface LacamResult {
  status: LacamStatus;
  /** Per agent, its vertex at t = 0..T (all paths the same length), or null when unsolved. */
  paths: number[][] | null;
  stats: LacamStats;
}

/**
 * LaCAM / LaCAM* (Okumura, AAAI 2023 / IJCAI 2023): a search over joint configurations where each successor
 * comes from PIBT under lazily generated constraints. Complete (finds a solution if one exists, given time);
 * with `anytime` it keeps refining toward optimal sum of costs.
 */
export function solveLacam(instance: MapfInstance, options: LacamOptions = {}): LacamResult {
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  let deadline = startedAt + (options.timeLimitMs ?? 10_000);
  const { graph, starts, goals } = instance;
  const agents = starts.length;
  const table = options.distances ?? new DistanceTable(graph);
  checkInstance(instance, table);

  const dist: GoalDistance[] = [];
  for (let i = 0; i < agents; i++) dist.push(table.forGoal(goals[i]!));
  const makeConfig = (): Config => (graph.vertexCount < 0xffff ? new Uint16Array(agents) : new Uint32Array(agents));
  const makeOrder = (): Uint16Array | Uint32Array => (agents < 0xffff ? new Uint16Array(agents) : new Uint32Array(agents));
  const maxNodes = options.maxNodes ?? Math.max(1000, Math.floor(1.5e9 / (agents * 10 + 200)));
  const restartRate = options.restartRate ?? 0.001;
  const rng = new Rng(options.seed ?? 0);
  const pibt = new SwapAwarePibt(graph, agents, { seed: options.seed ?? 0 });
  pibt.setDistances(dist);

  const heuristic = (c: ArrayLike<number>): number => {
    let h = 0;
    for (let i = 0; i < agents; i++) h += dist[i]!.get(c[i]!);
    return h;
  };
  const edgeCost = (from: Config, to: Config): number => {
    let cost = 0;
    for (let i = 0; i < agents; i++) if (from[i] !== goals[i] || to[i] !== goals[i]) cost++;
    return cost;
  };
  const childPriorities = (parent: HighNode, c: Config): Float32Array => {
    const p = new Float32Array(agents);
    for (let i = 0; i < agents; i++) {
      const q = parent.priorities[i]!;
      p[i] = c[i] !== goals[i] ? q + 1 : q - Math.floor(q);
    }
    return p;
  };
  // Sorting packed numeric keys natively is several times faster than a comparator sort at 1000 agents.
  const sortKeys = new Float64Array(agents);
  const orderOf = (node: HighNode): Uint16Array | Uint32Array => {
    if (node.order) return node.order;
    const order = makeOrder();
    const p = node.priorities;
    if (agents < 0x10000) {
      for (let i = 0; i < agents; i++) sortKeys[i] = priorityBits(p[i]!) * 0x10000 + (0xffff - i);
      sortKeys.sort();
      for (let k = 0; k < agents; k++) order[k] = 0xffff - (sortKeys[agents - 1 - k]! % 0x10000);
    } else {
      const idx = Array.from({ length: agents }, (_, i) => i);
      idx.sort((a, b) => p[b]! - p[a]! || a - b);
      order.set(idx);
    }
    node.order = order;
    return order;
  };

  const explored = new ConfigTable();
  const initConfig = makeConfig();
  for (let i = 0; i < agents; i++) initConfig[i] = starts[i]!;
  const initPriorities = new Float32Array(agents);
  for (let i = 0; i < agents; i++) initPriorities[i] = dist[i]!.get(starts[i]!) / Math.max(1, agents);
  const root = new HighNode(initConfig, hashConfig(initConfig), null, 0, heuristic(initConfig), initPriorities);
  explored.insert(root);
  const open: HighNode[] = [root];
  let goalNode: HighNode | null = null;
  let firstSolutionMs: number | null = null;
  let lowLevelNodes = 1;
  let iterations = 0;
  let status: LacamStatus | null = null;
  const scratch = makeConfig();
  const neighborBuffer: number[] = [];

  // Dijkstra-style update of g over the explored graph after finding a cheaper way into `to` (LaCAM*).
  const rewrite = (from: HighNode, to: HighNode): void => {
    from.addSuccessor(to);
    const queue: HighNode[] = [from];
    for (let head = 0; head < queue.length; head++) {
      const u = queue[head]!;
      for (const w of u.successors) {
        const g = u.g + edgeCost(u.config, w.config);
        if (g < w.g) {
          w.g = g;
          w.f = g + w.h;
          w.parent = u;
          queue.push(w);
          if (w === goalNode) options.onSolution?.(w.g, now() - startedAt, () => extractPaths(w, agents));
          if (goalNode && w.f < goalNode.f) open.push(w);
        }
      }
    }
  };

  while (open.length > 0) {
    if (now() > deadline) {
      status = 'timeout';
      break;
    }
    iterations++;
    const node = open[open.length - 1]!;
    if (!node.hasLowNodes) {
      open.pop();
      continue;
    }
    if (goalNode && node.f >= goalNode.f) {
      open.pop();
      continue;
    }
    if (!goalNode && node.h === 0) {
      goalNode = node;
      firstSolutionMs = now() - startedAt;
      options.onSolution?.(node.g, firstSolutionMs, () => extractPaths(node, agents));
      if (!options.anytime) break;
      if (options.refineTimeMs !== undefined) deadline = Math.min(deadline, startedAt + firstSolutionMs + options.refineTimeMs);
      continue;
    }

    const low = node.popLowNode();
    const order = orderOf(node);
    if (low.depth < agents) {
      const i = order[low.depth]!;
      const v = node.config[i]!;
      neighborBuffer.length = 0;
      for (const u of graph.neighbors(v)) neighborBuffer.push(u);
      neighborBuffer.push(v);
      for (let k = neighborBuffer.length - 1; k > 0; k--) {
        const j = rng.int(k + 1);
        const t = neighborBuffer[k]!;
        neighborBuffer[k] = neighborBuffer[j]!;
        neighborBuffer[j] = t;
      }
      for (const u of neighborBuffer) node.pushLowNode(new LowNode(low, i, u, low.depth + 1));
      lowLevelNodes += neighborBuffer.length;
    }

    // Successor configuration: constrained agents first, PIBT for the rest.
    pibt.begin(node.config);
    let feasible = true;
    for (let c: LowNode | null = low; c && c.depth > 0; c = c.parent) {
      if (!pibt.reserve(c.who, c.where)) {
        feasible = false;
        break;
      }
    }
    if (!feasible || !pibt.run(order)) continue;
    const next = pibt.next;
    for (let i = 0; i < agents; i++) scratch[i] = next[i]!;
    const hash = hashConfig(scratch);
    const known = explored.find(scratch, hash);
    if (known) {
      rewrite(node, known);
      const reinsert = rng.next() >= restartRate ? known : root;
      if (!goalNode || reinsert.f < goalNode.f) open.push(reinsert);
      continue;
    }
    if (explored.size >= maxNodes) {
      status = 'node-limit';
      break;
    }
    const config = scratch.slice() as Config;
    const child = new HighNode(config, hash, node, node.g + edgeCost(node.config, config), heuristic(config), childPriorities(node, config));
    explored.insert(child);
    if (!goalNode || child.f < goalNode.f) open.push(child);
  }

  const finalGoal: HighNode | null = goalNode;
  const solved = finalGoal !== null;
  const provenOptimal = solved && open.length === 0;
  if (solved) status = 'solved';
  else status ??= 'unsolvable';
  return {
    status,
    paths: finalGoal ? extractPaths(finalGoal, agents) : null,
    stats: {
      highLevelNodes: explored.size,
      lowLevelNodes,
      iterations,
      firstSolutionMs,
      elapsedMs: now() - startedAt,
      searchCost: finalGoal ? finalGoal.g : null,
      provenOptimal,
    },
  };
}

const bitsView = new DataView(new ArrayBuffer(4));
/** Order-preserving integer image of a non-negative float32 (priorities are never negative). */
function priorityBits(p: number): number {
  bitsView.setFloat32(0, p);
  return bitsView.getUint32(0);
}

function extractPaths(goal: HighNode, agents: number): number[][] {
  const configs: Config[] = [];
  for (let n: HighNode | null = goal; n; n = n.parent) configs.push(n.config);
  configs.reverse();
  const paths: number[][] = [];
  for (let i = 0; i < agents; i++) paths.push(configs.map((c) => c[i]!));
  return paths;
}
