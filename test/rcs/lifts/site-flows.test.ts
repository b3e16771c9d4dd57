import { describe, expect, it } from 'vitest';
import { VENDOR_PROFILES } from '../../../src/agv/sim/profiles.ts';
import { runSiteSimulation, type SiteAgvSpec, type SiteSimOptions, type SiteTask } from '../../../src/rcs/traffic/lifts/site-simulation.ts';
import { SafetyChecker } from '../traffic-central-checker.ts';
import { LiftRuleChecker } from './lift-rule-checker.ts';
import { twoFloorSite } from './two-floor-site.ts';

// Whole-site flows in virtual time, every step checked by the independent safety checker (bodies per map, held
// nodes) and the lift/door rule checker.

const [QR_SMALL, SLAM_MID] = VENDOR_PROFILES;
const site = twoFloorSite();

async function run(agvs: SiteAgvSpec[], tasks: SiteTask[], extra: Partial<SiteSimOptions> = {}) {
  const sizes = new Map(agvs.map((a) => [a.id, a.profile]));
  const safety = new SafetyChecker(site.nodes, (id) => sizes.get(id)!);
  const rules = new LiftRuleChecker(site);
  const events: { severity: string; type: string; message: string }[] = [];
  const positions: { id: string; node: string }[] = [];
  const done = await runSiteSimulation({
    site,
    agvs,
    tasks,
    durationMs: 20 * 60_000,
    seed: 3,
    ...extra,
    onEvent: (severity, type, message, agvId) => {
      events.push({ severity, type, message });
      extra.onEvent?.(severity, type, message, agvId);
    },
    observe: (now, snap, lifts, doors, holdings) => {
      safety.check(now, snap, holdings);
      rules.check(now, snap, lifts, doors);
      for (const a of snap) positions.push({ id: a.id, node: a.lastNode }, ...(a.nextNode ? [{ id: a.id, node: a.nextNode }] : []));
      extra.observe?.(now, snap, lifts, doors, holdings);
    },
  });
  return { done, safety, rules, events, positions };
}

const crossTasks = (n: number): SiteTask[] => Array.from({ length: n }, (_, i) => ({ id: i, pick: `F1.s${[4, 8][i % 2]}`, drop: `F2.s${[4, 8, 12][i % 3]}` }));
const fleet = (n: number, profile = SLAM_MID!): SiteAgvSpec[] =>
  Array.from({ length: n }, (_, i) => ({ id: `agv-${i + 1}`, profile, speedFactor: 1 - i * 0.1, start: `F1.n${2 + 4 * i}_4` }));

describe('cross-floor tasks', () => {
  it('carry loads between floors through both lifts without a rule broken', async () => {
    const { done, safety, rules, events } = await run(fleet(3), crossTasks(6));
    expect(done.tasksDone).toBe(6);
    expect(done.crossFloorTasksDone).toBe(6);
    expect(done.unheldMoves).toBe(0);
    expect(safety.violations).toEqual([]);
    expect(rules.violations).toEqual([]);
    const used = new Set(events.filter((e) => e.type === 'lift.boarded').map((e) => /lift (LIFT-\w)/.exec(e.message)![1]));
    expect(used).toEqual(new Set(['LIFT-A', 'LIFT-B']));
    expect(done.mapSwitches).toBe(done.rides);
  });
});

describe('a lift goes out of service mid-run', () => {
  it('re-plans queued rides through the other lift and shows why', async () => {
    const { done, rules, events } = await run(fleet(3), crossTasks(6), {
      faults: [{ atMs: 60_000, apply: (ctx) => ctx.lifts.get('LIFT-A')!.setMode('outOfService') }],
    });
    expect(events.some((e) => e.type === 'lift.out_of_service' && e.message.includes('LIFT-A'))).toBe(true);
    const boardedLate = events.filter((e) => e.type === 'lift.boarded').slice(-3);
    expect(boardedLate.every((e) => e.message.includes('LIFT-B'))).toBe(true);
    expect(done.tasksDone).toBe(6);
    expect(rules.violations).toEqual([]);
  });

  it('keeps cross-floor tasks in the queue with a visible reason when no lift is left', async () => {
    const reasons: string[] = [];
    const { done } = await run(fleet(1), crossTasks(1), {
      durationMs: 5 * 60_000,
      faults: [
        {
          atMs: 0,
          apply: (ctx) => {
            ctx.lifts.get('LIFT-A')!.setMode('outOfService');
            ctx.lifts.get('LIFT-B')!.setMode('fire');
          },
        },
        ...[60_000, 120_000].map((atMs) => ({ atMs, apply: (ctx: Parameters<NonNullable<SiteSimOptions['faults']>[number]['apply']>[0]) => reasons.push(ctx.rides.heldBackReason(0) ?? '') })),
      ],
    });
    expect(done.tasksDone).toBe(0);
    expect(reasons[1]).toBe('cross-floor work waits: no lift in service (LIFT-A in outOfService mode; LIFT-B in fire mode)');
  });

  it('an AGV that already has cross-floor work waits with a visible reason when no lift is left', async () => {
    const reasons: string[] = [];
    const { done } = await run(fleet(1), crossTasks(1), {
      durationMs: 5 * 60_000,
      // Unmetered, the task goes out at once, as it had before the lifts left service.
      meterRides: false,
      faults: [
        {
          atMs: 0,
          apply: (ctx) => {
            ctx.lifts.get('LIFT-A')!.setMode('outOfService');
            ctx.lifts.get('LIFT-B')!.setMode('fire');
          },
        },
        ...[60_000, 120_000].map((atMs) => ({ atMs, apply: (ctx: Parameters<NonNullable<SiteSimOptions['faults']>[number]['apply']>[0]) => reasons.push(ctx.rides.reasonFor('agv-1') ?? '') })),
      ],
    });
    expect(done.tasksDone).toBe(0);
    expect(reasons[1]).toMatch(/every lift between F1 and F2 is out of service: LIFT-A in outOfService mode; LIFT-B in fire mode/);
  });
});

describe('relocalisation fails after the ride', () => {
  it('raises an alarm, holds the AGV in the cabin, keeps the lift, and goes on after a successful retry', async () => {
    const sessionsWhileFailed = new Set<string | null>();
    let failed = false;
    const { done, rules, events } = await run(fleet(1), crossTasks(1), {
      switchFails: (_agv, attempt) => attempt === 1,
      onEvent: (_s, type) => {
        if (type === 'lift.relocalisation_failed') failed = true;
        if (type === 'lift.map_switched') failed = false;
      },
      observe: (_now, _snap, lifts) => {
        if (failed) sessionsWhileFailed.add(lifts.find((l) => l.sessionId !== null)?.sessionId ?? null);
      },
    });
    expect(sessionsWhileFailed.size).toBeGreaterThan(0);
    const alarm = events.find((e) => e.type === 'lift.relocalisation_failed');
    expect(alarm?.severity).toBe('error');
    expect(alarm?.message).toMatch(/held in the cabin, lift kept/);
    // While the AGV waited for the retry, the lift stayed held by its ride.
    expect([...sessionsWhileFailed].every((s) => s !== null && s.startsWith('ride-agv-1'))).toBe(true);
    expect(done.tasksDone).toBe(1);
    expect(rules.violations).toEqual([]);
  });

  it('waits for an operator after every automatic attempt failed', async () => {
    const { done, events } = await run(fleet(1), crossTasks(1), { durationMs: 4 * 60_000, switchFails: () => true });
    expect(events.filter((e) => e.type === 'lift.relocalisation_failed')).toHaveLength(3);
    expect(done.tasksDone).toBe(0);
  });
});

describe('a door fails to open', () => {
  it('raises an alarm and routes around it; nobody drives through a closed door', async () => {
    // Pick at P1 (x = 4), drop back on F1 beyond the door's row: from the top row's west end to its east end.
    const tasks: SiteTask[] = [{ id: 1, pick: 'F1.n6_8', drop: 'F1.n14_8' }];
    const agvs = [{ id: 'agv-1', profile: SLAM_MID!, speedFactor: 1, start: 'F1.n4_8' }];
    const { done, rules, events } = await run(agvs, tasks, {
      durationMs: 6 * 60_000,
      mayServe: () => true,
      faults: [{ atMs: 0, apply: (ctx) => ctx.doors.get('ROLLER-1')!.jam(true) }],
    });
    expect(events.some((e) => e.type === 'door.failed' && e.severity === 'error')).toBe(true);
    expect(done.tasksDone).toBe(1);
    expect(rules.violations).toEqual([]);
  });
});

describe('navigation areas', () => {
  it('never routes a QR-only AGV into a SLAM-only area, and switches a dual-mode AGV at the switch point', async () => {
    const agvs: SiteAgvSpec[] = [
      { id: 'qr-1', profile: QR_SMALL!, speedFactor: 1, start: 'F2.n2_8' },
      { id: 'dual-1', profile: SLAM_MID!, navigation: ['laserSlam', 'qrCode'], speedFactor: 1, start: 'F1.n2_0' },
    ];
    const tasks: SiteTask[] = [
      { id: 1, pick: 'F1.s12', drop: 'F2.slam' },
      { id: 2, pick: 'F1.s4', drop: 'F2.slam' },
    ];
    const { done, positions, rules, safety } = await run(agvs, tasks, { durationMs: 15 * 60_000 });
    expect(positions.filter((p) => p.id === 'qr-1' && p.node === 'F2.slam')).toEqual([]);
    expect(done.tasksDone).toBe(2);
    expect(done.navSwitches).toBeGreaterThanOrEqual(2);
    expect(rules.violations).toEqual([]);
    expect(safety.violations).toEqual([]);
  });
});

describe('AGVs that cannot ride lifts', () => {
  it('get only work on their own floor, while an AGV that rides carries the cross-floor tasks', async () => {
    const agvs: SiteAgvSpec[] = [
      { id: 'floor-bound', profile: SLAM_MID!, liftRides: false, speedFactor: 1, start: 'F1.n2_4' },
      { id: 'rider', profile: SLAM_MID!, speedFactor: 0.9, start: 'F1.n10_4' },
    ];
    const events: string[] = [];
    const { done, positions, rules, safety } = await run(agvs, crossTasks(2), { onEvent: (_s, type, message) => events.push(`${type} ${message}`) });
    expect(done.tasksDone).toBe(2);
    expect(positions.filter((p) => p.id === 'floor-bound' && p.node.startsWith('F2.'))).toEqual([]);
    expect(positions.some((p) => p.id === 'rider' && p.node.startsWith('F2.'))).toBe(true);
    expect(rules.violations).toEqual([]);
    expect(safety.violations).toEqual([]);
  });
});
