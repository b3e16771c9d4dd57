import { GoalDistance, type Graph } from '../../../planner/index.ts';

// Moves-to-goal tables that treat some nodes as walls: AGVs that cannot be pushed (offline, stalled, busy at
// their goal) are obstacles the others plan around. The planner's own tables ignore obstacles; these are lazy
// backward searches (the planner's GoalDistance with walls), built only as far as queries reach, only for goals in
// use.
//
// The set of walls changes nearly every planning round on a busy site (an AGV arriving at its goal becomes one, one
// leaving stops being one). Dropping every table on each change made planning cost grow with goals × map size; so a
// table is kept across a change whenever its search has not yet seen the changed nodes: a new wall it has not
// reached, or a wall that opens next to nothing it has reached. Such a table goes on exactly as if the new walls
// had been there from the start, so distances (and decisions) are the same as with a table built afresh.

/** Tables not asked for during this many changes of the walls are dropped (memory: one array per goal). */
const IDLE_CHANGES = 20;
/** At most this many tables per body size; the least recently used go first. */
const MAX_TABLES = 4096;
/**
 * Dropped tables kept for reuse (their arrays), at most. A restart costs only what the table had reached, so on a
 * fleet with more goals than MAX_TABLES (one per AGV) reuse beats allocating: a new table is a vertex-sized array.
 */
const MAX_SPARE = 1024;
const ADDED = 1;
const OPENED = 2;

interface Entry {
  distance: GoalDistance;
  /** The wall generation in which the table was last asked for. */
  usedIn: number;
}

export class DetourDistances {
  private readonly tables = new Map<number, Entry>();
  /** Shared with every table's search; changed in place only as Walls (planner/distance.ts) allows. */
  private readonly walls: { blocked: Uint8Array; closed: Set<number> };
  private readonly wanted: Uint8Array;
  /** Per vertex, during setObstacles: ADDED or OPENED when it changed. */
  private readonly change: Uint8Array;
  /** Dropped tables, their arrays reused for the next goals. */
  private readonly spare: GoalDistance[] = [];
  private closedSignature = '';
  private generation = 0;

  constructor(private readonly graph: Graph) {
    this.walls = { blocked: new Uint8Array(graph.vertexCount), closed: new Set() };
    this.wanted = new Uint8Array(graph.vertexCount);
    this.change = new Uint8Array(graph.vertexCount);
  }

  /** Sets the obstacle nodes and closed edges; keeps the tables the change cannot affect. */
  setObstacles(nodes: readonly number[], closedEdges: readonly number[] = []): void {
    const closedSignature = [...closedEdges].sort((a, b) => a - b).join(',');
    if (closedSignature !== this.closedSignature) {
      // Blocks change rarely: start over.
      this.closedSignature = closedSignature;
      this.walls.closed = new Set(closedEdges);
      for (const goal of [...this.tables.keys()]) this.drop(goal);
    }
    const { blocked } = this.walls;
    const wanted = this.wanted;
    wanted.fill(0);
    for (const v of nodes) wanted[v] = 1;
    const added: number[] = [];
    const opened: number[] = [];
    for (let v = 0; v < wanted.length; v++) {
      if (wanted[v] === blocked[v]) continue;
      (wanted[v] === 1 ? added : opened).push(v);
    }
    for (const v of added) this.change[v] = ADDED;
    for (const v of opened) this.change[v] = OPENED;
    this.generation++;
    for (const [goal, entry] of this.tables) {
      if (this.generation - entry.usedIn > IDLE_CHANGES || !this.survives(entry.distance, added, opened)) this.drop(goal);
    }
    for (const v of added) {
      blocked[v] = 1;
      this.change[v] = 0;
    }
    for (const v of opened) {
      blocked[v] = 0;
      this.change[v] = 0;
    }
  }

  /** Moves from every node to goal avoiding obstacles (the goal itself is always allowed); Infinity if cut off. */
  table(goal: number): GoalDistance {
    let entry = this.tables.get(goal);
    if (entry) {
      // Most recently used last, for eviction.
      this.tables.delete(goal);
    } else {
      if (this.tables.size >= MAX_TABLES) this.drop(this.tables.keys().next().value!);
      const reused = this.spare.pop();
      reused?.restart(goal);
      entry = { distance: reused ?? new GoalDistance(this.graph, goal, this.walls), usedIn: this.generation };
    }
    entry.usedIn = this.generation;
    this.tables.set(goal, entry);
    return entry.distance;
  }

  private drop(goal: number): void {
    const entry = this.tables.get(goal);
    if (!entry) return;
    this.tables.delete(goal);
    if (this.spare.length < MAX_SPARE) this.spare.push(entry.distance);
  }

  isObstacle(v: number): boolean {
    return this.walls.blocked[v] === 1;
  }

  /** Whether the table's search so far is unaffected by walls added at `added` and removed at `opened`. */
  private survives(distance: GoalDistance, added: readonly number[], opened: readonly number[]): boolean {
    // Whichever is shorter: the search's reach so far (most are a few nodes around the goal), or the changes.
    // (Index loops rather than the graph's neighbour views: this runs for every table on every change.)
    const { inStart, inSource, outStart, outTarget } = this.graph;
    const reached = distance.reachedSoFar();
    if (reached !== undefined && reached.length < added.length + opened.length) {
      for (const v of reached) {
        if (this.change[v] === ADDED) return false;
        for (let i = inStart[v]!; i < inStart[v + 1]!; i++) if (this.change[inSource[i]!] === OPENED) return false;
      }
      return true;
    }
    for (const v of added) if (distance.reached(v)) return false;
    for (const v of opened) for (let i = outStart[v]!; i < outStart[v + 1]!; i++) if (distance.reached(outTarget[i]!)) return false;
    return true;
  }
}
