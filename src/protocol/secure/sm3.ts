// SM3 (GB/T 32905) comes from Node's OpenSSL; only the GB/T 32918 KDF built on it is composed here.
import { createHash } from 'node:crypto';
import { SecureChannelError } from './errors.ts';

export const SM3_DIGEST_LENGTH = 32;

/** SM3 digest of the concatenation of all parts (hashing parts avoids building one big buffer). */
export function sm3(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sm3');
  for (const p of parts) hash.update(p);
  const digest = hash.digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/**
 * Key derivation function of GB/T 32918.3 §5.4.3 / 32918.4: K = SM3(Z || ct=1) || SM3(Z || ct=2) || ...
 * truncated to `lengthBytes`. Our keys are whole bytes, so klen is given in bytes.
 */
export function sm3Kdf(z: Uint8Array, lengthBytes: number): Uint8Array {
  if (!Number.isInteger(lengthBytes) || lengthBytes <= 0 || lengthBytes > 1024) {
    throw new SecureChannelError('INVALID_ARGUMENT', `KDF length must be 1..1024 bytes, got ${lengthBytes}`);
  }
  const out = new Uint8Array(lengthBytes);
  const counter = new Uint8Array(4);
  const view = new DataView(counter.buffer);
  for (let ct = 1, offset = 0; offset < lengthBytes; ct++, offset += SM3_DIGEST_LENGTH) {
    view.setUint32(0, ct);
    const block = sm3(z, counter);
    out.set(block.subarray(0, Math.min(SM3_DIGEST_LENGTH, lengthBytes - offset)), offset);
  }
  return out;
}
