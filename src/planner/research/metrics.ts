import type { DistanceTable } from '../distance.ts';

/** Time step at which the agent last arrives at the end of its path (0 if it never moves away from it). */
export function arrivalTime(path: ArrayLike<number>): number {
  const last = path[path.length - 1];
  let t = path.length - 1;
  while (t > 0 && path[t - 1] === last) t--;
  return t;
}

/** Sum of costs: each agent's last arrival time at its goal, summed. */
export function sumOfCosts(paths: readonly ArrayLike<number>[]): number {
  let total = 0;
  for (const p of paths) total += arrivalTime(p);
  return total;
}

/** Latest arrival over all agents. */
export function makespan(paths: readonly ArrayLike<number>[]): number {
  let worst = 0;
  for (const p of paths) worst = Math.max(worst, arrivalTime(p));
  return worst;
}

/** Sum of single-agent shortest-path lengths (ignoring other agents): the usual SoC lower bound. */
export function sumOfCostsLowerBound(distances: DistanceTable, starts: ArrayLike<number>, goals: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < starts.length; i++) total += distances.get(goals[i]!, starts[i]!);
  return total;
}
