import { describe, expect, it } from 'vitest';
import { checkJointAction, LorrSimulation, parseLorrMap, RoundRobinTasks, type AgentState } from '../../src/planner/research/lorr/index.ts';

// 5 wide x 3 high; obstacle at (row 1, col 2) = location 7.
const map = parseLorrMap(['type octile', 'height 3', 'width 5', 'map', '.....', '..@..', '.....'].join('\n'));
const at = (location: number, orientation: AgentState['orientation'] = 0): AgentState => ({ location, orientation });

describe('MAPF_T rules (independent validator)', () => {
  it('accepts forward moves, turns, waits and following', () => {
    // Agent 0 follows agent 1 east along the top row.
    expect(checkJointAction(map, [at(0), at(1)], ['F', 'F'])).toBeNull();
    expect(checkJointAction(map, [at(0), at(1, 1)], ['R', 'C'])).toBeNull();
    expect(checkJointAction(map, [at(0)], ['W'])).toBeNull();
  });

  it('accepts a rotating cycle of four agents (no two swap)', () => {
    // 2x2 block at top-left: 0 (0,0) east, 1 (0,1) south, 6 (1,1) west, 5 (1,0) north.
    expect(checkJointAction(map, [at(0, 0), at(1, 1), at(6, 2), at(5, 3)], ['F', 'F', 'F', 'F'])).toBeNull();
  });

  it('rejects vertex conflicts', () => {
    const v = checkJointAction(map, [at(0, 0), at(2, 2)], ['F', 'F']);
    expect(v?.kind).toBe('vertex');
    expect(v?.agents).toEqual([0, 1]);
    // Moving into a cell whose occupant stays is a vertex conflict too.
    expect(checkJointAction(map, [at(0, 0), at(1, 1)], ['F', 'W'])?.kind).toBe('vertex');
  });

  it('rejects swaps', () => {
    expect(checkJointAction(map, [at(0, 0), at(1, 2)], ['F', 'F'])?.kind).toBe('swap');
  });

  it('rejects moves into obstacles and off the map, including wrapping across a row end', () => {
    expect(checkJointAction(map, [at(6, 0)], ['F'])?.kind).toBe('obstacle');
    expect(checkJointAction(map, [at(0, 3)], ['F'])?.kind).toBe('off-map');
    expect(checkJointAction(map, [at(4, 0)], ['F'])?.kind).toBe('off-map'); // east edge: 4 + 1 = 5 is the next row
    expect(checkJointAction(map, [at(5, 2)], ['F'])?.kind).toBe('off-map');
    expect(checkJointAction(map, [at(12, 1)], ['F'])?.kind).toBe('off-map');
  });

  it('rejects malformed joint actions', () => {
    expect(checkJointAction(map, [at(0)], [])?.kind).toBe('malformed');
    expect(checkJointAction(map, [at(0)], ['X'])?.kind).toBe('malformed');
  });
});

describe('round-robin task assignment', () => {
  it('gives agent i tasks i, i+n, i+2n, ... wrapping around the list', () => {
    const tasks = Int32Array.from([10, 11, 12, 13, 14]);
    const rr = new RoundRobinTasks(tasks, 2);
    expect([rr.next(0), rr.next(0), rr.next(0), rr.next(0)].map((t) => t?.index)).toEqual([0, 2, 4, 1]);
    expect([rr.next(1), rr.next(1), rr.next(1)].map((t) => t?.location)).toEqual([11, 13, 10]);
    const fixed = new RoundRobinTasks(tasks, 2, false);
    expect([fixed.next(1), fixed.next(1), fixed.next(1)].map((t) => t?.index ?? null)).toEqual([1, 3, null]);
  });
});

describe('LorrSimulation', () => {
  it('replaces an illegal joint action by everyone waiting, and finishes tasks when the cell is occupied', () => {
    // Agent 0 at 0 (task list: 1, then 3); agent 1 at 10 (task 11).
    const sim = new LorrSimulation(map, Int32Array.from([0, 10]), Int32Array.from([1, 11, 3, 12]));
    expect(Array.from(sim.goals())).toEqual([1, 11]);
    const rejected = sim.step(['F', 'X']);
    expect(rejected.violation?.kind).toBe('malformed');
    expect(rejected.executed).toEqual(['W', 'W']);
    expect(sim.states.map((s) => s.location)).toEqual([0, 10]);
    expect(sim.rejectedSteps).toBe(1);

    const moved = sim.step(['F', 'F']);
    expect(moved.violation).toBeNull();
    expect(moved.finished.map((f) => [f.agent, f.task.index])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(sim.tasksFinished).toBe(2);
    expect(Array.from(sim.goals())).toEqual([3, 12]);

    const late = sim.step(['F', 'F'], true);
    expect(late.missedDeadline).toBe(true);
    expect(sim.states.map((s) => s.location)).toEqual([1, 11]);
    expect(sim.timestep).toBe(3);
  });

  it('applies turns: R clockwise, C counter-clockwise', () => {
    const sim = new LorrSimulation(map, Int32Array.from([0]), Int32Array.from([14]));
    sim.step(['R']);
    expect(sim.states[0]!.orientation).toBe(1);
    sim.step(['C']);
    sim.step(['C']);
    expect(sim.states[0]!.orientation).toBe(3);
  });
});
