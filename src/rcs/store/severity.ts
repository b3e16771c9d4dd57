import type { EventSeverity } from './types.ts';

const ORDER: readonly EventSeverity[] = ['debug', 'info', 'warning', 'error', 'critical'];

/** The severities at or above `min`: event and alarm filters mean "at least this bad". */
export function severitiesAtLeast(min: EventSeverity | undefined): EventSeverity[] {
  return min === undefined ? [...ORDER] : ORDER.slice(ORDER.indexOf(min));
}
