import { pino, type Logger, type DestinationStream, type LoggerOptions } from 'pino';

// Structured JSON logs. Every line about an AGV or a task carries agvId / taskId as fields (not inside the
// message text), so a log pipeline can filter by the objects operators care about.

export type { Logger } from 'pino';

export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  // Test runs stay quiet unless asked: hundreds of log lines would bury the test report.
  const level = process.env.UNIFLEET_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino({ level, base: { service: 'unifleet' }, ...options }, destination);
}

/** A child logger whose lines all carry the AGV and task they are about. */
export function objectLogger(logger: Logger, ids: { agvId?: string | null; taskId?: string | null }): Logger {
  const fields: Record<string, string> = {};
  if (ids.agvId) fields.agvId = ids.agvId;
  if (ids.taskId) fields.taskId = ids.taskId;
  return logger.child(fields);
}
