import { describe, expect, it } from 'vitest';
import { LiftScheduler, type LiftView } from '../../../src/rcs/traffic/lifts/scheduler.ts';
import { twoFloorSite } from './two-floor-site.ts';

const site = twoFloorSite();
const inService = (floor: string): LiftView => ({ floor, mode: 'agv', fault: null });
const approach = (a: number, b: number) => new Map([['LIFT-A', a], ['LIFT-B', b]]);

function scheduler() {
  const s = new LiftScheduler(site);
  s.updateLift('LIFT-A', inService('F1'));
  s.updateLift('LIFT-B', inService('F1'));
  return s;
}

describe('lift scheduler', () => {
  it('gives a ride to the lift with the earliest expected arrival, counting the queue already on it', () => {
    const s = scheduler();
    s.request({ agvId: 'a', from: 'F1', to: 'F2', bodyM: 1, approachS: approach(5, 30) });
    s.plan();
    expect(s.ticket('a')).toMatchObject({ kind: 'ride', position: 0, ride: { liftId: 'LIFT-A', phase: 'called', fromNode: 'F1.liftA', toNode: 'F2.liftA' } });
    // LIFT-A is busy with a's ride: b, although closer to A, is faster through B.
    s.request({ agvId: 'b', from: 'F1', to: 'F2', bodyM: 1, approachS: approach(5, 30) });
    s.plan();
    expect(s.ticket('b')).toMatchObject({ kind: 'ride', ride: { liftId: 'LIFT-B', phase: 'called' } });
    // A third AGV queues behind a on LIFT-A.
    s.request({ agvId: 'c', from: 'F1', to: 'F2', bodyM: 1, approachS: approach(5, 100) });
    s.plan();
    expect(s.ticket('c')).toMatchObject({ kind: 'ride', position: 1, ride: { liftId: 'LIFT-A', phase: 'queued' } });
    expect(s.queueOf('LIFT-A')).toEqual(['a', 'c']);
  });

  it('serves a lift queue in order: the next ride is called once the AGV before it has left the cabin', () => {
    const s = scheduler();
    for (const id of ['a', 'c']) s.request({ agvId: id, from: 'F1', to: 'F2', bodyM: 1, approachS: approach(5, 500) });
    s.plan();
    s.boarded('a');
    expect(s.serving('LIFT-A')).toMatchObject({ agvId: 'a', phase: 'riding' });
    s.arrived('a');
    expect(s.ticket('c')).toMatchObject({ ride: { phase: 'queued' } });
    s.finish('a');
    expect(s.ticket('c')).toMatchObject({ ride: { phase: 'called' }, position: 0 });
  });

  it('re-plans rides not yet boarded when a lift leaves service; one on board keeps its lift', () => {
    const s = scheduler();
    for (const id of ['a', 'b', 'c']) s.request({ agvId: id, from: 'F1', to: 'F2', bodyM: 1, approachS: approach(5, 500) });
    s.plan();
    s.boarded('a');
    s.updateLift('LIFT-A', { floor: 'F1', mode: 'outOfService', fault: null });
    expect(s.queueOf('LIFT-A')).toEqual(['a']);
    expect(s.ticket('c')).toEqual({ kind: 'waiting', reason: 'lift LIFT-A is in outOfService mode' });
    s.plan();
    expect(s.queueOf('LIFT-B')).toEqual(['b', 'c']);
  });

  it('says why a ride waits: every lift out of service, or none the AGV fits in', () => {
    const s = scheduler();
    s.updateLift('LIFT-A', { floor: 'F1', mode: 'fire', fault: null });
    s.updateLift('LIFT-B', { floor: 'F1', mode: 'agv', fault: 'doorJammed' });
    s.request({ agvId: 'a', from: 'F1', to: 'F2', bodyM: 1, approachS: approach(5, 5) });
    s.request({ agvId: 'big', from: 'F1', to: 'F2', bodyM: 2.5, approachS: approach(5, 5) });
    s.plan();
    expect(s.ticket('a')).toEqual({ kind: 'waiting', reason: 'every lift between F1 and F2 is out of service: LIFT-A in fire mode; LIFT-B faulted (doorJammed)' });
    expect(s.ticket('big')).toEqual({ kind: 'waiting', reason: 'no lift the AGV fits in joins F1 and F2' });
    s.updateLift('LIFT-A', inService('F2'));
    s.plan();
    expect(s.ticket('a')).toMatchObject({ kind: 'ride', ride: { liftId: 'LIFT-A', phase: 'called' } });
  });

  it('calls the cabin only for an AGV waiting by the lift, the first ready first, not the first to ask', () => {
    const s = scheduler();
    s.updateLift('LIFT-B', { floor: 'F1', mode: 'outOfService', fault: null });
    for (const id of ['far', 'near']) s.request({ agvId: id, from: 'F1', to: 'F2', bodyM: 1, approachS: approach(40, 40), ready: false });
    s.plan();
    expect(s.ticket('far')).toMatchObject({ ride: { liftId: 'LIFT-A', phase: 'queued' } });
    expect(s.serving('LIFT-A')).toBeUndefined();
    s.ready('near');
    expect(s.ticket('near')).toMatchObject({ ride: { phase: 'called' }, position: 0 });
    s.ready('far');
    expect(s.nextInLine('LIFT-A')).toBe('far');
    expect(s.ticket('far')).toMatchObject({ ride: { phase: 'queued' } });
  });

  it('a lift that comes free takes over a ready ride queued on a busier lift', () => {
    const s = scheduler();
    for (const id of ['a', 'b']) s.request({ agvId: id, from: 'F1', to: 'F2', bodyM: 1, approachS: approach(5, 500), ready: id === 'a' });
    s.plan();
    expect(s.queueOf('LIFT-A')).toEqual(['a', 'b']);
    s.boarded('a');
    // b waits by LIFT-A, whose cabin is busy; from there LIFT-B is 10 s away and idle.
    s.ready('b', approach(5, 10));
    s.plan();
    expect(s.ticket('b')).toMatchObject({ ride: { liftId: 'LIFT-B', phase: 'called', fromNode: 'F1.liftB' } });
    expect(s.queueOf('LIFT-A')).toEqual(['a']);
  });

  it('weighs a takeover by the busy lift\'s measured time per ride and the AGV\'s own way to its cabin', () => {
    const s = scheduler();
    // LIFT-A's rides take 90 s each, far beyond its nominal doors, travel and boarding (a busy floor).
    s.recordCycle('LIFT-A', 90);
    s.request({ agvId: 'c', from: 'F1', to: 'F2', bodyM: 1, approachS: approach(500, 5) });
    s.request({ agvId: 'a', from: 'F1', to: 'F2', bodyM: 1, approachS: approach(5, 500) });
    s.request({ agvId: 'b', from: 'F1', to: 'F2', bodyM: 1, approachS: approach(5, 100), ready: false });
    s.plan();
    expect(s.queueOf('LIFT-A')).toEqual(['a', 'b']);
    expect(s.serving('LIFT-B')).toMatchObject({ agvId: 'c' });
    s.ready('b', approach(5, 60));
    // LIFT-B comes free: 60 s to have b on board there beats a's ride (90 s as measured) and b's way in on LIFT-A.
    s.boarded('c');
    s.arrived('c');
    s.finish('c');
    // b waits by LIFT-A, a minute's drive from LIFT-B: the ride moves, but B's cabin is called only once b waits by it.
    expect(s.ticket('b')).toMatchObject({ ride: { liftId: 'LIFT-B', phase: 'queued' } });
    expect(s.serving('LIFT-B')).toBeUndefined();
    s.ready('b', approach(60, 5));
    expect(s.ticket('b')).toMatchObject({ ride: { liftId: 'LIFT-B', phase: 'called', fromNode: 'F1.liftB' } });
  });

  it('meters cross-floor work to the lifts in service and their measured time per ride', () => {
    const s = scheduler();
    const estimate = s.cycleS('LIFT-A');
    expect(estimate).toBeGreaterThan(0);
    s.recordCycle('LIFT-A', 60);
    s.recordCycle('LIFT-B', 60);
    // Per lift: the ride it serves plus those it completes within the horizon.
    expect(s.capacity(120)).toBe(2 * (1 + 2));
    s.recordCycle('LIFT-A', 160);
    expect(s.cycleS('LIFT-A')).toBe(90);
    expect(s.capacity(120)).toBe(2 + 3);
    s.updateLift('LIFT-B', { floor: 'F1', mode: 'fire', fault: null });
    expect(s.capacity(120)).toBe(2);
  });
});
