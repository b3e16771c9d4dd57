import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { cabinOpenAt, SimulatedDoor, SimulatedLift, type LiftState } from '../../../src/rcs/equipment/index.ts';

function lift(clock: ManualClock) {
  const l = new SimulatedLift({ liftId: 'L1', floors: ['F1', 'F2', 'F3'], doorS: 3, travelSPerFloor: 5, clock });
  const seen: LiftState[] = [];
  l.onState((s) => seen.push(s));
  return { l, seen };
}

describe('simulated lift', () => {
  it('comes to the floor, opens, and only then admits the session', async () => {
    const clock = new ManualClock();
    const { l, seen } = lift(clock);
    expect(await l.call('ride-1', 'F3')).toEqual({ accepted: true });
    clock.advance(9_999);
    expect(cabinOpenAt(l.state(), 'F3', 'ride-1')).toBe(false);
    clock.advance(3_001);
    expect(cabinOpenAt(l.state(), 'F3', 'ride-1')).toBe(true);
    // It never moved with doors other than closed.
    expect(seen.filter((s) => s.motion !== 'idle' && s.door !== 'closed')).toEqual([]);
    expect(seen.map((s) => s.floor)).toContain('F2');
  });

  it('refuses a second session, other modes and unknown floors', async () => {
    const clock = new ManualClock();
    const { l } = lift(clock);
    await l.call('a', 'F2');
    expect(await l.call('b', 'F2')).toMatchObject({ accepted: false, reason: expect.stringContaining('held by another session') });
    expect(await l.call('a', 'F9')).toMatchObject({ accepted: false, reason: expect.stringContaining("does not serve floor 'F9'") });
    l.setMode('outOfService');
    expect(l.state().sessionId).toBeNull();
    expect(await l.call('b', 'F2')).toMatchObject({ accepted: false, reason: expect.stringContaining('outOfService') });
  });

  it('closes its doors before it leaves and after release', async () => {
    const clock = new ManualClock();
    const { l, seen } = lift(clock);
    await l.call('a', 'F1');
    clock.advance(3_000);
    expect(l.state().door).toBe('open');
    await l.call('a', 'F2');
    clock.advance(3_000 + 5_000 + 3_000);
    expect(cabinOpenAt(l.state(), 'F2', 'a')).toBe(true);
    await l.release('a');
    clock.advance(3_000);
    expect(l.state()).toMatchObject({ door: 'closed', sessionId: null });
    expect(seen.filter((s) => s.motion !== 'idle' && s.door !== 'closed')).toEqual([]);
  });

  it('reports jammed doors and never opens them', async () => {
    const clock = new ManualClock();
    const { l } = lift(clock);
    l.jamDoors(true);
    await l.call('a', 'F1');
    clock.advance(60_000);
    expect(l.state()).toMatchObject({ door: 'closed', fault: 'doorJammed' });
    l.jamDoors(false);
    clock.advance(3_000);
    expect(l.state()).toMatchObject({ door: 'open', fault: null });
  });
});

describe('simulated door', () => {
  it('opens in its travel time; a jammed door stays closed with a fault', async () => {
    const clock = new ManualClock();
    const d = new SimulatedDoor({ doorId: 'D1', travelS: 2, clock });
    await d.open();
    expect(d.state().position).toBe('opening');
    clock.advance(2_000);
    expect(d.state().position).toBe('open');
    await d.close();
    clock.advance(2_000);
    d.jam(true);
    await d.open();
    clock.advance(10_000);
    expect(d.state()).toMatchObject({ position: 'closed', fault: 'jammed' });
  });
});
