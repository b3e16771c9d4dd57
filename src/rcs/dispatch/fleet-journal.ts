import type { Clock } from '../../core/index.ts';
import { objectLogger, type Logger } from '../logger.ts';
import type { EventRepository, EventSeverity } from '../store/types.ts';

// Where the fleet runtime reports what happened: the event log operators read, and the process log for failures the
// fleet absorbs (a task update that did not go through, an event that could not be written). Neither may stop the
// fleet, so both are best effort.

export interface JournalIds {
  agvId?: string;
  taskId?: string;
}

export class FleetJournal {
  constructor(
    private readonly clock: Clock,
    private readonly events: EventRepository | undefined,
    private readonly logger: Logger | undefined,
  ) {}

  async record(severity: EventSeverity, type: string, message: string, ids: JournalIds = {}): Promise<void> {
    try {
      await this.events?.append({ at: this.clock.now(), severity, type, message, agvId: ids.agvId ?? null, taskId: ids.taskId ?? null });
    } catch (err) {
      this.log(ids)?.warn({ err, type }, 'event log write failed');
    }
  }

  /** Logs a failure the fleet carries on from, with the AGV and task it concerns. */
  failed(ids: JournalIds, err: unknown, what: string): void {
    this.log(ids)?.error({ err }, what);
  }

  /** Runs a task-store update; a failure is logged and recorded and yields undefined (the fleet carries on). */
  async attempt<T>(ids: JournalIds, update: () => Promise<T>): Promise<T | undefined> {
    try {
      return await update();
    } catch (err) {
      this.log(ids)?.warn({ err }, 'task update failed');
      await this.record('warning', 'task.update_failed', err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  private log(ids: JournalIds): Logger | undefined {
    return this.logger && objectLogger(this.logger, ids);
  }
}
