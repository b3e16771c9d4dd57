import type { Clock } from '../../core/clock.ts';
import { Listeners } from './listeners.ts';
import type { CommandReply, LiftController, LiftMode, LiftState, Unsubscribe } from './types.ts';

export interface SimulatedLiftOptions {
  liftId: string;
  /** Floors (map ids) bottom to top; travel time grows with the distance in this list. */
  floors: string[];
  startFloor?: string;
  /** Seconds for the cabin doors to open, and again to close. */
  doorS: number;
  /** Seconds of travel per floor. */
  travelSPerFloor: number;
  clock: Clock;
}

/**
 * A lift cabin in software: doors take `doorS` to open or close, travel takes `travelSPerFloor` per floor. It keeps
 * the rules a real controller keeps (rides only in `agv` mode, one session at a time, never moves with doors open)
 * and lets tests and the demo inject what goes wrong at real sites: a mode change at the lift (out of service, fire)
 * and doors that will not open.
 */
export class SimulatedLift implements LiftController {
  readonly liftId: string;
  private current: LiftState;
  private readonly listeners = new Listeners<LiftState>();
  private target: string | null = null;
  private cancelStep: (() => void) | null = null;
  private doorsJammed = false;

  constructor(private readonly options: SimulatedLiftOptions) {
    if (options.floors.length === 0) throw new Error(`lift ${options.liftId}: no floors`);
    const start = options.startFloor ?? options.floors[0]!;
    if (!options.floors.includes(start)) throw new Error(`lift ${options.liftId}: start floor '${start}' is not served`);
    this.liftId = options.liftId;
    this.current = { liftId: options.liftId, floor: start, door: 'closed', motion: 'idle', mode: 'agv', sessionId: null, fault: null };
  }

  state(): LiftState {
    return { ...this.current };
  }

  onState(listener: (state: LiftState) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  call(sessionId: string, floor: string): Promise<CommandReply> {
    const refusal = this.refusal(sessionId, floor);
    if (refusal) return Promise.resolve({ accepted: false, reason: refusal });
    if (this.current.sessionId !== sessionId) this.update({ sessionId });
    this.target = floor;
    if (!this.cancelStep) this.step();
    return Promise.resolve({ accepted: true });
  }

  release(sessionId: string): Promise<CommandReply> {
    if (this.current.sessionId !== sessionId) return Promise.resolve({ accepted: false, reason: `session ${sessionId} does not hold lift ${this.liftId}` });
    this.target = null;
    this.update({ sessionId: null });
    if (!this.cancelStep) this.step();
    return Promise.resolve({ accepted: true });
  }

  /** Set at the lift (key switch, fire alarm, maintenance). Leaving `agv` mode ends the ride session. */
  setMode(mode: LiftMode): void {
    if (mode === this.current.mode) return;
    if (mode !== 'agv') this.target = null;
    this.update(mode === 'agv' ? { mode } : { mode, sessionId: null });
    if (!this.cancelStep) this.step();
  }

  /** Doors that will not open (an obstacle, a broken drive): the lift reports `doorJammed` until cleared. */
  jamDoors(jammed: boolean): void {
    this.doorsJammed = jammed;
    if (!jammed && this.current.fault === 'doorJammed') this.update({ fault: null });
    if (!this.cancelStep) this.step();
  }

  private refusal(sessionId: string, floor: string): string | null {
    if (!this.options.floors.includes(floor)) return `lift ${this.liftId} does not serve floor '${floor}'`;
    if (this.current.mode !== 'agv') return `lift ${this.liftId} is in ${this.current.mode} mode`;
    if (this.current.sessionId !== null && this.current.sessionId !== sessionId) return `lift ${this.liftId} is held by another session`;
    return null;
  }

  /** One state transition toward where the lift should be; schedules the next. */
  private step(): void {
    this.cancelStep = null;
    const s = this.current;
    const doorMs = this.options.doorS * 1000;
    const wantsOpen = this.target !== null && this.target === s.floor;
    if (s.door === 'opening') return this.after(doorMs, () => this.update({ door: 'open' }));
    if (s.door === 'closing') return this.after(doorMs, () => this.update({ door: 'closed' }));
    if (s.door === 'open') {
      if (wantsOpen) return;
      this.update({ door: 'closing' });
      return this.step();
    }
    // Doors closed from here on.
    if (this.target === null || s.mode !== 'agv') return;
    if (this.target === s.floor) {
      if (this.doorsJammed) {
        if (s.fault !== 'doorJammed') this.update({ fault: 'doorJammed' });
        return;
      }
      this.update({ door: 'opening' });
      return this.step();
    }
    const floors = this.options.floors;
    const from = floors.indexOf(s.floor);
    const to = floors.indexOf(this.target);
    const direction = to > from ? 1 : -1;
    const motion = direction > 0 ? 'up' : 'down';
    if (s.motion !== motion) this.update({ motion });
    this.after(this.options.travelSPerFloor * 1000, () => {
      const floor = floors[from + direction]!;
      this.update({ floor, motion: floor === this.target || this.target === null ? 'idle' : this.current.motion });
    });
  }

  private after(ms: number, change: () => void): void {
    this.cancelStep = this.options.clock.setTimeout(() => {
      this.cancelStep = null;
      change();
      this.step();
    }, ms);
  }

  private update(change: Partial<LiftState>): void {
    this.current = { ...this.current, ...change };
    this.listeners.emit(this.state());
  }
}
