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
  it('drives only released nodes, appends order updates that continue the path and refuses those that do not', () => {
    const a = agv();
    expect(a.acceptOrder(1, 0, path.slice(0, 2))).toBe(true);
    expect(run(a, 0, 20_000)).toEqual(['2']);
    expect(a.motion.x).toBeCloseTo(5, 6);
    expect(a.acceptOrder(1, 1, [{ id: '9', x: 0, y: 9 }, path[2]!])).toBe(false);
    expect(a.acceptOrder(1, 1, path.slice(1))).toBe(true);
    expect(run(a, 20_000, 40_000)).toEqual(['3']);
    expect(a.state).toBe('waiting');
  });

  it('a new order that starts behind the AGV skips the nodes it already passed', () => {
    const a = agv();
    a.acceptOrder(1, 0, path.slice(0, 2));
    run(a, 0, 20_000);
    a.acceptOrder(2, 0, path);
    expect(a.motion.ahead.map((p) => p.id)).toEqual(['3']);
  });

  it('stands still while stalled or e-stopped and resumes afterwards', () => {
    const a = agv();
    a.acceptOrder(1, 0, path);
    a.faults.stalled = true;
    run(a, 0, 5_000);
    expect(a.motion.x).toBe(0);
    expect(a.state).toBe('error');
    a.faults.stalled = false;
    a.faults.emergencyStop = true;
    run(a, 5_000, 10_000);
    expect(a.motion.x).toBe(0);
    expect(a.state).toBe('emergencyStop');
    a.faults.emergencyStop = false;
    run(a, 10_000, 40_000);
    expect(a.motion.lastNodeId).toBe('3');
  });

  it('takes the profile action time to pick and drop, and refuses an action while busy', () => {
    const a = agv();
    expect(a.startAction(7, 'pick', 0)).toBe(true);
    expect(a.startAction(8, 'drop', 0)).toBe(false);
    a.update(profile.actionMs - 1);
    expect(a.loaded).toBe(false);
    expect(a.state).toBe('executingAction');
    a.update(profile.actionMs);
    expect(a.loaded).toBe(true);
    expect(a.takeFinishedActions()).toEqual([{ actionId: 7, ok: true }]);
    expect(a.takeFinishedActions()).toEqual([]);
  });

  it('drains the battery while driving, charges on a charger, and stops when flat', () => {
    const a = agv(50);
    a.acceptOrder(1, 0, path);
    run(a, 0, 30_000);
    const afterDrive = a.battery;
    expect(afterDrive).toBeLessThan(50);
    a.setCharging(true);
    run(a, 30_000, 60_000);
    expect(a.battery).toBeGreaterThan(afterDrive + 10);
    expect(a.state).toBe('charging');
    const flat = agv(0);
    flat.acceptOrder(1, 0, path);
    run(flat, 0, 5_000);
    expect(flat.motion.x).toBe(0);
    expect(flat.state).toBe('error');
  });
});
