// Independent checker of the lift and door rules, written apart from the scheduler and LiftRides: it sees only the
// site, each AGV's map and nodes, and the equipment's own states, and flags an AGV that
// (1) drives into or out of a cabin that is not standing open and idle at its floor,
// (2) stands on a cabin node while the cabin is elsewhere without having entered it at its floor (in the shaft),
// (3) rides a cabin with more AGVs than the lift's capacity allows,
// (4) drives through a door that does not report open;
// and a lift that moves with its doors not closed.

export interface RuleAgv {
  id: string;
  map: string;
  lastNode: string;
  nextNode?: string;
}

interface LiftSnapshot {
  liftId: string;
  floor: string;
  door: string;
  motion: string;
}

interface DoorSnapshot {
  doorId: string;
  position: string;
}

export interface RuleSite {
  lifts: readonly { id: string; stops: readonly { map: string; node: string }[]; capacity: readonly { count: number }[] }[];
  doors: readonly { id: string; edge: string }[];
  edges: readonly { id: string; from: string; to: string }[];
}

export class LiftRuleChecker {
  readonly violations: string[] = [];
  checks = 0;
  private readonly cabin = new Map<string, { lift: string; map: string }>();
  private readonly doorBetween = new Map<string, string>();
  private readonly inside = new Map<string, Set<string>>();
  private readonly maxLoad = new Map<string, number>();

  constructor(site: RuleSite) {
    for (const lift of site.lifts) {
      for (const stop of lift.stops) this.cabin.set(stop.node, { lift: lift.id, map: stop.map });
      this.inside.set(lift.id, new Set());
      this.maxLoad.set(lift.id, Math.max(...lift.capacity.map((c) => c.count)));
    }
    const edges = new Map(site.edges.map((e) => [e.id, e]));
    for (const door of site.doors) {
      const e = edges.get(door.edge)!;
      this.doorBetween.set(`${e.from}|${e.to}`, door.id);
      this.doorBetween.set(`${e.to}|${e.from}`, door.id);
    }
  }

  check(nowMs: number, agvs: readonly RuleAgv[], lifts: readonly LiftSnapshot[], doors: readonly DoorSnapshot[]): void {
    this.checks++;
    const liftState = new Map(lifts.map((l) => [l.liftId, l]));
    const doorState = new Map(doors.map((d) => [d.doorId, d]));
    for (const l of lifts) if (l.motion !== 'idle' && l.door !== 'closed') this.flag(`${nowMs} ms: lift ${l.liftId} moves with doors ${l.door}`);
    for (const agv of agvs) {
      const standsIn = this.cabin.get(agv.lastNode);
      const movesTo = agv.nextNode !== undefined ? this.cabin.get(agv.nextNode) : undefined;
      for (const c of [standsIn, movesTo]) {
        if (!c || agv.nextNode === undefined) continue;
        const s = liftState.get(c.lift)!;
        if (s.floor !== c.map || s.door !== 'open' || s.motion !== 'idle') this.flag(`${nowMs} ms: ${agv.id} drives ${agv.lastNode} → ${agv.nextNode} while lift ${c.lift} is at ${s.floor}, doors ${s.door}, ${s.motion}`);
      }
      for (const [lift, set] of this.inside) if (set.has(agv.id) && standsIn?.lift !== lift) set.delete(agv.id);
      if (standsIn) {
        const s = liftState.get(standsIn.lift)!;
        const set = this.inside.get(standsIn.lift)!;
        if (s.floor === standsIn.map && s.door === 'open') set.add(agv.id);
        else if (!set.has(agv.id) && agv.nextNode === undefined) this.flag(`${nowMs} ms: ${agv.id} stands on ${agv.lastNode} but lift ${standsIn.lift} is at ${s.floor} (doors ${s.door})`);
      }
      if (agv.nextNode !== undefined) {
        const door = this.doorBetween.get(`${agv.lastNode}|${agv.nextNode}`);
        if (door !== undefined && doorState.get(door)?.position !== 'open') this.flag(`${nowMs} ms: ${agv.id} drives through door ${door} while it is ${doorState.get(door)?.position}`);
      }
    }
    for (const [lift, set] of this.inside) if (set.size > this.maxLoad.get(lift)!) this.flag(`${nowMs} ms: lift ${lift} carries ${[...set].join(', ')}, more than ${this.maxLoad.get(lift)}`);
  }

  private flag(message: string): void {
    if (this.violations.length < 50) this.violations.push(message);
  }
}
