// The small native addon in native/sm2-verify (OpenSSL's own EC arithmetic, as carried by Node): SM2 verification
// with a precomputed table per peer key (the peer's key is the generator of a private copy of the group, so
// OpenSSL's generator tables serve [t]Q as well as [s]G), and the curve work of the SM2 key exchange
// (key-exchange-math.ts). Built by `npm run build:native` (run by `npm install`/`npm ci`); where it is missing or
// fails its self-test, callers fall back to node:crypto's SM2 (sm2-native.ts) or to @noble/curves.
import { createRequire } from 'node:module';

/** OpenSSL's precomputed tables for one public key; freed by the garbage collector. */
export type PrecomputedSm2Key = { readonly __brand: 'PrecomputedSm2Key' };
/** A static private key checked against its public key, inside the addon. */
export type NativeExchangeStaticKey = { readonly __brand: 'NativeExchangeStaticKey' };
/** An ephemeral private key r that never leaves the addon; good for one agreement. */
export type NativeExchangeEphemeralKey = { readonly __brand: 'NativeExchangeEphemeralKey' };

interface Sm2Addon {
  precompute(publicKey: Uint8Array): PrecomputedSm2Key;
  verify(key: PrecomputedSm2Key, e: Uint8Array, signature: Uint8Array): boolean;
  /** Throws (code INVALID_KEY) unless d is in [1, n-2] and [d]G is the public key. */
  exchangeStaticKey?(privateKey: Uint8Array, publicKey: Uint8Array): NativeExchangeStaticKey;
  /** r from OpenSSL's DRBG (or `fixed`, for published vectors) and R = [r]G, uncompressed. */
  exchangeEphemeral?(fixed?: Uint8Array): { key: NativeExchangeEphemeralKey; publicKey: Uint8Array };
  /**
   * x ‖ y of [t](P_peer + [x̄_peer]R_peer), t = (d + x̄_own·r) mod n; uses the ephemeral up. Throws with code
   * INVALID_PEER_STATIC, INVALID_PEER_EPHEMERAL, AT_INFINITY or HANDSHAKE_STATE.
   */
  exchangeSharedPoint?(own: NativeExchangeStaticKey, ephemeral: NativeExchangeEphemeralKey, peerStatic: Uint8Array, peerEphemeral: Uint8Array): Uint8Array;
}

const ADDON_PATH = '../../../native/sm2-verify/build/Release/sm2_verify.node';
let addon: Sm2Addon | null | undefined;

/** The addon, or undefined when it was not built for this runtime. Loaded once. */
export function sm2Addon(): Sm2Addon | undefined {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)(ADDON_PATH) as Sm2Addon;
    } catch {
      addon = null;
    }
  }
  return addon ?? undefined;
}
