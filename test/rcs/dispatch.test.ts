import { describe, expect, it } from 'vitest';
import { GreedyDispatchStrategy } from '../../src/rcs/dispatch/greedy-strategy.ts';
import type { DispatchAgv, DispatchInput, DispatchTask } from '../../src/rcs/dispatch/types.ts';

// Nodes on a line: distance is |a - b| where node "nK" sits at K metres.
const distance = (a: string, b: string) => Math.abs(Number(a.slice(1)) - Number(b.slice(1)));

function agv(id: string, node: string, extra: Partial<DispatchAgv> = {}): DispatchAgv {
  return { id, node, battery: 80, vendor: 'Hexa', type: 'latent-lifting', charging: false, ...extra };
}

function task(id: string, pickNode: string, extra: Partial<DispatchTask> = {}): DispatchTask {
  return { id, pickNode, dropNode: 'n50', priority: 5, createdAt: 0, ...extra };
}

function input(partial: Partial<DispatchInput>): DispatchInput {
  return { nowMs: 0, tasks: [], idleAgvs: [], chargers: [], parking: [], distance, ...partial };
}

describe('GreedyDispatchStrategy', () => {
  const strategy = new GreedyDispatchStrategy({ lowBatteryPct: 20, resumeBatteryPct: 60 });

  it('gives the most urgent task the nearest AGV', () => {
    const decision = strategy.decide(
      input({
        tasks: [task('low', 'n10', { priority: 1 }), task('high', 'n10', { priority: 9 })],
        idleAgvs: [agv('far', 'n40'), agv('near', 'n12')],
      }),
    );
    expect(decision.assignments).toEqual([
      { taskId: 'high', agvId: 'near' },
      { taskId: 'low', agvId: 'far' },
    ]);
  });

  it('orders equal priorities by deadline then age, and lets a near deadline jump the queue', () => {
    const decision = strategy.decide(
      input({
        nowMs: 1_000_000,
        tasks: [task('old', 'n1', { createdAt: 1 }), task('due', 'n1', { deadline: 1_030_000, priority: 1 }), task('young', 'n1', { createdAt: 5 })],
        idleAgvs: [agv('a', 'n1')],
      }),
    );
    expect(decision.assignments).toEqual([{ taskId: 'due', agvId: 'a' }]);
  });

  it('respects vendor and type requirements', () => {
    const decision = strategy.decide(
      input({
        tasks: [task('fork-job', 'n5', { requiredType: 'forklift' }), task('nordlift-job', 'n5', { preferredVendor: 'Nordlift' })],
        idleAgvs: [agv('hx', 'n5'), agv('nl', 'n30', { vendor: 'Nordlift', type: 'forklift' })],
      }),
    );
    expect(decision.assignments).toEqual([{ taskId: 'fork-job', agvId: 'nl' }]);
  });

  it('sends low-battery AGVs to the nearest free charger and keeps charging ones until resumed', () => {
    const decision = strategy.decide(
      input({
        tasks: [task('t', 'n0')],
        idleAgvs: [agv('flat', 'n0', { battery: 10 }), agv('charging', 'n20', { battery: 40, charging: true }), agv('full', 'n30', { battery: 70, charging: true })],
        chargers: [
          { id: 'c-busy', node: 'n1', takenBy: 'someone' },
          { id: 'c-far', node: 'n9' },
          { id: 'c-near', node: 'n3' },
        ],
      }),
    );
    expect(decision.charge).toEqual([{ agvId: 'flat', chargerId: 'c-near', node: 'n3' }]);
    expect(decision.assignments).toEqual([{ taskId: 't', agvId: 'full' }]);
  });

  it('parks leftover idle AGVs on distinct free spots', () => {
    const decision = strategy.decide(
      input({
        idleAgvs: [agv('a', 'n10'), agv('b', 'n11'), agv('resting', 'n2', { restingAt: 'n2' })],
        parking: [{ node: 'n2', takenBy: 'resting' }, { node: 'n9' }, { node: 'n15' }],
      }),
    );
    expect(decision.park).toEqual([
      { agvId: 'a', node: 'n9' },
      { agvId: 'b', node: 'n15' },
    ]);
  });
});
