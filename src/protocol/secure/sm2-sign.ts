// SM2 digital signature (GB/T 32918.2) composed on the curve library: e = SM3(Z_A || M), with
// Z_A = SM3(ENTL_A || ID_A || a || b || xG || yG || xA || yA). Only the standard's equations live here.
import { randomBytes } from 'node:crypto';
import { bigintToBytes, bytesToBigint, concatBytes, utf8 } from './bytes.ts';
import { SecureChannelError } from './errors.ts';
import { sm3, sm3Kdf } from './sm3.ts';
import { checkPrivateScalar, decodePoint, modN, sm2Curve, SM2_RECOMMENDED_CURVE, type Sm2Curve, type Sm2CurveParams, type Sm2Point } from './sm2-curve.ts';
import type { Sm2KeyPair } from './sm2-keys.ts';

/** Default distinguishing ID of GM/T 0009-2012 §10 (and of most SM2 tooling, but not OpenSSL 3.0's empty ID). */
export const SM2_DEFAULT_USER_ID = '1234567812345678';
export const SM2_SIGNATURE_LENGTH = 64;

export type UserId = string | Uint8Array;

export interface Sm2Options {
  /** Distinguishing identifier hashed into Z; defaults to SM2_DEFAULT_USER_ID. */
  readonly userId?: UserId;
  /** Curve parameters; defaults to the recommended SM2 curve. */
  readonly curve?: Sm2CurveParams;
}

function idBytes(userId: UserId): Uint8Array {
  const bytes = typeof userId === 'string' ? utf8(userId) : userId;
  // ENTL is a 16-bit count of *bits*, so IDs are capped at 8191 bytes.
  if (bytes.length >= 8192) throw new SecureChannelError('INVALID_ARGUMENT', `user ID too long (${bytes.length} bytes, max 8191)`);
  return bytes;
}

/** Z value of GB/T 32918.2 §5.5 for a 65-byte public key. */
export function sm2Z(publicKey: Uint8Array, userId: UserId = SM2_DEFAULT_USER_ID, params: Sm2CurveParams = SM2_RECOMMENDED_CURVE): Uint8Array {
  const curve = sm2Curve(params);
  decodePoint(curve, publicKey);
  return zOf(curve, publicKey, userId);
}

function zOf(curve: Sm2Curve, publicKey: Uint8Array, userId: UserId): Uint8Array {
  const id = idBytes(userId);
  const entl = new Uint8Array([(id.length * 8) >> 8, (id.length * 8) & 0xff]);
  return sm3(entl, id, curve.zPrefix, publicKey.subarray(1));
}

export class Sm2Signer {
  readonly publicKey: Uint8Array;
  readonly z: Uint8Array;
  private readonly curve: Sm2Curve;
  private readonly d: bigint;
  /** (1 + d)^-1 mod n, the same for every signature with this key. */
  private readonly inverseOnePlusD: bigint;

  constructor(keyPair: Sm2KeyPair, options: Sm2Options = {}) {
    this.curve = sm2Curve(options.curve);
    if (keyPair.privateKey.length !== this.curve.size) throw new SecureChannelError('INVALID_KEY', `private key must be ${this.curve.size} bytes`);
    this.d = bytesToBigint(keyPair.privateKey);
    checkPrivateScalar(this.curve, this.d);
    const derived = this.curve.Point.BASE.multiply(this.d);
    if (!derived.equals(decodePoint(this.curve, keyPair.publicKey))) throw new SecureChannelError('INVALID_KEY', 'public key does not belong to the private key');
    this.publicKey = keyPair.publicKey;
    this.z = zOf(this.curve, keyPair.publicKey, options.userId ?? SM2_DEFAULT_USER_ID);
    this.inverseOnePlusD = this.curve.Point.Fn.inv(this.d + 1n);
  }

  /** Signs SM3(Z || message parts...), returning r || s (32 bytes each). */
  sign(...messageParts: Uint8Array[]): Uint8Array {
    return this.signDigest(sm3(this.z, ...messageParts));
  }

  /**
   * k = KDF(d || e || 32 fresh random bytes) reduced into [1, n-1]. With a healthy RNG this is as random as the
   * standard asks; with a broken or repeating RNG, k still differs for different messages, so a weak RNG cannot
   * leak the private key through a reused nonce (the classic failure of randomised signatures).
   */
  private hedgedNonce(e: Uint8Array): bigint {
    const seed = concatBytes(bigintToBytes(this.d, this.curve.size), e, randomBytes(32));
    return (bytesToBigint(sm3Kdf(seed, this.curve.size + 8)) % (this.curve.params.n - 1n)) + 1n;
  }

  /**
   * Signs a precomputed e = SM3(Z || M). `fixedK` exists only to reproduce the standard's worked
   * example; a fixed or predictable k reveals the private key.
   */
  signDigest(e: Uint8Array, fixedK?: bigint): Uint8Array {
    const { n } = this.curve.params;
    const eValue = bytesToBigint(e);
    for (;;) {
      const k = fixedK ?? this.hedgedNonce(e);
      const x1 = this.curve.Point.BASE.multiply(k).x;
      const r = modN(this.curve, eValue + x1);
      if (r === 0n || r + k === n) {
        if (fixedK !== undefined) throw new SecureChannelError('INVALID_ARGUMENT', 'fixed k yields r = 0 or r + k = n');
        continue;
      }
      const s = modN(this.curve, this.inverseOnePlusD * (k - r * this.d));
      if (s === 0n) {
        if (fixedK !== undefined) throw new SecureChannelError('INVALID_ARGUMENT', 'fixed k yields s = 0');
        continue;
      }
      const out = new Uint8Array(2 * this.curve.size);
      out.set(bigintToBytes(r, this.curve.size), 0);
      out.set(bigintToBytes(s, this.curve.size), this.curve.size);
      return out;
    }
  }
}

export interface Sm2VerifierOptions extends Sm2Options {
  /**
   * Window of the precomputed table for this public key (2..8). Verification is ~3x faster with a
   * table; memory grows as 2^(w-1) * (256/w + 1) points (w=6: ~1.4k points, ~200 KB). 0 disables it.
   */
  readonly precomputeWindow?: number;
}

export class Sm2Verifier {
  readonly publicKey: Uint8Array;
  readonly z: Uint8Array;
  private readonly curve: Sm2Curve;
  private readonly point: Sm2Point;

  constructor(publicKey: Uint8Array, options: Sm2VerifierOptions = {}) {
    this.curve = sm2Curve(options.curve);
    this.point = decodePoint(this.curve, publicKey);
    const window = options.precomputeWindow ?? 6;
    if (window !== 0) {
      if (!Number.isInteger(window) || window < 2 || window > 8) throw new SecureChannelError('INVALID_ARGUMENT', 'precomputeWindow must be 0 or 2..8');
      // A fresh point object so the table is ours alone and does not leak into other callers' points.
      this.point = this.curve.Point.fromAffine(this.point.toAffine()).precompute(window, false);
    }
    this.publicKey = publicKey;
    this.z = zOf(this.curve, publicKey, options.userId ?? SM2_DEFAULT_USER_ID);
  }

  /** Verifies r || s over SM3(Z || message parts...). Never throws on malformed signatures; returns false. */
  verify(signature: Uint8Array, ...messageParts: Uint8Array[]): boolean {
    return this.verifyDigest(sm3(this.z, ...messageParts), signature);
  }

  verifyDigest(e: Uint8Array, signature: Uint8Array): boolean {
    const size = this.curve.size;
    if (signature.length !== 2 * size) return false;
    const { n } = this.curve.params;
    const r = bytesToBigint(signature.subarray(0, size));
    const s = bytesToBigint(signature.subarray(size));
    if (r < 1n || r >= n || s < 1n || s >= n) return false;
    const t = modN(this.curve, r + s);
    if (t === 0n) return false;
    const sum = this.curve.Point.BASE.multiplyUnsafe(s).add(this.point.multiplyUnsafe(t));
    if (sum.is0()) return false;
    return modN(this.curve, bytesToBigint(e) + sum.x) === r;
  }
}

/** One-off signature; for many signatures with one key keep an Sm2Signer (Z and (1+d)^-1 are cached). */
export function sm2Sign(keyPair: Sm2KeyPair, message: Uint8Array, options: Sm2Options = {}): Uint8Array {
  return new Sm2Signer(keyPair, options).sign(message);
}

/** One-off verification; returns false for any invalid signature or key. */
export function sm2Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, options: Sm2Options = {}): boolean {
  let verifier: Sm2Verifier;
  try {
    verifier = new Sm2Verifier(publicKey, { ...options, precomputeWindow: 0 });
  } catch {
    return false;
  }
  return verifier.verify(signature, message);
}
