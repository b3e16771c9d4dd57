// SM2 domain parameters and the curve arithmetic behind them. Point arithmetic is @noble/curves'
// audited short-Weierstrass implementation; we only feed it parameters. The GB/T 32918 worked
// examples use a different (example) Fp-256 curve, so the curve is a parameter everywhere.
import { weierstrass, type WeierstrassPoint, type WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { randomBytes } from 'node:crypto';
import { bigintToBytes, bytesToBigint } from './bytes.ts';
import { SecureChannelError } from './errors.ts';

export interface Sm2CurveParams {
  readonly name: string;
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly n: bigint;
  readonly h: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
}

/** The recommended SM2 curve (GB/T 32918.5-2017, GM/T 0003.5-2012): the one used on the wire. */
export const SM2_RECOMMENDED_CURVE: Sm2CurveParams = {
  name: 'sm2p256v1',
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
};

/** The example Fp-256 curve of the worked examples in GB/T 32918.2/.3 (GM/T 0003-2012 annex). Tests only. */
export const SM2_EXAMPLE_CURVE: Sm2CurveParams = {
  name: 'gbt32918-example-fp256',
  p: 0x8542d69e4c044f18e8b92435bf6ff7de457283915c45517d722edb8b08f1dfc3n,
  a: 0x787968b4fa32c3fd2417842e73bbfeff2f3c848b6831d7e0ec65228b3937e498n,
  b: 0x63e4c6d3b23b0c849cf84241484bfe48f61d59a5b16ba06e6e12d1da27c5249an,
  n: 0x8542d69e4c044f18e8b92435bf6ff7dd297720630485628d5ae74ee7c32e79b7n,
  h: 1n,
  gx: 0x421debd61b62eab6746434ebc3cc315e32220b3badd50bdc4c4e6c147fedd43dn,
  gy: 0x0680512bcbb42c07d47349d2153b70c4e5d7fdfcbfa36ea1a85841b9e46e09a2n,
};

export type Sm2Point = WeierstrassPoint<bigint>;

export interface Sm2Curve {
  readonly params: Sm2CurveParams;
  readonly Point: WeierstrassPointCons<bigint>;
  /** Bytes per coordinate / scalar (32 for 256-bit curves). */
  readonly size: number;
  /** Uncompressed point encoding length: 04 || x || y. */
  readonly publicKeyLength: number;
  /** a, b, xG, yG as fixed-width bytes, the constant part of every Z value. */
  readonly zPrefix: Uint8Array;
}

const curves = new Map<Sm2CurveParams, Sm2Curve>();

export function sm2Curve(params: Sm2CurveParams = SM2_RECOMMENDED_CURVE): Sm2Curve {
  let curve = curves.get(params);
  if (!curve) {
    const Point = weierstrass({ p: params.p, n: params.n, h: params.h, a: params.a, b: params.b, Gx: params.gx, Gy: params.gy });
    const size = Math.ceil(params.p.toString(16).length / 2);
    const zPrefix = new Uint8Array(size * 4);
    [params.a, params.b, params.gx, params.gy].forEach((v, i) => zPrefix.set(bigintToBytes(v, size), i * size));
    curve = { params, Point, size, publicKeyLength: 1 + 2 * size, zPrefix };
    curves.set(params, curve);
  }
  return curve;
}

export function modN(curve: Sm2Curve, value: bigint): bigint {
  const r = value % curve.params.n;
  return r < 0n ? r + curve.params.n : r;
}

/** Uniform-enough scalar in [1, n-1]: 64 extra random bits make the modulo bias negligible (< 2^-64). */
export function randomScalar(curve: Sm2Curve): bigint {
  return (bytesToBigint(randomBytes(curve.size + 8)) % (curve.params.n - 1n)) + 1n;
}

/** Decodes and validates a 65-byte uncompressed point (on the curve, not infinity). */
export function decodePoint(curve: Sm2Curve, bytes: Uint8Array, what = 'public key'): Sm2Point {
  if (bytes.length !== curve.publicKeyLength || bytes[0] !== 0x04) {
    throw new SecureChannelError('INVALID_KEY', `${what} must be ${curve.publicKeyLength} bytes starting with 0x04 (uncompressed)`);
  }
  try {
    const point = curve.Point.fromBytes(bytes);
    point.assertValidity();
    return point;
  } catch {
    throw new SecureChannelError('INVALID_KEY', `${what} is not a point on ${curve.params.name}`);
  }
}

export function encodePoint(point: Sm2Point): Uint8Array {
  return point.toBytes(false);
}

export function checkPrivateScalar(curve: Sm2Curve, d: bigint): void {
  // GB/T 32918.1 §6.1: d in [1, n-2], because signing needs (1 + d) to be invertible.
  if (d < 1n || d > curve.params.n - 2n) throw new SecureChannelError('INVALID_KEY', 'private key out of range [1, n-2]');
}
