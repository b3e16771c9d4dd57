import { findCycles } from '../../traffic/wait-for.ts';
import type { HealthCheck } from './types.ts';

// Checks over the traffic state: who waits for whom, and for how long.

const MAX_SUBJECTS = 20;
const LONG_WAIT_MS = 2 * 60_000;

export const trafficChecks: HealthCheck[] = [
  {
    id: 'traffic.deadlock',
    area: 'traffic',
    run({ waits }) {
      // AGVs on a cycle of the wait-for graph (each waits for the next): a deadlock unless the controller resolves it.
      const cycles = findCycles(new Map(waits.map((w) => [w.agvId, w.blockedBy])));
      if (cycles.length === 0) return [];
      return [
        {
          risk: 'high',
          title: `${cycles.length} groups of AGVs wait on each other in a cycle (${cycles.map((c) => c.length).join(', ')} AGVs)`,
          impact: 'none of them can move until the cycle is broken; traffic behind them backs up',
          fix: 'the traffic controller resolves cycles on its next tick; if this persists across runs, check for AGVs that ignore replanned paths, or move one AGV out manually',
          subjects: cycles.flat().slice(0, MAX_SUBJECTS),
        },
      ];
    },
  },
  {
    id: 'traffic.long_waits',
    area: 'traffic',
    run({ waits, now }) {
      const long = waits.filter((w) => now - w.sinceMs > LONG_WAIT_MS);
      if (long.length === 0) return [];
      return [
        {
          risk: 'low',
          title: `${long.length} AGVs have waited over 2 min for a node held by another AGV`,
          impact: 'tasks are delayed; a frequent blocker often marks a bottleneck in the layout',
          fix: `look at the blockers (${[...new Set(long.map((w) => w.blockedBy))].slice(0, 5).join(', ')}): stalled or offline AGVs first, then consider a bypass or one-way aisles there`,
          subjects: long.slice(0, MAX_SUBJECTS).map((w) => w.agvId),
        },
      ];
    },
  },
];
