// After a restart the platform no longer knows which nodes it had released to which AGV. Until every AGV that was
// active before has reported standing still on a node (or the deadline passes), no motion is released to anyone;
// AGVs still driving an old order are told once to stop at their next node.

export class RestartRecovery {
  private readonly pending = new Set<string>();
  private readonly told = new Set<string>();
  private endsAt = 0;

  /** Starts waiting for these AGVs until nowMs + durationMs. */
  begin(agvIds: Iterable<string>, nowMs: number, durationMs: number): void {
    for (const id of agvIds) this.pending.add(id);
    this.endsAt = nowMs + durationMs;
  }

  /** True while motion must be held back; on the deadline, returns the AGVs never heard from (once). */
  active(nowMs: number, onTimeout: (missing: string[]) => void): boolean {
    if (this.pending.size === 0) return false;
    if (nowMs >= this.endsAt) {
      onTimeout([...this.pending]);
      this.pending.clear();
      return false;
    }
    return true;
  }

  /** The AGV is placed on the map: no longer waited for. */
  settled(agvId: string): void {
    this.pending.delete(agvId);
  }

  /** True the first time for an AGV that must be told to stop. */
  shouldTellToStop(agvId: string): boolean {
    if (this.told.has(agvId)) return false;
    this.told.add(agvId);
    return true;
  }
}

/** What an AGV's order controller asks of the recovery: whether motion is held, and who settled. */
export interface RecoveryGate {
  /** True while no AGV may be sent anywhere. */
  holding(): boolean;
  /** The AGV stands on the map again: no longer waited for. */
  settled(agvId: string): void;
  /** True the first time for an AGV still driving an old order, which must be told to stop. */
  shouldTellToStop(agvId: string): boolean;
}

/** The gate over a recovery, read at the clock's current time; onTimeout names the AGVs never heard from (once). */
export function recoveryGate(recovery: RestartRecovery, now: () => number, onTimeout: (missing: string[]) => void): RecoveryGate {
  return {
    holding: () => recovery.active(now(), onTimeout),
    settled: (agvId) => recovery.settled(agvId),
    shouldTellToStop: (agvId) => recovery.shouldTellToStop(agvId),
  };
}
