// Independent safety checker for traffic control runs. Written apart from the controller and sharing no code with
// it: it only sees node coordinates, body sizes, reported AGV positions and the controller's holdings, and flags
// (1) an AGV on or between nodes it does not hold, (2) a node held twice, (3) held nodes of two AGVs closer than
// their bodies allow, (4) two AGVs physically closer than their bodies allow. Positions on different maps (floors,
// buildings) are in different frames and never compared: the checker keeps each map apart on its own.

export interface CheckedAgv {
  id: string;
  x: number;
  y: number;
  lastNode: string;
  nextNode?: string;
  /** The map the AGV is on (its x / y are in that map's frame); absent on single-map sites. */
  map?: string;
}

export interface BodySize {
  lengthM: number;
  widthM: number;
}

const EPS = 1e-6;
const CELL = 2;
/** Maps are compared apart by shifting each one this far along x (far beyond any site). */
const MAP_APART_M = 10_000_000;

export class SafetyChecker {
  readonly violations: string[] = [];
  checks = 0;
  private readonly at = new Map<string, { x: number; y: number }>();
  private readonly mapSlots = new Map<string, number>();

  constructor(
    nodes: readonly { id: string; x: number; y: number; map?: string }[],
    private readonly sizeOf: (agvId: string) => BodySize,
  ) {
    for (const n of nodes) this.at.set(n.id, { x: n.x + this.shift(n.map), y: n.y });
  }

  private shift(map: string | undefined): number {
    const key = map ?? '';
    let slot = this.mapSlots.get(key);
    if (slot === undefined) this.mapSlots.set(key, (slot = this.mapSlots.size));
    return slot * MAP_APART_M;
  }

  private clearance(a: string, b: string): number {
    const sa = this.sizeOf(a);
    const sb = this.sizeOf(b);
    return (Math.max(sa.lengthM, sa.widthM) + Math.max(sb.lengthM, sb.widthM)) / 2;
  }

  check(nowMs: number, agvs: readonly CheckedAgv[], holdings: ReadonlyMap<string, readonly string[]>): void {
    this.checks++;
    for (const agv of agvs) {
      const held = holdings.get(agv.id) ?? [];
      for (const node of [agv.lastNode, agv.nextNode]) {
        if (node !== undefined && !held.includes(node)) this.flag(`${nowMs} ms: ${agv.id} occupies ${node} without holding it (holds ${held.join(',')})`);
      }
    }
    const owner = new Map<string, string>();
    const heldPoints: { agv: string; node: string; x: number; y: number }[] = [];
    for (const [agv, nodes] of holdings) {
      for (const node of nodes) {
        const other = owner.get(node);
        if (other !== undefined && other !== agv) this.flag(`${nowMs} ms: ${node} held by both ${other} and ${agv}`);
        owner.set(node, agv);
        const p = this.at.get(node)!;
        heldPoints.push({ agv, node, x: p.x, y: p.y });
      }
    }
    this.pairs(heldPoints, (a, b, d) => {
      if (a.agv !== b.agv && d < this.clearance(a.agv, b.agv) - EPS) {
        this.flag(`${nowMs} ms: ${a.agv} holds ${a.node} and ${b.agv} holds ${b.node}, ${d.toFixed(2)} m apart`);
      }
    });
    this.pairs(
      agvs.map((a) => ({ agv: a.id, node: a.lastNode, x: a.x + this.shift(a.map), y: a.y })),
      (a, b, d) => {
        if (d < this.clearance(a.agv, b.agv) - EPS) this.flag(`${nowMs} ms: ${a.agv} and ${b.agv} collide (${d.toFixed(2)} m apart)`);
      },
    );
  }

  private pairs<T extends { x: number; y: number }>(items: T[], visit: (a: T, b: T, distance: number) => void): void {
    const order = new Map<T, number>(items.map((item, i) => [item, i]));
    const grid = new Map<string, T[]>();
    for (const item of items) {
      const key = `${Math.floor(item.x / CELL)},${Math.floor(item.y / CELL)}`;
      const list = grid.get(key);
      if (list) list.push(item);
      else grid.set(key, [item]);
    }
    for (const item of items) {
      const cx = Math.floor(item.x / CELL);
      const cy = Math.floor(item.y / CELL);
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          for (const other of grid.get(`${cx + dx},${cy + dy}`) ?? []) {
            // Visit each unordered pair once.
            if (order.get(other)! <= order.get(item)!) continue;
            visit(item, other, Math.hypot(item.x - other.x, item.y - other.y));
          }
        }
      }
    }
  }

  private flag(message: string): void {
    if (this.violations.length < 50) this.violations.push(message);
  }
}
