import { describe, expect, it } from 'vitest';
import { CentralTrafficController, findCycles, type TrafficEvent } from '../../src/rcs/traffic/central/index.ts';
import type { RoadGraphInput } from '../../src/rcs/traffic/index.ts';
import { gridSite } from './grid-site.ts';
import { SafetyChecker, type BodySize } from './traffic-central-checker.ts';

const SMALL: BodySize = { lengthM: 0.9, widthM: 0.65 };
const BIG: BodySize = { lengthM: 1.8, widthM: 0.95 };

interface Mover {
  id: string;
  goal: string;
  /** Nodes per second. */
  speed: number;
  at: string;
  /** Progress (0..1) along the edge from `at` to the next held node. */
  progress: number;
  stalledUntil: number;
  arrivedAt?: number;
}

/**
 * Executes grants the way an AGV does: drives along its held path at its own speed, never past the last held node,
 * stalls at random, and reports every node it reaches. The independent checker looks at every step.
 */
function execute(
  traffic: CentralTrafficController,
  site: RoadGraphInput,
  movers: Mover[],
  sizes: Map<string, BodySize>,
  options: { seed: number; stallChance?: number; maxMs: number; offline?: Set<string>; startMs?: number },
): { checker: SafetyChecker; nowMs: number } {
  const checker = new SafetyChecker(site.nodes, (id) => sizes.get(id)!);
  const xy = new Map(site.nodes.map((n) => [n.id, n]));
  let seed = options.seed;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let now = options.startMs ?? 0;
  const dt = 100;
  while (now < options.maxMs && movers.some((m) => m.arrivedAt === undefined && !options.offline?.has(m.id))) {
    traffic.tick(now);
    for (const m of movers) {
      if (options.offline?.has(m.id)) continue;
      const grant = traffic.request(m.id, m.goal, now);
      if (grant.kind === 'arrived') {
        m.arrivedAt ??= now;
        continue;
      }
      if (grant.kind !== 'go' || now < m.stalledUntil) continue;
      if (random() < (options.stallChance ?? 0)) {
        m.stalledUntil = now + 500 + random() * 3_000;
        continue;
      }
      m.progress += (m.speed * dt) / 1000;
      while (m.progress >= 1) {
        const path = traffic.held(m.id);
        const next = path[path.indexOf(m.at) + 1];
        if (next === undefined) {
          m.progress = 0;
          break;
        }
        m.at = next;
        m.progress -= 1;
        expect(traffic.reportProgress(m.id, next)).toBe(true);
      }
    }
    const snapshots = movers.map((m) => {
      const path = traffic.held(m.id);
      const next = path[path.indexOf(m.at) + 1];
      const a = xy.get(m.at)!;
      const b = next !== undefined && m.progress > 0 ? xy.get(next)! : a;
      return { id: m.id, x: a.x + (b.x - a.x) * m.progress, y: a.y + (b.y - a.y) * m.progress, lastNode: m.at, nextNode: b === a ? undefined : next };
    });
    checker.check(now, snapshots, traffic.holdings());
    now += dt;
  }
  return { checker, nowMs: now };
}

function setup(site: RoadGraphInput, agvs: { id: string; at: string; goal: string; speed?: number; size?: BodySize }[], events: TrafficEvent[] = []) {
  const sizes = new Map(agvs.map((a) => [a.id, a.size ?? SMALL]));
  const traffic = new CentralTrafficController(site, { footprintOf: (id) => sizes.get(id), seed: 3 });
  traffic.observe({ event: (e) => events.push(e) });
  const movers: Mover[] = agvs.map((a) => {
    expect(traffic.place(a.id, a.at)).toBe(true);
    return { id: a.id, goal: a.goal, speed: a.speed ?? 1, at: a.at, progress: 0, stalledUntil: 0 };
  });
  return { traffic, movers, sizes };
}

describe('CentralTrafficController', () => {
  it('resolves a head-on meeting in a corridor with a passing bay', () => {
    // A 9-node corridor with one bay above its middle.
    const site = gridSite(9, 1);
    site.nodes.push({ id: 'bay', x: 4, y: 1 });
    site.edges.push({ from: '4,0', to: 'bay', bidirectional: true });
    const { traffic, movers, sizes } = setup(site, [
      { id: 'east', at: '0,0', goal: '8,0', speed: 1.5 },
      { id: 'west', at: '8,0', goal: '0,0', speed: 0.7 },
    ]);
    const { checker } = execute(traffic, site, movers, sizes, { seed: 1, maxMs: 120_000 });
    expect(checker.violations).toEqual([]);
    expect(movers.every((m) => m.arrivedAt !== undefined)).toBe(true);
  });

  it('resolves a four-way rotation around a block (cyclic goals)', () => {
    const site = gridSite(3, 3);
    const { traffic, movers, sizes } = setup(site, [
      { id: 'a', at: '0,0', goal: '2,0' },
      { id: 'b', at: '2,0', goal: '2,2' },
      { id: 'c', at: '2,2', goal: '0,2' },
      { id: 'd', at: '0,2', goal: '0,0' },
    ]);
    const { checker } = execute(traffic, site, movers, sizes, { seed: 2, maxMs: 120_000, stallChance: 0.01 });
    expect(checker.violations).toEqual([]);
    expect(movers.every((m) => m.arrivedAt !== undefined)).toBe(true);
  });

  it('keeps big AGVs clear of neighbouring nodes (footprint conflict sets from geometry)', () => {
    const site = gridSite(5, 1);
    const traffic = new CentralTrafficController(site, { footprintOf: (id) => (id.startsWith('big') ? BIG : SMALL) });
    expect(traffic.place('small-1', '0,0')).toBe(true);
    expect(traffic.place('small-2', '1,0')).toBe(true); // 1 m apart: two small bodies fit
    expect(traffic.place('big-1', '2,0')).toBe(false); // a 1.8 m forklift next to a small AGV does not
    expect(traffic.place('big-1', '3,0')).toBe(true);
    expect(traffic.heldBy('2,0')).toBeUndefined();
  });

  // 1.8 m bodies on a 1 m two-way grid: every node a forklift waits on covers its neighbours. Before footprint PIBT
  // re-planned agents frozen by a failed push, the two forklifts never arrived here.
  it('lets mixed sizes, speeds and random stalls cross a grid with no conflict', () => {
    const site = gridSite(8, 6);
    const agvs = [
      { id: 'big-1', at: '0,0', goal: '7,5', size: BIG, speed: 0.6 },
      { id: 'big-2', at: '7,0', goal: '0,5', size: BIG, speed: 0.8 },
      { id: 's-1', at: '0,5', goal: '7,0', speed: 1.5 },
      { id: 's-2', at: '7,5', goal: '0,0', speed: 1.2 },
      { id: 's-3', at: '3,0', goal: '4,5', speed: 1 },
      { id: 's-4', at: '4,5', goal: '3,0', speed: 0.7 },
      { id: 's-5', at: '0,2', goal: '7,3', speed: 1.1 },
      { id: 's-6', at: '7,3', goal: '0,2', speed: 0.9 },
    ];
    const { traffic, movers, sizes } = setup(site, agvs);
    const { checker } = execute(traffic, site, movers, sizes, { seed: 5, maxMs: 300_000, stallChance: 0.02 });
    expect(checker.checks).toBeGreaterThan(10);
    expect(checker.violations).toEqual([]);
    expect(movers.filter((m) => m.arrivedAt === undefined).map((m) => m.id)).toEqual([]);
  });

  it('treats an offline AGV as an obstacle that others route around, keeping its reservations', () => {
    const site = gridSite(5, 3);
    const events: TrafficEvent[] = [];
    const { traffic, movers, sizes } = setup(
      site,
      [
        { id: 'dead', at: '2,1', goal: '2,1' },
        { id: 'runner', at: '0,1', goal: '4,1' },
      ],
      events,
    );
    traffic.agvOffline('dead');
    const { checker } = execute(traffic, site, movers, sizes, { seed: 7, maxMs: 60_000, offline: new Set(['dead']) });
    expect(checker.violations).toEqual([]);
    expect(movers.find((m) => m.id === 'runner')!.arrivedAt).toBeDefined();
    expect(traffic.heldBy('2,1')).toBe('dead');
    expect(events.some((e) => e.kind === 'agv.offline')).toBe(true);
  });

  it('keeps an AGV that goes offline mid-route on its held nodes, and plans it again once it reports after coming back', () => {
    const site = gridSite(5, 3);
    const events: TrafficEvent[] = [];
    const { traffic, movers, sizes } = setup(
      site,
      [
        { id: 'lost', at: '0,1', goal: '4,2' },
        { id: 'other', at: '4,1', goal: '0,0' },
      ],
      events,
    );
    expect(traffic.request('lost', '4,2', 0).kind).toBe('go');
    const heldWhenLost = [...traffic.held('lost')];
    expect(heldWhenLost.length).toBeGreaterThan(1);

    traffic.agvOffline('lost');
    expect(events.at(-1)).toMatchObject({ kind: 'agv.offline', agvIds: ['lost'] });
    // It may be anywhere on its held nodes: nothing is granted, nothing released, others pass around it.
    expect(traffic.request('lost', '4,2', 50)).toEqual({ kind: 'wait', reason: 'blocked' });
    const away = execute(traffic, site, movers, sizes, { seed: 11, maxMs: 60_000, offline: new Set(['lost']) });
    expect(away.checker.violations).toEqual([]);
    expect(movers.find((m) => m.id === 'other')!.arrivedAt).toBeDefined();
    expect(traffic.held('lost')).toEqual(heldWhenLost);

    // Connected again, but until it says where it stands it stays an obstacle.
    traffic.agvOnline('lost');
    expect(traffic.request('lost', '4,2', away.nowMs)).toEqual({ kind: 'wait', reason: 'blocked' });
    expect(events.some((e) => e.kind === 'agv.online')).toBe(false);
    expect(traffic.reportProgress('lost', heldWhenLost[0]!)).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'agv.online', agvIds: ['lost'] });
    const back = execute(traffic, site, movers, sizes, { seed: 12, maxMs: away.nowMs + 60_000, startMs: away.nowMs });
    expect(back.checker.violations).toEqual([]);
    expect(movers.find((m) => m.id === 'lost')!.arrivedAt).toBeDefined();
  });

  it('tells its observers how long each planning step took', () => {
    const site = gridSite(4, 1);
    const traffic = new CentralTrafficController(site);
    const steps: number[] = [];
    const stop = traffic.observe({ planStep: (ms) => steps.push(ms) });
    traffic.place('a', '0,0');
    traffic.request('a', '3,0', 0);
    traffic.tick(50);
    traffic.tick(200);
    expect(steps).toHaveLength(2);
    expect(steps.every((ms) => ms >= 0)).toBe(true);
    stop();
    traffic.tick(400);
    expect(steps).toHaveLength(2);
  });

  it('spreads a round over slices (sliceMs) and grants what an unsliced round grants when nothing changes meanwhile', async () => {
    // 40 AGVs: a round pauses every 16 AGVs at most.
    const site = gridSite(20, 5);
    const make = async (sliceMs?: number) => {
      const traffic = new CentralTrafficController(site, { seed: 3, sliceMs });
      for (let x = 0; x < 40; x++) traffic.place(`a${x}`, `${x % 20},${x < 20 ? 0 : 4}`);
      // The first request starts a round; let it end before the one compared.
      for (let x = 0; x < 40; x++) traffic.request(`a${x}`, `${19 - (x % 20)},${x < 20 ? 3 : 1}`, 0);
      while (traffic.stats().rounds === 0) await new Promise((r) => setImmediate(r));
      return traffic;
    };
    const whole = await make();
    const sliced = await make(0);
    expect([...sliced.holdings()]).toEqual([...whole.holdings()]);
    const granted: string[][] = [];
    const slices: number[] = [];
    sliced.observe({ granted: (ids) => granted.push([...ids]), planSlice: (ms) => slices.push(ms) });
    const expected = whole.tick(200);
    expect(expected.length).toBeGreaterThan(0);
    // A zero budget gives the event loop a turn at every pause point: nothing is granted within the call.
    expect(sliced.tick(200)).toEqual([]);
    expect(sliced.tick(400)).toEqual([]); // no second round while one is under way
    while (sliced.stats().rounds === 1) await new Promise((r) => setImmediate(r));
    expect(slices.length).toBeGreaterThanOrEqual(2);
    expect(granted).toEqual([expected]);
    expect([...sliced.holdings()]).toEqual([...whole.holdings()]);
  });

  it('checks every grant of a sliced round against the reservations as they are when it is made', async () => {
    const site = gridSite(20, 3);
    const traffic = new CentralTrafficController(site, { sliceMs: 0 });
    // Idle AGVs, so that the round has pause points (one every 16 AGVs) before a's grant.
    for (let x = 0; x < 20; x++) traffic.place(`idle${x}`, `${x},2`);
    traffic.place('a', '0,0');
    traffic.place('gone', '4,1');
    traffic.place('c', '2,1');
    traffic.request('a', '4,0', 0);
    traffic.request('gone', '0,1', 0);
    const granted: string[] = [];
    traffic.observe({ granted: (ids) => granted.push(...ids) });
    expect(traffic.tick(200)).toEqual([]);
    // Between slices: the node a was planned into is taken, an AGV of the round leaves, another one moves.
    expect(traffic.place('b', '1,0')).toBe(true);
    traffic.release('gone');
    traffic.standsAt('c', '2,1');
    while (traffic.stats().rounds === 0) await new Promise((r) => setImmediate(r));
    expect(traffic.held('a')).toEqual(['0,0']);
    expect(traffic.heldBy('1,0')).toBe('b');
    expect(traffic.held('gone')).toEqual([]);
    expect(granted).not.toContain('a');
    expect(granted).not.toContain('gone');
    // The next round plans from the new state as usual.
    expect(traffic.request('b', '1,1', 300).kind).toBe('wait');
    while (traffic.stats().rounds < 2) await new Promise((r) => setImmediate(r));
    expect(traffic.held('b')).toEqual(['1,0', '1,1']);
  });

  it('replans from an unexpected position and refuses a position another AGV holds', () => {
    const site = gridSite(4, 1);
    const events: TrafficEvent[] = [];
    const traffic = new CentralTrafficController(site);
    traffic.observe({ event: (e) => events.push(e) });
    expect(traffic.place('a', '0,0')).toBe(true);
    expect(traffic.place('b', '3,0')).toBe(true);
    expect(traffic.place('a', '3,0')).toBe(false);
    expect(traffic.place('a', '1,0')).toBe(true);
    // Safety of the mixed run above, which does hold: nothing is ever granted into another body's footprint.
    expect(traffic.held('a')).toEqual(['1,0']);
    expect(events.map((e) => e.kind)).toEqual(['agv.conflict', 'agv.deviated']);
    expect(traffic.request('a', '0,0', 0).kind).toBe('go');
    expect(traffic.request('a', 'nowhere', 0)).toEqual({ kind: 'wait', reason: 'no-route' });
    expect(traffic.request('ghost', '0,0', 0)).toEqual({ kind: 'wait', reason: 'no-route' });
  });

  it('never leaves an AGV on a noStop node: the link and the node beyond it are granted together or not at all', () => {
    // a → link (noStop, e.g. across a lane's clearance into a bay) → bay → out, one-way.
    const site: RoadGraphInput = {
      nodes: [
        { id: 'a', x: 0, y: 0 },
        { id: 'link', x: 1, y: 0, noStop: true },
        { id: 'bay', x: 2, y: 0 },
        { id: 'out', x: 3, y: 0 },
      ],
      edges: [
        { from: 'a', to: 'link' },
        { from: 'link', to: 'bay' },
        { from: 'bay', to: 'out' },
      ],
    };
    const traffic = new CentralTrafficController(site, { footprintOf: () => SMALL });
    expect(traffic.place('worker', 'bay')).toBe(true);
    expect(traffic.place('next', 'a')).toBe(true);
    // The bay is taken (its AGV has no target: an obstacle), so the link must not be granted on its own.
    for (let t = 0; t <= 2_000; t += 100) {
      const grant = traffic.request('next', 'out', t);
      expect(grant.kind).toBe('wait');
      expect(traffic.held('next')).toEqual(['a']);
    }
    // The bay frees up: link and bay come in one grant.
    traffic.release('worker');
    const grant = traffic.request('next', 'out', 2_100);
    expect(grant.kind).toBe('go');
    expect(traffic.held('next').slice(0, 3)).toEqual(['a', 'link', 'bay']);
  });

  it('finds cycles in a wait-for graph', () => {
    const waits = new Map([
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
      ['d', 'a'],
      ['e', 'f'],
    ]);
    expect(findCycles(waits).map((c) => [...c].sort())).toEqual([['a', 'b', 'c']]);
  });
});
