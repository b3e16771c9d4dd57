import { accessProofMatches } from '../../protocol/index.ts';

// Checks the enrolment-secret proof a normal-mode AGV sends at access (docs/protocol.md §6, "Enrolment secret").
// A proof is bound to the AGV id and the AGV's clock; it must be fresh (within the allowed skew of the platform
// clock) and newer than the last proof accepted for that AGV, so a proof seen on the wire cannot be used again.
// That memory lives in this process only (the spec says so): after a restart a proof up to 30 s old is usable once.

/** How far the AGV's proofTime may be from the platform clock, either way (the globalConfig maxClockSkew). */
export const PROOF_MAX_SKEW_MS = 30_000;

export interface SecretProof {
  proofTime?: number;
  proof?: Uint8Array;
}

export class SecretProofCheck {
  /** Per AGV: proofTime of the last accepted proof. Only AGVs that proved their secret get an entry. */
  private readonly lastAccepted = new Map<string, number>();

  constructor(private readonly maxSkewMs = PROOF_MAX_SKEW_MS) {}

  /** undefined when the proof is good (and is then used up), else why it is refused. */
  verify(agvId: string, verifierHex: string, { proofTime, proof }: SecretProof, now: number): string | undefined {
    if (proofTime === undefined || proof === undefined) {
      return `AGV ${agvId} is enrolled with a secret: accessRequest must carry proofTime and proof (protocol 1.1)`;
    }
    const skew = proofTime - now;
    if (Math.abs(skew) > this.maxSkewMs) {
      return `proofTime is ${skew} ms from the platform clock (${now}); allowed ±${this.maxSkewMs} ms: set the AGV clock`;
    }
    if (!accessProofMatches(Buffer.from(verifierHex, 'hex'), agvId, proofTime, proof)) {
      return `proof does not match the secret enrolled for AGV ${agvId}`;
    }
    const last = this.lastAccepted.get(agvId);
    if (last !== undefined && proofTime <= last) return `proof replayed: proofTime ${proofTime} is not after the last accepted ${last}`;
    this.lastAccepted.set(agvId, proofTime);
    return undefined;
  }
}
