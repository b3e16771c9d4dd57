import type { Clock } from '../../core/index.ts';
import type { Logger } from '../logger.ts';
import type { EventRepository } from '../store/types.ts';

// Security-relevant decisions of the session layer — refused accesses and registrations, rejected secure frames,
// refused takeovers, per-source limits hit, admission decisions — are counted (every one, for metrics) and written
// to the event log. A hostile source can cause thousands per second, so the log takes at most one event per
// kind and reason per window and says how many it left out, keeping the store's load bounded.

export type AuditKind = 'access_refused' | 'registration_refused' | 'secure_frame_rejected' | 'takeover_refused' | 'source_limited' | 'admission';

export interface AuditEntry {
  kind: AuditKind;
  /** Short machine-readable reason (an AccessResult, a protocol error code, a limit name, a decision). */
  reason: string;
  agvId?: string;
  /** Connection source, e.g. "10.0.0.7:51234". */
  peer?: string;
  detail: string;
}

/** Event-log type per kind (access.refused and registration.refused predate the audit and keep their names). */
export const AUDIT_EVENT_TYPES: Record<AuditKind, string> = {
  access_refused: 'access.refused',
  registration_refused: 'registration.refused',
  secure_frame_rejected: 'secure.frame_rejected',
  takeover_refused: 'session.takeover_refused',
  source_limited: 'session.source_limited',
  admission: 'agv.admission',
};

export const AUDIT_EVENT_WINDOW_MS = 10_000;
/** Events logged per kind and reason within one window; the rest are only counted. */
export const AUDIT_EVENTS_PER_WINDOW = 5;

export class SessionAudit {
  private readonly listeners = new Set<(entry: AuditEntry) => void>();
  /** Per kind+reason: when its current window started, events logged and left out in it. */
  private readonly windows = new Map<string, { since: number; logged: number; suppressed: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly events: EventRepository,
    private readonly logger: Logger,
  ) {}

  onEntry(listener: (entry: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(entry: AuditEntry): void {
    for (const listener of this.listeners) listener(entry);
    const now = this.clock.now();
    const key = `${entry.kind}:${entry.reason}`;
    let window = this.windows.get(key);
    let suppressed = 0;
    if (!window || now - window.since >= AUDIT_EVENT_WINDOW_MS) {
      suppressed = window?.suppressed ?? 0;
      window = { since: now, logged: 0, suppressed: 0 };
      this.windows.set(key, window);
    }
    if (window.logged >= AUDIT_EVENTS_PER_WINDOW) {
      window.suppressed++;
      return;
    }
    window.logged++;
    const more = suppressed > 0 ? ` (${suppressed} more like it in the previous window not logged)` : '';
    void this.events
      .append({
        at: now,
        severity: entry.kind === 'admission' ? 'info' : 'warning',
        type: AUDIT_EVENT_TYPES[entry.kind],
        message: `${entry.detail}${more}`,
        agvId: entry.agvId ?? null,
        data: { reason: entry.reason, peer: entry.peer, suppressed },
      })
      .catch((err: unknown) => this.logger.error({ err, kind: entry.kind }, 'audit event not stored'));
  }
}
