import { describe, expect, it } from 'vitest';
import { VENDOR_PROFILES } from '../../src/agv/sim/profiles.ts';
import { VirtualAgv } from '../../src/agv/sim/virtual-agv.ts';

const profile = VENDOR_PROFILES[0]!;
const path = [
  { id: '1', x: 0, y: 0 },
  { id: '2', x: 5, y: 0 },
  { id: '3', x: 10, y: 0 },
];

function agv(battery = 80): VirtualAgv {
  return new VirtualAgv('T', profile, { nodeId: '1', x: 0, y: 0 }, 0, battery);
}

function run(a: VirtualAgv, fromMs: number, toMs: number, stepMs = 100): string[] {
  const reached: string[] = [];
  for (let t = fromMs + stepMs; t <= toMs; t += stepMs) reached.push(...a.update(t));
  return reached;
}

describe('VirtualAgv (simulated body)', () => {
  it('drives the points it is given and brakes at the next one when stopped', () => {
    const a = agv();
    for (const p of path.slice(1)) a.driveTo(p);
    expect(run(a, 0, 2_000)).toEqual([]);
    expect(a.stopAtNextNode()).toBe(1);
    expect(run(a, 2_000, 30_000)).toEqual(['2']);
    expect(a.motion.x).toBeCloseTo(5, 6);
    expect(a.moving).toBe(false);
  });

  it('stands still while stalled or e-stopped and resumes afterwards', () => {
    const a = agv();
    for (const p of path.slice(1)) a.driveTo(p);
    a.faults.stalled = true;
    run(a, 0, 5_000);
    expect(a.motion.x).toBe(0);
    a.faults.stalled = false;
    a.faults.emergencyStop = true;
    run(a, 5_000, 10_000);
    expect(a.motion.x).toBe(0);
    a.faults.emergencyStop = false;
    run(a, 10_000, 40_000);
    expect(a.motion.lastNodeId).toBe('3');
  });

  it('takes the profile action time to pick and drop, and refuses an action while busy', () => {
    const a = agv();
    expect(a.startAction('pick', 0)).toBe(true);
    expect(a.startAction('drop', 0)).toBe(false);
    a.update(profile.actionMs - 1);
    expect(a.loaded).toBe(false);
    expect(a.action?.kind).toBe('pick');
    a.update(profile.actionMs);
    expect(a.loaded).toBe(true);
    expect(a.action).toBeUndefined();
  });

  it('drains the battery while driving, charges on a charger, and stops when flat', () => {
    const a = agv(50);
    for (const p of path.slice(1)) a.driveTo(p);
    run(a, 0, 30_000);
    const afterDrive = a.battery;
    expect(afterDrive).toBeLessThan(50);
    a.setCharging(true);
    run(a, 30_000, 60_000);
    expect(a.battery).toBeGreaterThan(afterDrive + 10);
    const flat = agv(0);
    for (const p of path.slice(1)) flat.driveTo(p);
    run(flat, 0, 5_000);
    expect(flat.motion.x).toBe(0);
  });
});
