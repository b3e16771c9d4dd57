import { describe, expect, it } from 'vitest';
import { DiscBodies, NearbyNodes, Pibt, type Graph, type MoveRank } from '../../src/planner/index.ts';
import { distancesFor, grid } from './helpers.ts';

// The PIBT core that central traffic plans with: point agents, and discs of each agent's own size.

/** Rank = distance to the agent's goal (ties cannot decide these cases: every test has one best move). */
function towards(graph: Graph, goals: number[]): MoveRank {
  const { perAgent } = distancesFor(graph, goals);
  return (agent, _from, to) => perAgent[agent]!.get(to);
}

/** Nodes one metre apart in a row; nearby reach 2 m covers discs up to 1 m radius. */
function row(cells: number) {
  const { gg, at } = grid(['.'.repeat(cells)]);
  const nearby = new NearbyNodes(
    Array.from({ length: gg.graph.vertexCount }, (_, v) => ({ x: gg.graph.xs[v]!, y: gg.graph.ys[v]! })),
    2,
  );
  return { graph: gg.graph, at, nearby };
}

describe('PIBT core, point agents', () => {
  it('pushes a lower-priority agent standing on the way (priority inheritance)', () => {
    const { graph, at } = row(5);
    const pibt = new Pibt(graph);
    const next = pibt.step({ current: [at(0, 0), at(1, 0)], order: [0, 1], rank: towards(graph, [at(4, 0), at(1, 0)]) });
    expect([...next]).toEqual([at(1, 0), at(2, 0)]);
  });

  it('never swaps two agents: head-on in a two-node corridor both wait', () => {
    const { graph, at } = row(2);
    const pibt = new Pibt(graph);
    const next = pibt.step({ current: [at(0, 0), at(1, 0)], order: [0, 1], rank: towards(graph, [at(1, 0), at(0, 0)]) });
    expect([...next]).toEqual([at(0, 0), at(1, 0)]);
  });

  it('never takes a move ranked +Infinity, even to make way', () => {
    const { graph, at } = row(3);
    const pibt = new Pibt(graph);
    const goals = towards(graph, [at(2, 0), at(2, 0)]);
    // Agent 1 is pinned: any move of it is ranked +Infinity, so agent 0 cannot push it and waits.
    const rank: MoveRank = (agent, from, to) => (agent === 1 && to !== from ? Number.POSITIVE_INFINITY : goals(agent, from, to));
    const next = pibt.step({ current: [at(0, 0), at(1, 0)], order: [0, 1], rank });
    expect([...next]).toEqual([at(0, 0), at(1, 0)]);
  });

  it('refuses a pin on a vertex already pinned, and reports a clash left by pins', () => {
    const { graph, at } = row(3);
    const pibt = new Pibt(graph);
    pibt.begin([at(0, 0), at(2, 0)], towards(graph, [at(1, 0), at(1, 0)]));
    expect(pibt.reserve(0, at(1, 0))).toBe(true);
    expect(pibt.reserve(1, at(1, 0))).toBe(false);
    expect(pibt.run([0, 1])).toBe(true);
    expect([...pibt.next.subarray(0, 2)]).toEqual([at(1, 0), at(2, 0)]);
  });

  it('starts every step afresh, also when the number of agents changes', () => {
    const { graph, at } = row(5);
    const pibt = new Pibt(graph);
    pibt.step({ current: [at(0, 0), at(2, 0), at(4, 0)], order: [0, 1, 2], rank: towards(graph, [at(1, 0), at(3, 0), at(4, 0)]) });
    // Vertices held in the last step (1 and 3) must not block this one.
    const next = pibt.step({ current: [at(2, 0), at(4, 0)], order: [0, 1], rank: towards(graph, [at(3, 0), at(3, 0)]) });
    expect([...next]).toEqual([at(3, 0), at(4, 0)]);
  });
});

describe('PIBT core, disc bodies of each agent', () => {
  // Agent 0 drives from node 0 to node 4; agent 1 rests on node 2, its goal.
  function drive(radius: number[]) {
    const { graph, at, nearby } = row(5);
    const pibt = new Pibt(graph);
    return pibt.step({
      current: [at(0, 0), at(2, 0)],
      order: [0, 1],
      rank: towards(graph, [at(4, 0), at(2, 0)]),
      bodies: new DiscBodies(nearby, radius),
    });
  }

  it('two small bodies may stand on neighbouring nodes', () => {
    expect([...drive([0.4, 0.4])]).toEqual([1, 2]);
  });

  it('a body may not stop next to a large one: the large one is pushed out of its footprint first', () => {
    // 0.6 + 0.6 > 1 m: agent 0 on node 1 would overlap agent 1 on node 2, so agent 1 makes way to node 3.
    expect([...drive([0.6, 0.6])]).toEqual([1, 3]);
  });

  it('touching bodies do not overlap (0.6 + 0.4 = 1 m apart)', () => {
    expect([...drive([0.6, 0.4])]).toEqual([1, 2]);
  });

  it('waits rather than overlap a body that cannot make way', () => {
    const { graph, at, nearby } = row(5);
    const pibt = new Pibt(graph);
    const goals = towards(graph, [at(4, 0), at(2, 0)]);
    const rank: MoveRank = (agent, from, to) => (agent === 1 && to !== from ? Number.POSITIVE_INFINITY : goals(agent, from, to));
    const next = pibt.step({ current: [at(0, 0), at(2, 0)], order: [0, 1], rank, bodies: new DiscBodies(nearby, [0.6, 0.6]) });
    expect([...next]).toEqual([at(0, 0), at(2, 0)]);
  });
});
