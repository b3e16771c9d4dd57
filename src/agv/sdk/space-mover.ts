import type { Clock } from '../../core/index.ts';
import type { AgvClient } from './client.ts';
import type { SpaceLeaseEnd, SpaceRequest, SpaceResponse } from './types.ts';

// Moving inside autonomous space, once for every vendor (protocol §6 "Autonomous space request"): ask, wait through
// a queue, renew the lease every third of its length (1.2), drive the vehicle's own trajectory, release. When the
// lease ends without a release — the platform says so (spaceLeaseEnd), or it runs out unrenewed, e.g. because the
// link is down — the grant's onLeaseLoss is applied here: `stop` brakes the vehicle at once, `finishLeaving` lets it
// finish the trajectory out of the space.

export type SpaceOutcome =
  /** Driven and released. */
  | { result: 'done'; leaseId: number }
  | { result: 'refused'; refusal: string; detail: string }
  /** The lease ended before the release; `behaviour` is what the vehicle did about it. */
  | { result: 'lost'; leaseId: number; reason: 'expired' | 'revoked' | 'leftSpace'; behaviour: 'stop' | 'finishLeaving' }
  /** Driving failed inside the space (the lease was released). */
  | { result: 'failed'; leaseId: number; error: Error };

/** What moving in the space needs from the vehicle. */
export interface SpaceDriver {
  /** Drive the trajectory; resolve at its end, reject if it cannot (or when stop() braked it). */
  drive(): Promise<void>;
  /** Brake at once. */
  stop(): void;
  /** Called when the vehicle stands at the end of the trajectory, before the release (e.g. to report its node). */
  arrived?(): void;
}

const LEASE_FOREVER = 0xffffffff;

export class SpaceMover {
  private pending = new Map<number, (r: SpaceResponse) => void>();
  private current: { leaseId: number; renewed: (leaseMs: number) => void; lost: (reason: SpaceLeaseEnd['reason']) => void } | undefined;

  constructor(
    private readonly client: AgvClient,
    private readonly clock: Clock,
  ) {
    client.onSpaceResponse((r) => this.onResponse(r));
    client.onSpaceLeaseEnd((m) => {
      if (this.current?.leaseId === m.leaseId) this.current.lost(m.reason);
    });
  }

  /** Asks for space and, once granted, drives in it; queued asks wait for the platform's later answer. */
  async move(request: Omit<SpaceRequest, 'requestId'>, driver: SpaceDriver): Promise<SpaceOutcome> {
    const first = await this.client.requestSpace(request);
    const decision = first.decision === 'queued' ? await this.laterAnswer(first.requestId) : first;
    if (decision.decision !== 'granted') return { result: 'refused', refusal: decision.refusal ?? 'none', detail: decision.detail };
    return this.driveUnderLease(decision, driver);
  }

  private laterAnswer(requestId: number): Promise<SpaceResponse> {
    return new Promise((resolve) => this.pending.set(requestId, resolve));
  }

  private onResponse(r: SpaceResponse): void {
    const waiter = this.pending.get(r.requestId);
    if (waiter && r.decision !== 'queued') {
      this.pending.delete(r.requestId);
      waiter(r);
      return;
    }
    if (r.decision === 'granted' && this.current?.leaseId === r.leaseId) this.current.renewed(r.lease);
  }

  private async driveUnderLease(grant: SpaceResponse, driver: SpaceDriver): Promise<SpaceOutcome> {
    const leaseId = grant.leaseId;
    const behaviour = grant.onLeaseLoss ?? 'stop';
    let lostReason: SpaceLeaseEnd['reason'] | undefined;
    let cancelExpiry: (() => void) | undefined;
    let cancelRenew: (() => void) | undefined;
    const lose = (reason: SpaceLeaseEnd['reason']) => {
      if (lostReason !== undefined) return;
      lostReason = reason;
      cancelExpiry?.();
      cancelRenew?.();
      if (behaviour === 'stop') driver.stop();
    };
    const armExpiry = (leaseMs: number) => {
      cancelExpiry?.();
      if (leaseMs !== LEASE_FOREVER) cancelExpiry = this.clock.setTimeout(() => lose('expired'), leaseMs);
    };
    const renewEvery = Math.max(50, Math.floor(grant.lease / 3));
    const renew = () => {
      this.client.renewSpace(leaseId);
      cancelRenew = this.clock.setTimeout(renew, renewEvery);
    };
    this.current = { leaseId, renewed: armExpiry, lost: lose };
    armExpiry(grant.lease);
    if (this.client.protocolVersion >= 0x12 && grant.lease !== LEASE_FOREVER) cancelRenew = this.clock.setTimeout(renew, renewEvery);
    let failure: Error | undefined;
    try {
      await driver.drive();
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    } finally {
      cancelExpiry?.();
      cancelRenew?.();
      this.current = undefined;
    }
    if (!failure) driver.arrived?.();
    if (lostReason !== undefined) return { result: 'lost', leaseId, reason: lostReason, behaviour };
    await this.client.releaseSpace(leaseId);
    return failure ? { result: 'failed', leaseId, error: failure } : { result: 'done', leaseId };
  }
}
