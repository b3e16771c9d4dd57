import type { DispatchAgv, DispatchDecision, DispatchInput, DispatchStrategy, DispatchTask } from './types.ts';

// Dispatch v1: tasks in order of priority, deadline and age each take the nearest suitable idle AGV. AGVs low on
// battery go to the nearest free charger first; leftover idle AGVs go to the nearest free parking spot so they do
// not block stations and aisles.

export interface GreedyOptions {
  /** Below this percentage an idle AGV goes charging and takes no new task. */
  lowBatteryPct?: number;
  /** A charging AGV takes tasks again once above this percentage. */
  resumeBatteryPct?: number;
  /** Tasks whose deadline is within this many ms jump ahead of higher-priority tasks without one. */
  urgentWithinMs?: number;
}

export class GreedyDispatchStrategy implements DispatchStrategy {
  readonly name = 'greedy-nearest';
  private readonly low: number;
  private readonly resume: number;
  private readonly urgentWithinMs: number;

  constructor(options: GreedyOptions = {}) {
    this.low = options.lowBatteryPct ?? 20;
    this.resume = options.resumeBatteryPct ?? 60;
    this.urgentWithinMs = options.urgentWithinMs ?? 60_000;
  }

  decide(input: DispatchInput): DispatchDecision {
    const decision: DispatchDecision = { assignments: [], charge: [], park: [] };
    const available: DispatchAgv[] = [];
    const chargersFree = input.chargers.filter((c) => c.takenBy === undefined);

    for (const agv of input.idleAgvs) {
      if (agv.charging && agv.battery < this.resume) continue;
      if (!agv.charging && agv.battery < this.low) {
        const charger = nearest(chargersFree, (c) => input.distance(agv.node, c.node));
        if (charger) {
          chargersFree.splice(chargersFree.indexOf(charger), 1);
          decision.charge.push({ agvId: agv.id, chargerId: charger.id, node: charger.node });
        }
        continue;
      }
      available.push(agv);
    }

    for (const task of this.order(input.tasks, input.nowMs)) {
      const suitable = available.filter((agv) => this.suits(agv, task));
      const agv = nearest(suitable, (a) => input.distance(a.node, task.pickNode));
      if (!agv) continue;
      if (input.distance(agv.node, task.pickNode) === Infinity || input.distance(task.pickNode, task.dropNode) === Infinity) continue;
      available.splice(available.indexOf(agv), 1);
      decision.assignments.push({ taskId: task.id, agvId: agv.id });
    }

    const parkingFree = input.parking.filter((p) => p.takenBy === undefined).map((p) => p.node);
    for (const agv of available) {
      if (agv.restingAt !== undefined || agv.charging) continue;
      const spot = nearest(parkingFree, (node) => input.distance(agv.node, node));
      if (spot === undefined) continue;
      parkingFree.splice(parkingFree.indexOf(spot), 1);
      decision.park.push({ agvId: agv.id, node: spot });
    }
    return decision;
  }

  private suits(agv: DispatchAgv, task: DispatchTask): boolean {
    if (task.preferredVendor !== undefined && agv.vendor !== task.preferredVendor) return false;
    if (task.requiredType !== undefined && agv.type !== task.requiredType) return false;
    return true;
  }

  private order(tasks: readonly DispatchTask[], nowMs: number): DispatchTask[] {
    const urgent = (t: DispatchTask) => (t.deadline !== undefined && t.deadline - nowMs <= this.urgentWithinMs ? 1 : 0);
    return [...tasks].sort(
      (a, b) =>
        urgent(b) - urgent(a) ||
        b.priority - a.priority ||
        (a.deadline ?? Infinity) - (b.deadline ?? Infinity) ||
        a.createdAt - b.createdAt ||
        (a.id < b.id ? -1 : 1),
    );
  }
}

function nearest<T>(items: readonly T[], cost: (item: T) => number): T | undefined {
  let best: T | undefined;
  let bestCost = Infinity;
  for (const item of items) {
    const c = cost(item);
    if (c < bestCost) {
      best = item;
      bestCost = c;
    }
  }
  return best;
}
