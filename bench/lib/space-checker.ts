import { segmentAreaDistance, type Pt } from '../../src/core/index.ts';

// Independent checker for the space benchmark. It sees only where each AGV's body is (centre and radius, taken
// from the simulated bodies, on the graph or off it) and the outlines of space granted to AGVs, and flags
// (1) two bodies overlapping and (2) a body reaching into space granted to another AGV. Shares no code with
// traffic control or the grant decisions; the geometry is plain distances.

export interface Body {
  id: string;
  x: number;
  y: number;
  r: number;
}

export interface GrantedSpace {
  agvId: string;
  polygon: readonly Pt[];
}

const EPS = 1e-6;

export class SpaceChecker {
  readonly violations: string[] = [];
  checks = 0;
  /** Pairs already reported and still in contact: one violation per contact, not per step. */
  private readonly open = new Set<string>();

  check(nowMs: number, bodies: readonly Body[], spaces: readonly GrantedSpace[]): void {
    this.checks++;
    const seen = new Set<string>();
    for (let i = 0; i < bodies.length; i++) {
      const a = bodies[i]!;
      for (let j = i + 1; j < bodies.length; j++) {
        const b = bodies[j]!;
        if (Math.hypot(a.x - b.x, a.y - b.y) < a.r + b.r - EPS) this.flag(seen, `${a.id}~${b.id}`, `${nowMs} ms: ${a.id} and ${b.id} overlap`);
      }
      for (const s of spaces) {
        if (s.agvId === a.id) continue;
        const p = { x: a.x, y: a.y };
        if (segmentAreaDistance(p, p, { polygon: s.polygon, capsules: [] }) < a.r - EPS) this.flag(seen, `${a.id}>${s.agvId}`, `${nowMs} ms: ${a.id} reaches into space granted to ${s.agvId}`);
      }
    }
    for (const key of [...this.open]) if (!seen.has(key)) this.open.delete(key);
  }

  private flag(seen: Set<string>, key: string, message: string): void {
    seen.add(key);
    if (this.open.has(key)) return;
    this.open.add(key);
    this.violations.push(message);
  }
}
