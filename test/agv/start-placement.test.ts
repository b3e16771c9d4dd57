import { describe, expect, it } from 'vitest';
import { chooseStarts } from '../../src/agv/sim/start-placement.ts';

// A row of parking spots 1 m apart: a 1.8 m forklift (radius 0.9) may not start next to a 0.9 m lifter (0.45).
const row = Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, x: i, y: 0 }));

describe('simulated start positions', () => {
  it('takes the preferred spots in order when the bodies fit side by side', () => {
    expect(chooseStarts(row, [0.45, 0.45, 0.45])).toEqual(['p0', 'p1', 'p2']);
  });

  it('skips a spot where the body would reach into an AGV already started', () => {
    // lifter p0; forklift needs 1.35 m from it → p2; next lifter needs 1.35 m from the forklift → p4 (p1 and p3 are too close).
    expect(chooseStarts(row, [0.45, 0.9, 0.45])).toEqual(['p0', 'p2', 'p4']);
  });

  it('only compares AGVs on the same map', () => {
    const twoFloors = [{ id: 'a', x: 0, y: 0, map: 'F1' }, { id: 'b', x: 0, y: 0, map: 'F2' }];
    expect(chooseStarts(twoFloors, [0.9, 0.9])).toEqual(['a', 'b']);
  });

  it('falls back to the first free spot when no clear one is left, and refuses more AGVs than nodes', () => {
    expect(chooseStarts(row.slice(0, 2), [0.9, 0.9])).toEqual(['p0', 'p1']);
    expect(() => chooseStarts(row.slice(0, 1), [0.45, 0.45])).toThrow(/cannot start 2 AGVs/);
  });
});
