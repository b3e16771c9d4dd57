import { describe, expect, it } from 'vitest';
import { RestartRecovery } from '../../src/rcs/dispatch/restart-recovery.ts';

describe('RestartRecovery', () => {
  it('holds motion back until every expected AGV settled', () => {
    const r = new RestartRecovery();
    r.begin(['A', 'B'], 0, 10_000);
    const timeouts: string[][] = [];
    expect(r.active(1, (m) => timeouts.push(m))).toBe(true);
    r.settled('A');
    expect(r.active(2, (m) => timeouts.push(m))).toBe(true);
    r.settled('B');
    expect(r.active(3, (m) => timeouts.push(m))).toBe(false);
    expect(timeouts).toEqual([]);
  });

  it('gives up at the deadline, naming the AGVs never heard from, once', () => {
    const r = new RestartRecovery();
    r.begin(['A', 'B'], 0, 10_000);
    r.settled('B');
    const timeouts: string[][] = [];
    expect(r.active(10_000, (m) => timeouts.push(m))).toBe(false);
    expect(r.active(10_001, (m) => timeouts.push(m))).toBe(false);
    expect(timeouts).toEqual([['A']]);
  });

  it('is inactive on a fresh site and tells each still-driving AGV to stop only once', () => {
    const r = new RestartRecovery();
    r.begin([], 0, 10_000);
    expect(r.active(0, () => {})).toBe(false);
    expect(r.shouldTellToStop('A')).toBe(true);
    expect(r.shouldTellToStop('A')).toBe(false);
  });
});
