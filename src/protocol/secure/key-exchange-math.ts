// The elliptic-curve steps of the SM2 key exchange (GB/T 32918.3 §6.1), which are nearly all of its cost: the
// ephemeral key R = [r]G, and the shared point [h·t](P_peer + [x̄_peer]R_peer) with t = (d + x̄_own·r) mod n.
// Two implementations give the same bytes:
// - 'native': OpenSSL's EC arithmetic through the addon in native/sm2-verify (sm2_exchange.c), recommended curve
//   only; secrets only meet OpenSSL's constant-time ladder, and r never leaves the addon.
// - 'js': @noble/curves with BigInts, any curve (the standard's example curve included). It is the reference: the
//   native one is used only after a self-test against it, and the tests compare the two on vectors and random keys.
// key-exchange.ts composes either with the hashes (Z, KDF, S_B/S_A) and the state machines.
import { bigintToBytes, bytesToBigint, equalBytes, utf8 } from './bytes.ts';
import { SecureChannelError } from './errors.ts';
import { sm3 } from './sm3.ts';
import { decodePoint, encodePoint, modN, randomScalar, sm2Curve, SM2_RECOMMENDED_CURVE, type Sm2Curve, type Sm2Point } from './sm2-curve.ts';
import { keyPairFromPrivateKey, type Sm2KeyPair } from './sm2-keys.ts';
import { sm2Addon, type NativeExchangeEphemeralKey, type NativeExchangeStaticKey } from './sm2-precomputed.ts';

/** Who computes the key exchange's curve steps. 'auto': native when the addon is built and passed its self-test. */
export type ExchangeBackend = 'auto' | 'native' | 'js';

/** Our static key pair, checked once (d in range, [d]G = P) and kept in the backend's form. */
export interface ExchangeStaticKey {
  readonly publicKey: Uint8Array;
}

/** An ephemeral key pair: R goes on the wire, r stays inside; it serves one agreement. */
export interface ExchangeEphemeral {
  /** R = [r]G, 65 bytes uncompressed. */
  readonly publicKey: Uint8Array;
}

/** How error messages name the peer's points ("initiator static key", "responder ephemeral key R_B", ...). */
export interface PeerPointNames {
  readonly staticKey: string;
  readonly ephemeralKey: string;
}

export interface ExchangeMath {
  readonly backend: 'native' | 'js';
  readonly curve: Sm2Curve;
  /** Checks the pair; the same pair object is checked once (a platform answers every handshake with one key). */
  staticKey(keyPair: Sm2KeyPair): ExchangeStaticKey;
  /** A fresh ephemeral key; `fixed` reproduces published vectors and must never be set in production. */
  ephemeral(fixed?: Uint8Array): ExchangeEphemeral;
  /**
   * The shared point V (or U) as fixed-width x and y. Validates both peer points (INVALID_KEY) and uses the
   * ephemeral up (HANDSHAKE_STATE if used again), whatever the outcome.
   */
  sharedPoint(own: ExchangeStaticKey, ephemeral: ExchangeEphemeral, peerStatic: Uint8Array, peerEphemeral: Uint8Array, names: PeerPointNames): { x: Uint8Array; y: Uint8Array };
}

/** x̄ = 2^w + (x mod 2^w), w = ceil(ceil(log2 n) / 2) - 1. */
function xBar(curve: Sm2Curve, x: bigint): bigint {
  const w = BigInt(Math.ceil(curve.params.n.toString(2).length / 2) - 1);
  const twoW = 1n << w;
  return twoW + (x & (twoW - 1n));
}

interface JsStaticKey extends ExchangeStaticKey {
  readonly d: bigint;
}

interface JsEphemeral extends ExchangeEphemeral {
  r: bigint | undefined;
  readonly point: Sm2Point;
}

function usedUp(): SecureChannelError {
  return new SecureChannelError('HANDSHAKE_STATE', 'this ephemeral key was already used');
}

/** The reference: @noble/curves point arithmetic, the standard's equations as written. */
class JsExchangeMath implements ExchangeMath {
  readonly backend = 'js';
  private readonly checked = new WeakMap<Sm2KeyPair, JsStaticKey>();

  constructor(readonly curve: Sm2Curve) {}

  staticKey(keyPair: Sm2KeyPair): JsStaticKey {
    let key = this.checked.get(keyPair);
    if (!key) {
      const derived = keyPairFromPrivateKey(keyPair.privateKey, this.curve.params);
      if (!equalBytes(derived.publicKey, keyPair.publicKey)) throw new SecureChannelError('INVALID_KEY', 'public key does not belong to the private key');
      key = { publicKey: keyPair.publicKey, d: bytesToBigint(keyPair.privateKey) };
      this.checked.set(keyPair, key);
    }
    return key;
  }

  ephemeral(fixed?: Uint8Array): JsEphemeral {
    const r = fixed ? bytesToBigint(keyPairFromPrivateKey(fixed, this.curve.params).privateKey) : randomScalar(this.curve);
    const point = this.curve.Point.BASE.multiply(r);
    return { r, point, publicKey: encodePoint(point) };
  }

  sharedPoint(own: ExchangeStaticKey, ephemeral: ExchangeEphemeral, peerStatic: Uint8Array, peerEphemeral: Uint8Array, names: PeerPointNames): { x: Uint8Array; y: Uint8Array } {
    const eph = ephemeral as JsEphemeral;
    const r = eph.r;
    if (r === undefined) throw usedUp();
    eph.r = undefined;
    const curve = this.curve;
    const staticPoint = decodePoint(curve, peerStatic, names.staticKey);
    const ephemeralPoint = decodePoint(curve, peerEphemeral, names.ephemeralKey);
    const t = modN(curve, (own as JsStaticKey).d + xBar(curve, eph.point.x) * r);
    let shared = staticPoint.add(ephemeralPoint.multiplyUnsafe(xBar(curve, ephemeralPoint.x))).multiply(t);
    if (curve.params.h !== 1n) shared = shared.multiplyUnsafe(curve.params.h);
    if (shared.is0()) throw new SecureChannelError('INVALID_KEY', 'key agreement produced the point at infinity');
    return { x: bigintToBytes(shared.x, curve.size), y: bigintToBytes(shared.y, curve.size) };
  }
}

interface NativeStaticKey extends ExchangeStaticKey {
  readonly key: NativeExchangeStaticKey;
}

interface NativeEphemeral extends ExchangeEphemeral {
  readonly key: NativeExchangeEphemeralKey;
}

function addonCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** OpenSSL through the addon; recommended curve only. Errors read as the reference's do. */
class NativeExchangeMath implements ExchangeMath {
  readonly backend = 'native';
  readonly curve = sm2Curve(SM2_RECOMMENDED_CURVE);
  private readonly checked = new WeakMap<Sm2KeyPair, NativeStaticKey>();
  private readonly reference = new JsExchangeMath(this.curve);
  private readonly addon = sm2Addon()!;

  staticKey(keyPair: Sm2KeyPair): NativeStaticKey {
    let key = this.checked.get(keyPair);
    if (!key) {
      try {
        key = { publicKey: keyPair.publicKey, key: this.addon.exchangeStaticKey!(keyPair.privateKey, keyPair.publicKey) };
      } catch {
        // A bad pair is rare (configuration): the reference says exactly what is wrong with it.
        this.reference.staticKey(keyPair);
        throw new SecureChannelError('INVALID_KEY', 'the key pair is not a valid SM2 key pair');
      }
      this.checked.set(keyPair, key);
    }
    return key;
  }

  ephemeral(fixed?: Uint8Array): NativeEphemeral {
    if (fixed) keyPairFromPrivateKey(fixed, this.curve.params); // the same range check as the reference
    return this.addon.exchangeEphemeral!(fixed);
  }

  sharedPoint(own: ExchangeStaticKey, ephemeral: ExchangeEphemeral, peerStatic: Uint8Array, peerEphemeral: Uint8Array, names: PeerPointNames): { x: Uint8Array; y: Uint8Array } {
    let xy: Uint8Array;
    try {
      // Length and prefix first, for the reference's messages; the addon checks that the points are on the curve.
      checkEncoding(this.curve, peerStatic, names.staticKey);
      checkEncoding(this.curve, peerEphemeral, names.ephemeralKey);
      xy = this.addon.exchangeSharedPoint!((own as NativeStaticKey).key, (ephemeral as NativeEphemeral).key, peerStatic, peerEphemeral);
    } catch (err) {
      if (err instanceof SecureChannelError) {
        // The ephemeral is used up on every outcome, as in the reference.
        this.burn(own, ephemeral);
        throw err;
      }
      throw nativeError(addonCode(err), this.curve, names);
    }
    return { x: xy.slice(0, 32), y: xy.slice(32) };
  }

  /** Makes the addon clear r after an input error caught before it was called. */
  private burn(own: ExchangeStaticKey, ephemeral: ExchangeEphemeral): void {
    try {
      this.addon.exchangeSharedPoint!((own as NativeStaticKey).key, (ephemeral as NativeEphemeral).key, new Uint8Array(0), new Uint8Array(0));
    } catch {
      // expected: the addon refuses the empty points after clearing r
    }
  }
}

function checkEncoding(curve: Sm2Curve, bytes: Uint8Array, what: string): void {
  if (bytes.length !== curve.publicKeyLength || bytes[0] !== 0x04) {
    throw new SecureChannelError('INVALID_KEY', `${what} must be ${curve.publicKeyLength} bytes starting with 0x04 (uncompressed)`);
  }
}

function nativeError(code: string | undefined, curve: Sm2Curve, names: PeerPointNames): SecureChannelError {
  switch (code) {
    case 'INVALID_PEER_STATIC':
      return new SecureChannelError('INVALID_KEY', `${names.staticKey} is not a point on ${curve.params.name}`);
    case 'INVALID_PEER_EPHEMERAL':
      return new SecureChannelError('INVALID_KEY', `${names.ephemeralKey} is not a point on ${curve.params.name}`);
    case 'AT_INFINITY':
      return new SecureChannelError('INVALID_KEY', 'key agreement produced the point at infinity');
    case 'HANDSHAKE_STATE':
      return usedUp();
    default:
      return new SecureChannelError('INVALID_ARGUMENT', `the native key exchange failed (${code ?? 'unknown error'})`);
  }
}

let nativeMath: NativeExchangeMath | null | undefined;
const jsMaths = new Map<Sm2Curve, JsExchangeMath>();

/** True when the addon has the key-exchange functions and computes exactly what the reference computes. */
export function nativeExchangeAvailable(): boolean {
  if (nativeMath === undefined) nativeMath = runSelfTest();
  return nativeMath !== null;
}

function runSelfTest(): NativeExchangeMath | null {
  const addon = sm2Addon();
  if (!addon?.exchangeStaticKey || !addon.exchangeEphemeral || !addon.exchangeSharedPoint) return null;
  try {
    const native = new NativeExchangeMath();
    const js = jsMath(native.curve);
    const scalar = (label: string) => sm3(utf8(`UniFleet SM2 key exchange self-test ${label}`));
    const a = keyPairFromPrivateKey(scalar('A'));
    const b = keyPairFromPrivateKey(scalar('B'));
    const names = { staticKey: 'peer static key', ephemeralKey: 'peer ephemeral key' };
    const run = (math: ExchangeMath) => {
      const ra = math.ephemeral(scalar('rA'));
      const rb = math.ephemeral(scalar('rB'));
      const v = math.sharedPoint(math.staticKey(b), rb, a.publicKey, ra.publicKey, names);
      const u = math.sharedPoint(math.staticKey(a), ra, b.publicKey, rb.publicKey, names);
      return [ra.publicKey, rb.publicKey, v.x, v.y, u.x, u.y].map((bytes) => Buffer.from(bytes).toString('hex')).join();
    };
    const expected = run(js);
    const got = run(native);
    // Both sides must agree (U = V) and the addon must match the reference byte for byte.
    const [, , vx, vy, ux, uy] = got.split(',');
    return got === expected && vx === ux && vy === uy ? native : null;
  } catch {
    return null;
  }
}

function jsMath(curve: Sm2Curve): JsExchangeMath {
  let math = jsMaths.get(curve);
  if (!math) {
    math = new JsExchangeMath(curve);
    jsMaths.set(curve, math);
  }
  return math;
}

/** The curve steps for `curve` with `backend`; 'native' throws where the addon is missing or the curve is not SM2's. */
export function exchangeMath(curve: Sm2Curve, backend: ExchangeBackend = 'auto'): ExchangeMath {
  if (backend === 'js') return jsMath(curve);
  const recommended = curve.params === SM2_RECOMMENDED_CURVE;
  if (recommended && nativeExchangeAvailable()) return nativeMath!;
  if (backend === 'native') {
    throw new SecureChannelError('INVALID_ARGUMENT', 'the native key exchange needs the recommended curve and the native/sm2-verify addon (npm run build:native)');
  }
  return jsMath(curve);
}
