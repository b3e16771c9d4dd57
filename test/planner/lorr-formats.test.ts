import { describe, expect, it } from 'vitest';
import { LorrFormatError, parseLorrAgents, parseLorrMap, parseLorrProblem, parseLorrTasks } from '../../src/planner/research/lorr/index.ts';

const MAP = ['type octile', 'height 3', 'width 4', 'map', '.E@.', 'S..T', '....', ''].join('\n');

describe('LoRR 2023 file parsers', () => {
  it('parses a problem file with its defaults', () => {
    const problem = parseLorrProblem(
      '{"mapFile":"maps/a.map","agentFile":"agents/a.agents","teamSize":10,"taskFile":"tasks/a.tasks","numTasksReveal":1,"taskAssignmentStrategy":"roundrobin"}',
    );
    expect(problem).toEqual({
      mapFile: 'maps/a.map',
      agentFile: 'agents/a.agents',
      taskFile: 'tasks/a.tasks',
      teamSize: 10,
      numTasksReveal: 1,
      taskAssignmentStrategy: 'roundrobin',
    });
    expect(parseLorrProblem('{"mapFile":"m","agentFile":"a","taskFile":"t","teamSize":2}').numTasksReveal).toBe(1);
  });

  it('rejects malformed problem files with a typed error', () => {
    expect(() => parseLorrProblem('{')).toThrow(LorrFormatError);
    expect(() => parseLorrProblem('[]')).toThrow(/JSON object/);
    expect(() => parseLorrProblem('{"mapFile":"m","agentFile":"a","taskFile":"t","teamSize":0}')).toThrow(/teamSize/);
    expect(() => parseLorrProblem('{"mapFile":"m","agentFile":"a","taskFile":"t","teamSize":1,"taskAssignmentStrategy":"x"}')).toThrow(
      /taskAssignmentStrategy/,
    );
  });

  it('parses maps: only @ and T are obstacles, E and S are free, locations are row * width + col', () => {
    const map = parseLorrMap(MAP);
    expect(map.width).toBe(4);
    expect(map.height).toBe(3);
    expect(Array.from(map.obstacle)).toEqual([0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('rejects truncated maps', () => {
    expect(() => parseLorrMap('type octile\nheight 3\nwidth 4\nmap\n....\n....\n')).toThrow(LorrFormatError);
    expect(() => parseLorrMap('height 3\nwidth 4\n')).toThrow(/missing "map"/);
  });

  it('parses agents and tasks files and checks them against the map', () => {
    const map = parseLorrMap(MAP);
    expect(Array.from(parseLorrAgents('2\n0\n5\n', map))).toEqual([0, 5]);
    expect(Array.from(parseLorrTasks('3\n1\n4\n11\n', map))).toEqual([1, 4, 11]);
    expect(() => parseLorrAgents('2\n0\n0\n', map)).toThrow(/two agents/);
    expect(() => parseLorrAgents('1\n2\n', map)).toThrow(/obstacle/);
    expect(() => parseLorrTasks('1\n12\n', map)).toThrow(/off the map/);
    expect(() => parseLorrTasks('3\n1\n4\n', map)).toThrow(/declares 3/);
    expect(() => parseLorrTasks('1\nx\n', map)).toThrow(/not a location/);
    expect(() => parseLorrTasks('0\n', map)).toThrow(/no tasks/);
  });
});
