// SM2 key pairs as plain bytes (what vendors store and what goes on the wire), plus PEM for tooling.
import { bigintToBytes, bytesToBigint, bytesToHex, concatBytes, equalBytes, hexToBytes } from './bytes.ts';
import { sm3 } from './sm3.ts';
import { SecureChannelError } from './errors.ts';
import { checkPrivateScalar, decodePoint, encodePoint, randomScalar, sm2Curve, SM2_RECOMMENDED_CURVE, type Sm2CurveParams } from './sm2-curve.ts';

export interface Sm2KeyPair {
  /** 32-byte big-endian scalar d. Keep secret. */
  readonly privateKey: Uint8Array;
  /** 65-byte uncompressed point 04 || x || y. */
  readonly publicKey: Uint8Array;
}

export function generateSm2KeyPair(params: Sm2CurveParams = SM2_RECOMMENDED_CURVE): Sm2KeyPair {
  const curve = sm2Curve(params);
  let d = randomScalar(curve);
  while (d > curve.params.n - 2n) d = randomScalar(curve);
  return keyPairFromPrivateScalar(d, params);
}

export function keyPairFromPrivateKey(privateKey: Uint8Array, params: Sm2CurveParams = SM2_RECOMMENDED_CURVE): Sm2KeyPair {
  const curve = sm2Curve(params);
  if (privateKey.length !== curve.size) throw new SecureChannelError('INVALID_KEY', `private key must be ${curve.size} bytes`);
  return keyPairFromPrivateScalar(bytesToBigint(privateKey), params);
}

function keyPairFromPrivateScalar(d: bigint, params: Sm2CurveParams): Sm2KeyPair {
  const curve = sm2Curve(params);
  checkPrivateScalar(curve, d);
  return { privateKey: bigintToBytes(d, curve.size), publicKey: encodePoint(curve.Point.BASE.multiply(d)) };
}

/** Throws INVALID_KEY unless the bytes are a valid uncompressed point on the curve. */
export function assertValidPublicKey(publicKey: Uint8Array, params: Sm2CurveParams = SM2_RECOMMENDED_CURVE): void {
  decodePoint(sm2Curve(params), publicKey);
}

/**
 * Enrollment check: true when `presented` (e.g. keyExchangeInit.staticPublicKey) is the `enrolled` key. Both are
 * 65-byte points; malformed input is simply not equal. Constant time in the key bytes.
 */
export function samePublicKey(presented: Uint8Array, enrolled: Uint8Array): boolean {
  return presented.length === 65 && enrolled.length === 65 && equalBytes(presented, enrolled);
}

/** Stable fingerprint of a public key for logs, dashboards and enrollment screens: SM3 of the 65-byte point, hex. */
export function publicKeyFingerprint(publicKey: Uint8Array): string {
  assertValidPublicKey(publicKey);
  return bytesToHex(sm3(publicKey));
}

// Fixed DER templates for the recommended curve: id-ecPublicKey (1.2.840.10045.2.1) with namedCurve
// sm2p256v1 (1.2.156.10197.1.301). Hand-built rather than via Node KeyObjects because Node 20 aborts the
// process when exporting some SM2-typed keys (EVP_PKEY_SM2 is not EVP_PKEY_EC to it).
const SPKI_PREFIX = hexToBytes('3059301306072a8648ce3d020106082a811ccf5501822d034200');
const PKCS8_PREFIX = hexToBytes('308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420');
const PKCS8_MIDDLE = hexToBytes('a144034200');
const SM2_CURVE_OID = hexToBytes('06082a811ccf5501822d');
// ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING (32) d, ... } as found in both SEC1 and PKCS#8.
const EC_PRIVATE_KEY_MARKER = hexToBytes('0201010420');

function toPem(label: string, der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function fromPem(text: string, labels: string[]): Uint8Array {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!match || !labels.includes(match[1]!)) throw new SecureChannelError('INVALID_KEY', `expected a PEM block labelled ${labels.join(' or ')}`);
  const body = match[2]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new SecureChannelError('INVALID_KEY', 'PEM body is not base64');
  return Uint8Array.from(Buffer.from(body, 'base64'));
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle));
}

/** SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"), readable by OpenSSL/GmSSL/Tongsuo. Recommended curve only. */
export function publicKeyToPem(publicKey: Uint8Array): string {
  assertValidPublicKey(publicKey);
  return toPem('PUBLIC KEY', concatBytes(SPKI_PREFIX, publicKey));
}

/** Reads an SM2 SubjectPublicKeyInfo (PEM text or DER bytes) with an uncompressed point; returns the 65-byte point. */
export function publicKeyFromPem(text: string | Uint8Array): Uint8Array {
  const der = typeof text === 'string' ? fromPem(text, ['PUBLIC KEY']) : text;
  if (der.length !== SPKI_PREFIX.length + 65 || !equalBytes(der.subarray(0, SPKI_PREFIX.length), SPKI_PREFIX)) {
    throw new SecureChannelError('INVALID_KEY', 'public key is not an uncompressed SM2 (sm2p256v1) SubjectPublicKeyInfo');
  }
  const point = der.slice(SPKI_PREFIX.length);
  assertValidPublicKey(point);
  return point;
}

/** PKCS#8 PEM ("BEGIN PRIVATE KEY") of the pair. Recommended curve only. */
export function privateKeyToPem(pair: Sm2KeyPair): string {
  keyPairFromPrivateKey(pair.privateKey);
  return toPem('PRIVATE KEY', concatBytes(PKCS8_PREFIX, pair.privateKey, PKCS8_MIDDLE, pair.publicKey));
}

/** Reads PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY", OpenSSL's "SM2 PRIVATE KEY") PEM of an SM2 key; the public key is re-derived. */
export function keyPairFromPem(text: string): Sm2KeyPair {
  const der = fromPem(text, ['PRIVATE KEY', 'EC PRIVATE KEY', 'SM2 PRIVATE KEY']);
  const at = indexOf(der, EC_PRIVATE_KEY_MARKER);
  if (indexOf(der, SM2_CURVE_OID) < 0 || at < 0 || der.length < at + EC_PRIVATE_KEY_MARKER.length + 32) {
    throw new SecureChannelError('INVALID_KEY', 'private key is not an SM2 (sm2p256v1) key');
  }
  const start = at + EC_PRIVATE_KEY_MARKER.length;
  return keyPairFromPrivateKey(der.slice(start, start + 32));
}
