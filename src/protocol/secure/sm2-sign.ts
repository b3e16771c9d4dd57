// SM2 digital signature (GB/T 32918.2) composed on the curve library: e = SM3(Z_A || M), with
// Z_A = SM3(ENTL_A || ID_A || a || b || xG || yG || xA || yA). Only the standard's equations live here.
import { randomBytes } from 'node:crypto';
import { bigintToBytes, bytesToBigint, concatBytes, utf8 } from './bytes.ts';
import { SecureChannelError } from './errors.ts';
import { sm3, sm3Kdf } from './sm3.ts';
import { checkPrivateScalar, decodePoint, modN, sm2Curve, SM2_RECOMMENDED_CURVE, type Sm2Curve, type Sm2CurveParams, type Sm2Point } from './sm2-curve.ts';
import { keyPairFromPrivateKey, privateKeyToPem, publicKeyToPem, type Sm2KeyPair } from './sm2-keys.ts';
import { sm2Addon, type PrecomputedSm2Key } from './sm2-precomputed.ts';
import { nativePrivateKey, nativePublicKey, nativeSign, nativeVerify, type NativeSm2PrivateKey, type NativeSm2PublicKey } from './sm2-native.ts';

/** Default distinguishing ID of GM/T 0009-2012 §10 (and of most SM2 tooling, but not OpenSSL 3.0's empty ID). */
export const SM2_DEFAULT_USER_ID = '1234567812345678';
export const SM2_SIGNATURE_LENGTH = 64;

export type UserId = string | Uint8Array;

/**
 * Who does the curve arithmetic. 'precomputed' (verification only): OpenSSL's EC arithmetic through the
 * native/sm2-verify addon, with a table per peer key (sm2-precomputed.ts). 'native': OpenSSL's SM2 inside
 * node:crypto (sm2-native.ts). Both on the recommended curve only. 'js': @noble/curves with BigInts (any curve, the
 * standard's example curve included). 'auto' (default): the fastest of these that is built and passed its
 * self-test for the curve; a signer given 'precomputed' signs with 'native'.
 */
export type Sm2Backend = 'auto' | 'precomputed' | 'native' | 'js';

export interface Sm2Options {
  /** Distinguishing identifier hashed into Z; defaults to SM2_DEFAULT_USER_ID. */
  readonly userId?: UserId;
  /** Curve parameters; defaults to the recommended SM2 curve. */
  readonly curve?: Sm2CurveParams;
  readonly backend?: Sm2Backend;
}

let nativeSelfTest: boolean | undefined;
let precomputedSelfTest: boolean | undefined;

/** True when the native/sm2-verify addon is built and verifies (and rejects) exactly as the pure-JS verifier does. */
export function precomputedSm2Available(): boolean {
  precomputedSelfTest ??= runPrecomputedSelfTest();
  return precomputedSelfTest;
}

function runPrecomputedSelfTest(): boolean {
  const addon = sm2Addon();
  if (!addon) return false;
  try {
    const pair = keyPairFromPrivateKey(sm3(utf8('UniFleet SM2 precomputed self-test key')));
    const signer = new Sm2Signer(pair, { backend: 'js' });
    const key = addon.precompute(pair.publicKey);
    const e = sm3(signer.z, utf8('UniFleet SM2 precomputed self-test'));
    const signature = signer.signDigest(e);
    const forged = signature.slice();
    forged[63]! ^= 1;
    return addon.verify(key, e, signature) && !addon.verify(key, e, forged) && !addon.verify(key, sm3(e), signature);
  } catch {
    return false;
  }
}

/**
 * True when the runtime's OpenSSL signs and verifies SM2 with our Z exactly as the pure-JS implementation does
 * (checked once, both directions plus a rejected forgery), so the native backend may be used.
 */
export function nativeSm2Available(): boolean {
  nativeSelfTest ??= runNativeSelfTest();
  return nativeSelfTest;
}

function runNativeSelfTest(): boolean {
  try {
    const pair = keyPairFromPrivateKey(sm3(utf8('UniFleet SM2 native self-test key')));
    const message = utf8('UniFleet SM2 native self-test');
    const jsSigner = new Sm2Signer(pair, { backend: 'js' });
    const jsVerifier = new Sm2Verifier(pair.publicKey, { backend: 'js', precomputeWindow: 0 });
    const publicKey = nativePublicKey(publicKeyToPem(pair.publicKey));
    const fromOpenssl = nativeSign(nativePrivateKey(privateKeyToPem(pair)), jsSigner.z, [message]);
    const fromJs = jsSigner.sign(message);
    return jsVerifier.verify(fromOpenssl, message)
      && nativeVerify(publicKey, jsSigner.z, [message], fromJs)
      && !nativeVerify(publicKey, jsSigner.z, [message, message], fromJs);
  } catch {
    return false;
  }
}

function useNative(params: Sm2CurveParams, backend: Sm2Backend = 'auto'): boolean {
  if (backend === 'js') return false;
  const possible = params === SM2_RECOMMENDED_CURVE && nativeSm2Available();
  if ((backend === 'native' || backend === 'precomputed') && !possible) {
    throw new SecureChannelError('INVALID_ARGUMENT', `the ${backend} SM2 backend needs the recommended curve and an OpenSSL with SM2`);
  }
  return possible;
}

function usePrecomputed(params: Sm2CurveParams, backend: Sm2Backend = 'auto'): boolean {
  if (backend !== 'auto' && backend !== 'precomputed') return false;
  const possible = params === SM2_RECOMMENDED_CURVE && precomputedSm2Available();
  if (backend === 'precomputed' && !possible) {
    throw new SecureChannelError('INVALID_ARGUMENT', 'the precomputed SM2 backend needs the recommended curve and the native/sm2-verify addon (npm run build:native)');
  }
  return possible;
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

/** Z without decoding the point: for a key that is validated elsewhere (the key exchange's curve step checks it). */
export function zOf(curve: Sm2Curve, publicKey: Uint8Array, userId: UserId): Uint8Array {
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
  /** The key inside OpenSSL when the native backend signs. */
  private readonly nativeKey: NativeSm2PrivateKey | undefined;

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
    this.nativeKey = useNative(this.curve.params, options.backend) ? nativePrivateKey(privateKeyToPem(keyPair)) : undefined;
  }

  /** Signs SM3(Z || message parts...), returning r || s (32 bytes each). */
  sign(...messageParts: Uint8Array[]): Uint8Array {
    if (this.nativeKey) return nativeSign(this.nativeKey, this.z, messageParts);
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
   * Window of the precomputed table for this public key (2..8), used by the js backend only. Verification is ~3x
   * faster with a table; memory grows as 2^(w-1) * (256/w + 1) points (w=6: ~1.4k points, ~200 KB). 0 disables it.
   */
  readonly precomputeWindow?: number;
}

export class Sm2Verifier {
  readonly publicKey: Uint8Array;
  readonly z: Uint8Array;
  private readonly curve: Sm2Curve;
  private readonly point: Sm2Point;
  /** The key's OpenSSL tables when the precomputed backend verifies (then no JS table is built). */
  private readonly precomputedKey: PrecomputedSm2Key | undefined;
  /** The key inside OpenSSL when the native backend verifies (then no JS table is built). */
  private readonly nativeKey: NativeSm2PublicKey | undefined;

  constructor(publicKey: Uint8Array, options: Sm2VerifierOptions = {}) {
    this.curve = sm2Curve(options.curve);
    this.point = decodePoint(this.curve, publicKey);
    const window = options.precomputeWindow ?? 6;
    if (window !== 0 && (!Number.isInteger(window) || window < 2 || window > 8)) throw new SecureChannelError('INVALID_ARGUMENT', 'precomputeWindow must be 0 or 2..8');
    this.precomputedKey = usePrecomputed(this.curve.params, options.backend) ? sm2Addon()!.precompute(publicKey) : undefined;
    this.nativeKey = !this.precomputedKey && useNative(this.curve.params, options.backend) ? nativePublicKey(publicKeyToPem(publicKey)) : undefined;
    if (window !== 0 && !this.nativeKey && !this.precomputedKey) {
      // A fresh point object so the table is ours alone and does not leak into other callers' points.
      this.point = this.curve.Point.fromAffine(this.point.toAffine()).precompute(window, false);
    }
    this.publicKey = publicKey;
    this.z = zOf(this.curve, publicKey, options.userId ?? SM2_DEFAULT_USER_ID);
  }

  /** Verifies r || s over SM3(Z || message parts...). Never throws on malformed signatures; returns false. */
  verify(signature: Uint8Array, ...messageParts: Uint8Array[]): boolean {
    if (this.nativeKey) return nativeVerify(this.nativeKey, this.z, messageParts, signature);
    return this.verifyDigest(sm3(this.z, ...messageParts), signature);
  }

  /** Which backend verify() uses. */
  get backend(): Exclude<Sm2Backend, 'auto'> {
    return this.precomputedKey ? 'precomputed' : this.nativeKey ? 'native' : 'js';
  }

  verifyDigest(e: Uint8Array, signature: Uint8Array): boolean {
    const size = this.curve.size;
    if (signature.length !== 2 * size) return false;
    if (this.precomputedKey && e.length === size) return sm2Addon()!.verify(this.precomputedKey, e, signature);
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
