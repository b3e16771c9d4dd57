// Per-AGV planning state of the central controller, shared with the deadlock resolution.

export const NONE = -1;

export interface AgentState {
  goal: number;
  /** Side-step target that breaks a deadlock; the goal is resumed from there. */
  via: number;
  online: boolean;
  stalled: boolean;
  lastProgressMs: number;
  /** Planning rounds since the current target was set: older requests plan first (PIBT priority). */
  urgency: number;
  lastTarget: number;
  /** Node passed just before the current one: where the AGV can back off to when it is part of a deadlock. */
  cameFrom: number;
  /** Holding back (after backing off) until this time so the other side of a deadlock can pass. */
  yieldUntilMs: number;
  waitingFor?: { agvId: string; node: number; sinceMs: number };
}

/** Where the AGV is planned to: its side-step target while it has one, else its goal; nowhere while offline or stalled. */
export function targetOf(state: AgentState): number {
  if (!state.online || state.stalled) return NONE;
  return state.via !== NONE ? state.via : state.goal;
}

export interface Claim {
  agvId: string;
  round: number;
  /** The AGV the claimant waits for (it holds or covers the claimed way): the claim does not bind it. */
  blockedBy: string;
}
