// SM2 verification with a precomputed table per peer key: the small native addon in native/sm2-verify (OpenSSL's
// own EC arithmetic, as carried by Node, with the peer's key as the generator of a private copy of the group, so
// OpenSSL's generator tables serve [t]Q as well as [s]G). Built by `npm run build:native` (run by `npm install`/
// `npm ci`); where it is missing or fails its self-test, callers fall back to node:crypto's SM2 (sm2-native.ts).
import { createRequire } from 'node:module';

/** OpenSSL's precomputed tables for one public key; freed by the garbage collector. */
export type PrecomputedSm2Key = { readonly __brand: 'PrecomputedSm2Key' };

interface Sm2VerifyAddon {
  precompute(publicKey: Uint8Array): PrecomputedSm2Key;
  verify(key: PrecomputedSm2Key, e: Uint8Array, signature: Uint8Array): boolean;
}

const ADDON_PATH = '../../../native/sm2-verify/build/Release/sm2_verify.node';
let addon: Sm2VerifyAddon | null | undefined;

/** The addon, or undefined when it was not built for this runtime. Loaded once. */
export function sm2VerifyAddon(): Sm2VerifyAddon | undefined {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)(ADDON_PATH) as Sm2VerifyAddon;
    } catch {
      addon = null;
    }
  }
  return addon ?? undefined;
}
