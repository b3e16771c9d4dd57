// SM2 signatures through the OpenSSL 3 inside node:crypto, with any distinguishing ID.
//
// node:crypto's one-shot sign/verify run OpenSSL's digest-sign path, which hashes an empty ID into Z and cannot be
// told otherwise. createSign/createVerify take another path: they hash what they are fed with the named digest and
// hand OpenSSL the finished digest (EVP_PKEY_sign / EVP_PKEY_verify), which for an SM2 key signs or verifies that
// digest as e. Fed Z ‖ M with SM3 they therefore compute exactly e = SM3(Z ‖ M) of GB/T 32918.2, for the Z we
// choose. The curve arithmetic is then OpenSSL's (about 2–3× our BigInt verifier on one core).
//
// Only the recommended curve exists in OpenSSL, and a runtime built without SM2 or SM3 has none of this: callers
// ask `nativeSm2Available()` (a one-time self-test against the pure-JS implementation) and fall back.
import { createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';

export type NativeSm2PublicKey = KeyObject;
export type NativeSm2PrivateKey = KeyObject;

const SCALAR_BYTES = 32;

/** Wraps a 65-byte public point, as SubjectPublicKeyInfo PEM, in an OpenSSL key (parsed once per peer). */
export function nativePublicKey(spkiPem: string): NativeSm2PublicKey {
  return createPublicKey(spkiPem);
}

export function nativePrivateKey(pkcs8Pem: string): NativeSm2PrivateKey {
  return createPrivateKey(pkcs8Pem);
}

/** Verifies r ‖ s over SM3(Z ‖ message parts). False for any malformed or wrong signature; never throws. */
export function nativeVerify(key: NativeSm2PublicKey, z: Uint8Array, parts: readonly Uint8Array[], signature: Uint8Array): boolean {
  const der = signatureToDer(signature);
  if (!der) return false;
  try {
    const verifier = createVerify('sm3');
    verifier.update(z);
    for (const part of parts) verifier.update(part);
    return verifier.verify(key, der);
  } catch {
    return false;
  }
}

/** Signs SM3(Z ‖ message parts) with OpenSSL's SM2 (nonce from OpenSSL's DRBG); returns r ‖ s. */
export function nativeSign(key: NativeSm2PrivateKey, z: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
  const signer = createSign('sm3');
  signer.update(z);
  for (const part of parts) signer.update(part);
  const rs = signatureFromDer(signer.sign(key));
  if (!rs) throw new Error('OpenSSL returned a malformed SM2 signature');
  return rs;
}

/** DER SEQUENCE { INTEGER r, INTEGER s } from r ‖ s (32 bytes each), or undefined if the input is not 64 bytes. */
export function signatureToDer(signature: Uint8Array): Uint8Array | undefined {
  if (signature.length !== 2 * SCALAR_BYTES) return undefined;
  const r = derInteger(signature.subarray(0, SCALAR_BYTES));
  const s = derInteger(signature.subarray(SCALAR_BYTES));
  const out = new Uint8Array(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length; // at most 2 × 35 bytes: short form
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

function derInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const pad = bytes[start]! & 0x80 ? 1 : 0;
  const length = bytes.length - start + pad;
  const out = new Uint8Array(2 + length);
  out[0] = 0x02;
  out[1] = length;
  out.set(bytes.subarray(start), 2 + pad);
  return out;
}

/** r ‖ s from OpenSSL's DER signature; undefined unless it is exactly SEQUENCE of two ≤ 256-bit INTEGERs. */
export function signatureFromDer(der: Uint8Array): Uint8Array | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const out = new Uint8Array(2 * SCALAR_BYTES);
  let at = 2;
  for (let k = 0; k < 2; k++) {
    if (der[at] !== 0x02) return undefined;
    const length = der[at + 1]!;
    let value = der.subarray(at + 2, at + 2 + length);
    if (value.length !== length || length === 0) return undefined;
    while (value.length > SCALAR_BYTES && value[0] === 0) value = value.subarray(1);
    if (value.length > SCALAR_BYTES) return undefined;
    out.set(value, (k + 1) * SCALAR_BYTES - value.length);
    at += 2 + length;
  }
  return at === der.length ? out : undefined;
}
