import { pino, type Logger, type DestinationStream, type LoggerOptions } from 'pino';

// Structured JSON logs. Every line about an AGV or a task carries agvId / taskId as fields (not inside the
// message text), so a log pipeline can filter by the objects operators care about. The composition root creates
// the one logger from the configured level and hands it to every service; a service nobody handed one to stays
// silent (unit tests, embedded use).

export type { Logger } from 'pino';

export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  return pino({ level: 'info', base: { service: 'unifleet' }, ...options }, destination);
}

/** The logger of a part that was not handed one: writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A child logger whose lines all carry the AGV and task they are about. */
export function objectLogger(logger: Logger, ids: { agvId?: string | null; taskId?: string | null }): Logger {
  const fields: Record<string, string> = {};
  if (ids.agvId) fields.agvId = ids.agvId;
  if (ids.taskId) fields.taskId = ids.taskId;
  return logger.child(fields);
}
