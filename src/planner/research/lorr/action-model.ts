import type { LorrMap } from './formats.ts';

// The 2023 "MAPF_T" action model: a state is (location, orientation); every action takes one timestep.

/** Orientation: 0 east, 1 south, 2 west, 3 north. */
export type Orientation = 0 | 1 | 2 | 3;

/** F forward one cell, R turn clockwise, C turn counter-clockwise, W wait. */
export type LorrAction = 'F' | 'R' | 'C' | 'W';
export const LORR_ACTIONS: readonly LorrAction[] = ['F', 'R', 'C', 'W'];

export interface AgentState {
  location: number;
  orientation: Orientation;
}

/** Location offset of one step forward for each orientation on a map of this width. */
export function forwardOffsets(width: number): readonly [number, number, number, number] {
  return [1, width, -1, -width];
}

/** The state after one action, ignoring other agents and obstacles (the rules check those separately). */
export function applyLorrAction(map: Pick<LorrMap, 'width'>, state: AgentState, action: LorrAction): AgentState {
  switch (action) {
    case 'F':
      return { location: state.location + forwardOffsets(map.width)[state.orientation], orientation: state.orientation };
    case 'R':
      return { location: state.location, orientation: ((state.orientation + 1) % 4) as Orientation };
    case 'C':
      return { location: state.location, orientation: ((state.orientation + 3) % 4) as Orientation };
    case 'W':
      return state;
  }
}
