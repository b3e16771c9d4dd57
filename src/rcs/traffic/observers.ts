import type { TrafficEvent, TrafficObserver } from './types.ts';

/** The observers of one traffic controller: both controllers tell theirs through this. */
export class TrafficObservers {
  private readonly observers = new Set<TrafficObserver>();

  add(observer: TrafficObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  event(event: TrafficEvent): void {
    for (const o of this.observers) o.event?.(event);
  }

  planStep(ms: number): void {
    for (const o of this.observers) o.planStep?.(ms);
  }

  planSlice(ms: number): void {
    for (const o of this.observers) o.planSlice?.(ms);
  }

  granted(agvIds: readonly string[]): void {
    for (const o of this.observers) o.granted?.(agvIds);
  }
}
