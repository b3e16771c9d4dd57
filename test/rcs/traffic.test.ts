import { describe, expect, it } from 'vitest';
import { ReservationTrafficController, RoadGraph, type TrafficEvent } from '../../src/rcs/traffic/index.ts';
import { gridSite } from './grid-site.ts';

function grid(width: number, height: number): RoadGraph {
  return new RoadGraph(gridSite(width, height));
}

function corridor(length: number): RoadGraph {
  const nodes = Array.from({ length }, (_, i) => ({ id: `c${i}`, x: i, y: 0 }));
  const edges = nodes.slice(1).map((n, i) => ({ from: `c${i}`, to: n.id, bidirectional: true }));
  return new RoadGraph({ nodes, edges });
}

/** Drives every AGV to the end of its grant each round; checks the exclusivity invariant at every step. */
function simulate(traffic: ReservationTrafficController, goals: Map<string, string>, rounds: number): Map<string, string> {
  const at = new Map<string, string>();
  for (const id of goals.keys()) at.set(id, traffic.held(id)[0]!);
  let now = 0;
  for (let round = 0; round < rounds; round++) {
    now += 1000;
    traffic.tick(now);
    for (const [id, goal] of goals) {
      const grant = traffic.request(id, goal, now);
      if (grant.kind !== 'go') continue;
      // Move one node per round along the held path; positions must always be held by the mover.
      const next = grant.path[1]!;
      expect(traffic.heldBy(next)).toBe(id);
      at.set(id, next);
      traffic.reportProgress(id, next);
    }
    const occupied = new Set(at.values());
    expect(occupied.size).toBe(at.size);
    const owners = new Map<string, string>();
    for (const [id, nodes] of traffic.holdings()) {
      for (const n of nodes) {
        expect(owners.has(n)).toBe(false);
        owners.set(n, id);
      }
    }
    if ([...goals].every(([id, goal]) => at.get(id) === goal)) break;
  }
  return at;
}

describe('RoadGraph', () => {
  it('finds shortest paths and respects one-way edges', () => {
    const g = new RoadGraph({
      nodes: [
        { id: 'a', x: 0, y: 0 },
        { id: 'b', x: 1, y: 0 },
        { id: 'c', x: 2, y: 0 },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a', length: 10 },
      ],
    });
    expect(g.shortestPath('a', 'c')?.path).toEqual(['a', 'b', 'c']);
    expect(g.shortestPath('c', 'b')?.path).toEqual(['c', 'a', 'b']);
    expect(g.distance('c', 'b')).toBe(11);
    expect(() => new RoadGraph({ nodes: [], edges: [{ from: 'x', to: 'y' }] })).toThrow(/unknown node/);
  });
});

describe('ReservationTrafficController', () => {
  it('grants only held nodes and makes a second AGV wait behind the first', () => {
    const traffic = new ReservationTrafficController(corridor(6), { lookaheadNodes: 3 });
    expect(traffic.place('A', 'c0')).toBe(true);
    expect(traffic.place('B', 'c0')).toBe(false);
    expect(traffic.place('B', 'c5')).toBe(true);
    const grant = traffic.request('A', 'c4', 0);
    expect(grant).toMatchObject({ kind: 'go', path: ['c0', 'c1', 'c2', 'c3'], reachesGoal: false });
    const blocked = traffic.request('B', 'c1', 0);
    expect(blocked).toMatchObject({ kind: 'go', path: ['c5', 'c4'] });
    expect(traffic.request('B', 'c1', 100)).toMatchObject({ kind: 'go', path: ['c5', 'c4'] });
    expect(traffic.waiting()).toEqual([{ agvId: 'B', blockedBy: 'A', node: 'c3', sinceMs: 0 }]);
  });

  it('releases nodes behind an AGV as it reports progress', () => {
    const traffic = new ReservationTrafficController(corridor(5));
    traffic.place('A', 'c0');
    traffic.request('A', 'c4', 0);
    expect(traffic.reportProgress('A', 'c2')).toBe(true);
    expect(traffic.heldBy('c0')).toBeUndefined();
    expect(traffic.heldBy('c1')).toBeUndefined();
    expect(traffic.held('A')[0]).toBe('c2');
    expect(traffic.reportProgress('A', 'c0')).toBe(false);
  });

  it('never puts a node twice in a held path when the goal turns the AGV back', () => {
    const traffic = new ReservationTrafficController(corridor(6));
    traffic.place('A', 'c1');
    expect(traffic.request('A', 'c4', 0)).toMatchObject({ kind: 'go', path: ['c1', 'c2', 'c3', 'c4'] });
    traffic.reportProgress('A', 'c2');
    const turned = traffic.request('A', 'c0', 1);
    expect(turned).toMatchObject({ kind: 'go', path: ['c2', 'c3', 'c4'] });
    traffic.reportProgress('A', 'c4');
    expect(traffic.request('A', 'c0', 2)).toMatchObject({ kind: 'go', path: ['c4', 'c3', 'c2', 'c1', 'c0'] });
  });

  it('keeps an offline AGV reservations until released', () => {
    const traffic = new ReservationTrafficController(corridor(4));
    traffic.place('A', 'c1');
    traffic.place('B', 'c3');
    expect(traffic.request('B', 'c0', 0)).toMatchObject({ kind: 'go', path: ['c3', 'c2'] });
    traffic.reportProgress('B', 'c2');
    expect(traffic.request('B', 'c0', 10_000)).toMatchObject({ kind: 'wait', blockedBy: 'A' });
    traffic.release('A');
    expect(traffic.request('B', 'c0', 10_001)).toMatchObject({ kind: 'go', path: ['c2', 'c1', 'c0'], reachesGoal: true });
  });

  it('routes around an offline AGV at once, keeps its nodes, and plans it again only after it reports', () => {
    const events: TrafficEvent[] = [];
    const traffic = new ReservationTrafficController(grid(5, 3), { heldNodePenalty: 0, replanAfterMs: 60_000 });
    traffic.observe({ event: (e) => events.push(e) });
    traffic.place('A', '2,1');
    traffic.place('B', '0,1');
    expect(traffic.request('B', '4,1', 0)).toMatchObject({ kind: 'go', path: ['0,1', '1,1'] });
    // Online, A may move on: B waits for it (until replanAfterMs).
    expect(traffic.request('B', '4,1', 1)).toMatchObject({ kind: 'go', path: ['0,1', '1,1'] });
    expect(traffic.waiting()).toMatchObject([{ agvId: 'B', blockedBy: 'A' }]);

    traffic.agvOffline('A');
    expect(events).toMatchObject([{ kind: 'agv.offline', agvIds: ['A'] }]);
    const around = traffic.request('B', '4,1', 2);
    expect(around.kind).toBe('go');
    expect(around.kind === 'go' && around.path.includes('2,1')).toBe(false);
    expect(traffic.waiting()).toEqual([]);
    expect(traffic.held('A')).toEqual(['2,1']);
    expect(traffic.request('A', '0,0', 3)).toEqual({ kind: 'wait', reason: 'blocked' });

    traffic.agvOnline('A');
    expect(traffic.request('A', '0,0', 4)).toEqual({ kind: 'wait', reason: 'blocked' });
    expect(traffic.reportProgress('A', '2,1')).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'agv.online', agvIds: ['A'] });
    // Planning resumes from where it reported, on the side B is not passing.
    const free = around.kind === 'go' && around.path.includes('2,0') ? '2,2' : '2,0';
    expect(traffic.request('A', free, 5)).toMatchObject({ kind: 'go', path: ['2,1', free] });
  });

  it('resolves a head-on deadlock on a grid and never double-books a node', () => {
    const traffic = new ReservationTrafficController(grid(5, 2), { lookaheadNodes: 2, replanAfterMs: 2000 });
    traffic.place('A', '0,0');
    traffic.place('B', '4,0');
    const at = simulate(traffic, new Map([['A', '4,0'], ['B', '0,0']]), 50);
    expect(at.get('A')).toBe('4,0');
    expect(at.get('B')).toBe('0,0');
  });

  it('lets many AGVs swap sides of a grid without collisions', () => {
    const traffic = new ReservationTrafficController(grid(6, 6), { lookaheadNodes: 3, replanAfterMs: 3000 });
    const goals = new Map<string, string>();
    for (let i = 0; i < 6; i++) {
      traffic.place(`L${i}`, `0,${i}`);
      traffic.place(`R${i}`, `5,${i}`);
      goals.set(`L${i}`, `5,${5 - i}`);
      goals.set(`R${i}`, `0,${5 - i}`);
    }
    const at = simulate(traffic, goals, 400);
    for (const [id, goal] of goals) expect(at.get(id)).toBe(goal);
  });
});
