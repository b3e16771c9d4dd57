import { applyLorrAction, LORR_ACTIONS, type AgentState, type LorrAction } from './action-model.ts';
import type { LorrMap } from './formats.ts';

// The 2023 Start-Kit's validity check for one joint action, written independently of any planner so it can
// judge planners: a joint action is legal only if every agent stays on the map and off obstacles, no two
// agents end in the same cell (vertex conflict) and no two agents swap cells (edge conflict). Following
// (moving into a cell its occupant leaves in the same step) and rotating cycles of three or more are legal.

export type ViolationKind = 'malformed' | 'off-map' | 'obstacle' | 'vertex' | 'swap';

export interface Violation {
  kind: ViolationKind;
  /** The agents involved, lowest index first. */
  agents: number[];
  message: string;
}

export function checkJointAction(map: LorrMap, prev: readonly AgentState[], actions: readonly unknown[]): Violation | null {
  if (actions.length !== prev.length) {
    return { kind: 'malformed', agents: [], message: `expected ${prev.length} actions, got ${actions.length}` };
  }
  const cells = map.width * map.height;
  const endsAt = new Map<number, number>();
  // key "from,to" of every edge traversed, to catch an agent going the opposite way.
  const traversed = new Map<string, number>();
  for (let i = 0; i < prev.length; i++) {
    const action = actions[i];
    if (!LORR_ACTIONS.includes(action as LorrAction)) {
      return { kind: 'malformed', agents: [i], message: `agent ${i}: unknown action ${JSON.stringify(action)}` };
    }
    const from = prev[i]!.location;
    const to = applyLorrAction(map, prev[i]!, action as LorrAction).location;
    const rowJump = Math.abs(Math.floor(to / map.width) - Math.floor(from / map.width));
    const colJump = Math.abs((((to % map.width) + map.width) % map.width) - (from % map.width));
    if (to < 0 || to >= cells || rowJump + colJump > 1) {
      return { kind: 'off-map', agents: [i], message: `agent ${i}: moves off the map from ${from}` };
    }
    if (map.obstacle[to]) return { kind: 'obstacle', agents: [i], message: `agent ${i}: moves into obstacle ${to}` };
    const other = endsAt.get(to);
    if (other !== undefined) {
      return { kind: 'vertex', agents: [other, i], message: `agents ${other} and ${i} both end at ${to}` };
    }
    endsAt.set(to, i);
    if (from !== to) {
      const opposite = traversed.get(`${to},${from}`);
      if (opposite !== undefined) {
        return { kind: 'swap', agents: [opposite, i], message: `agents ${opposite} and ${i} swap ${from} and ${to}` };
      }
      traversed.set(`${from},${to}`, i);
    }
  }
  return null;
}
