import { describe, expect, it } from 'vitest';
import { SwapAwarePibt as Pibt, orderByPriority, updatePriorities, validatePlans } from '../../src/planner/research/index.ts';
import { distancesFor, grid, oneWayRing } from './helpers.ts';

function stepOnce(pibt: Pibt, current: ArrayLike<number>, order: ArrayLike<number>): boolean {
  pibt.begin(current);
  return pibt.run(order);
}

describe('swap-aware PIBT (LaCAM) one step', () => {
  it('moves every agent one step closer on an open grid', () => {
    const { gg, at } = grid(['.....', '.....', '.....']);
    const starts = [at(0, 0), at(0, 2)];
    const goals = [at(4, 0), at(4, 2)];
    const pibt = new Pibt(gg.graph, 2);
    const { perAgent } = distancesFor(gg.graph, goals);
    pibt.setDistances(perAgent);
    expect(stepOnce(pibt, starts, [0, 1])).toBe(true);
    expect([...pibt.next]).toEqual([at(1, 0), at(1, 2)]);
  });

  it('lets a high-priority agent push a lower one out of its way (priority inheritance)', () => {
    const { gg, at } = grid(['.....']);
    // Agent 1 already sits on its goal in the middle of agent 0's route.
    const starts = [at(0, 0), at(1, 0)];
    const goals = [at(4, 0), at(1, 0)];
    const pibt = new Pibt(gg.graph, 2);
    pibt.setDistances(distancesFor(gg.graph, goals).perAgent);
    expect(stepOnce(pibt, starts, [0, 1])).toBe(true);
    expect([...pibt.next]).toEqual([at(1, 0), at(2, 0)]);
  });

  it('backtracks when the pushed agent is stuck: both wait rather than swap', () => {
    const { gg, at } = grid(['..']);
    const starts = [at(0, 0), at(1, 0)];
    const goals = [at(1, 0), at(0, 0)];
    const pibt = new Pibt(gg.graph, 2, { swap: false });
    pibt.setDistances(distancesFor(gg.graph, goals).perAgent);
    expect(stepOnce(pibt, starts, [0, 1])).toBe(true);
    expect([...pibt.next]).toEqual(starts);
  });

  it('honours pins set with reserve() and refuses clashing pins', () => {
    const { gg, at } = grid(['...', '...']);
    const starts = [at(0, 0), at(2, 0)];
    const goals = [at(2, 0), at(0, 0)];
    const pibt = new Pibt(gg.graph, 2);
    pibt.setDistances(distancesFor(gg.graph, goals).perAgent);
    pibt.begin(starts);
    expect(pibt.reserve(1, at(2, 1))).toBe(true);
    expect(pibt.reserve(0, at(2, 1))).toBe(false); // same vertex
    expect(pibt.run([0, 1])).toBe(true);
    expect(pibt.next[1]).toBe(at(2, 1));
    expect(pibt.next[0]).toBe(at(1, 0));
  });

  it('only moves along one-way edges', () => {
    const ring = oneWayRing(5);
    const pibt = new Pibt(ring, 2);
    // Agent 0 at 2 wants 1: it must go the long way round, 2 -> 3.
    pibt.setDistances(distancesFor(ring, [1, 4]).perAgent);
    expect(stepOnce(pibt, [2, 0], [0, 1])).toBe(true);
    expect([...pibt.next]).toEqual([3, 1]);
  });

  it('reaches all goals when stepped repeatedly with rising priorities (open grid)', () => {
    const { gg, at } = grid(['......', '......', '......', '......']);
    const starts = [at(0, 0), at(5, 0), at(0, 3), at(5, 3), at(2, 1), at(3, 2)];
    const goals = [at(5, 3), at(0, 3), at(5, 0), at(0, 0), at(3, 2), at(2, 1)];
    const n = starts.length;
    const { perAgent } = distancesFor(gg.graph, goals);
    const pibt = new Pibt(gg.graph, n, { seed: 3 });
    pibt.setDistances(perAgent);
    const priorities = new Float64Array(n).map((_, i) => perAgent[i]!.get(starts[i]!) / n);
    const order = new Uint32Array(n);
    const paths = starts.map((s) => [s]);
    let current = [...starts];
    for (let t = 0; t < 50 && current.some((v, i) => v !== goals[i]); t++) {
      orderByPriority(priorities, order);
      expect(stepOnce(pibt, current, order)).toBe(true);
      current = [...pibt.next];
      current.forEach((v, i) => paths[i]!.push(v));
      updatePriorities(priorities, (i) => perAgent[i]!.get(current[i]!));
    }
    expect(current).toEqual(goals);
    expect(validatePlans(gg.graph, paths, { starts, goals }).ok).toBe(true);
  });
});
