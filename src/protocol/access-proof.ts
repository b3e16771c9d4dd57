// Proof of an enrolment secret at normal-mode access (§6, "Enrolment secret"). The platform stores only
// SHA-256(secret), which is the HMAC key; the AGV, holding the secret, derives the same key. Binding the AGV id and
// the AGV's clock makes a proof useless for another AGV and, with the platform's freshness and replay checks, for
// a later access.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Size of an enrolment secret and of a proof, in bytes. */
export const ENROLMENT_SECRET_BYTES = 32;

/** The HMAC key (and the platform's stored verifier): SHA-256 of the secret's raw bytes. */
export function enrolmentSecretKey(secret: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(secret).digest());
}

/** HMAC-SHA256(key, UTF-8 agvId ‖ proofTime as u48 big-endian). */
export function accessProof(key: Uint8Array, agvId: string, proofTime: number): Uint8Array {
  const time = Buffer.alloc(6);
  time.writeUIntBE(proofTime, 0, 6);
  return new Uint8Array(createHmac('sha256', key).update(Buffer.from(agvId, 'utf8')).update(time).digest());
}

/** Whether proof is the right one for key, agvId and proofTime (constant-time comparison). */
export function accessProofMatches(key: Uint8Array, agvId: string, proofTime: number, proof: Uint8Array): boolean {
  const expected = accessProof(key, agvId, proofTime);
  return proof.length === expected.length && timingSafeEqual(proof, expected);
}
