import type { Clock } from '../../core/clock.ts';
import { Listeners } from './listeners.ts';
import type { CommandReply, DoorController, DoorState, Unsubscribe } from './types.ts';

export interface SimulatedDoorOptions {
  doorId: string;
  /** Seconds to open, and again to close. */
  travelS: number;
  clock: Clock;
}

/** A fire or roller door in software: opens and closes in `travelS`; tests jam it to see the platform re-route. */
export class SimulatedDoor implements DoorController {
  readonly doorId: string;
  private current: DoorState;
  private readonly listeners = new Listeners<DoorState>();
  private cancelMove: (() => void) | null = null;
  private jammed = false;

  constructor(private readonly options: SimulatedDoorOptions) {
    this.doorId = options.doorId;
    this.current = { doorId: options.doorId, position: 'closed', fault: null };
  }

  state(): DoorState {
    return { ...this.current };
  }

  onState(listener: (state: DoorState) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  open(): Promise<CommandReply> {
    if (this.jammed) {
      this.update({ fault: 'jammed' });
      return Promise.resolve({ accepted: true });
    }
    this.move('opening', 'open');
    return Promise.resolve({ accepted: true });
  }

  close(): Promise<CommandReply> {
    this.move('closing', 'closed');
    return Promise.resolve({ accepted: true });
  }

  /** A door that will not open: an `open` leaves it closed and reports `jammed` until cleared. */
  jam(jammed: boolean): void {
    this.jammed = jammed;
    if (!jammed && this.current.fault) this.update({ fault: null });
  }

  private move(during: 'opening' | 'closing', end: 'open' | 'closed'): void {
    if (this.current.position === end || this.current.position === during) return;
    this.cancelMove?.();
    this.update({ position: during });
    this.cancelMove = this.options.clock.setTimeout(() => {
      this.cancelMove = null;
      this.update({ position: end });
    }, this.options.travelS * 1000);
  }

  private update(change: Partial<DoorState>): void {
    this.current = { ...this.current, ...change };
    this.listeners.emit(this.state());
  }
}
