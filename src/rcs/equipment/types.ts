// The platform's view of lifts and doors: what a site's equipment must tell it and what it may ask. One interface
// for the simulated controllers (demo, tests, benchmarks) and for real equipment behind an MQTT gateway
// (mqtt-binding.ts, docs/lifts-and-doors.md), so the lift scheduler never knows which one it talks to.

/** Who the lift serves now. Only `agv` mode accepts rides from the platform; the others are set at the lift. */
export type LiftMode = 'agv' | 'human' | 'outOfService' | 'fire';
export const LIFT_MODES: readonly LiftMode[] = ['agv', 'human', 'outOfService', 'fire'];

/** A door leaf, the cabin's or a building door's. */
export type DoorPosition = 'open' | 'opening' | 'closed' | 'closing';
export const DOOR_POSITIONS: readonly DoorPosition[] = ['open', 'opening', 'closed', 'closing'];

export type LiftMotion = 'idle' | 'up' | 'down';
export const LIFT_MOTIONS: readonly LiftMotion[] = ['idle', 'up', 'down'];

export interface LiftState {
  liftId: string;
  /** The floor (map id) the cabin stands at, or last passed while moving. */
  floor: string;
  door: DoorPosition;
  motion: LiftMotion;
  mode: LiftMode;
  /** The ride session that holds the cabin; null when free. */
  sessionId: string | null;
  /** A fault the lift reports (e.g. `doorJammed`); null when healthy. Cleared by the lift, not by the platform. */
  fault: string | null;
}

export interface DoorState {
  doorId: string;
  position: DoorPosition;
  /** A fault the door reports (e.g. `jammed`); null when healthy. */
  fault: string | null;
}

/** A command's answer: accepted means the equipment will act; what it did shows in the state that follows. */
export type CommandReply = { accepted: true } | { accepted: false; reason: string };

export type Unsubscribe = () => void;

export interface LiftController {
  readonly liftId: string;
  /** The last state known (for a remote lift: the last state message received). */
  state(): LiftState;
  /**
   * Reserve the cabin for `sessionId` and bring it to `floor` with its doors open. Refused when the lift is not in
   * `agv` mode or another session holds it. Calling again with the same session re-targets the held cabin.
   */
  call(sessionId: string, floor: string): Promise<CommandReply>;
  /** Give the cabin back: the doors close and the lift is free for the next session (or for people). */
  release(sessionId: string): Promise<CommandReply>;
  onState(listener: (state: LiftState) => void): Unsubscribe;
}

export interface DoorController {
  readonly doorId: string;
  state(): DoorState;
  open(): Promise<CommandReply>;
  close(): Promise<CommandReply>;
  onState(listener: (state: DoorState) => void): Unsubscribe;
}

/** True when an AGV may drive into (or out of) the cabin at `floor` under `sessionId`: the cabin's entry rule. */
export function cabinOpenAt(state: LiftState, floor: string, sessionId: string): boolean {
  return state.sessionId === sessionId && state.floor === floor && state.motion === 'idle' && state.door === 'open' && state.mode === 'agv';
}
