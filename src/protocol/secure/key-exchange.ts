// SM2 key exchange (GB/T 32918.3 §6.1) as two small state machines: the AGV initiates (user A), the
// platform responds (user B). Both sides prove key possession with the optional confirmation hashes
// S_B / S_A, which the protocol makes mandatory. Curve arithmetic is @noble/curves'; the steps below
// (x̄, t = d + x̄·r, U/V = [h·t](P + [x̄]R), KDF, S1/S2) are the standard's protocol composition.
import { bigintToBytes, concatBytes, equalBytes, utf8 } from './bytes.ts';
import { SecureChannelError } from './errors.ts';
import { sm3, sm3Kdf } from './sm3.ts';
import { decodePoint, encodePoint, modN, randomScalar, sm2Curve, SM2_RECOMMENDED_CURVE, type Sm2Curve, type Sm2CurveParams, type Sm2Point } from './sm2-curve.ts';
import { sm2Z, type UserId } from './sm2-sign.ts';
import { keyPairFromPrivateKey, type Sm2KeyPair } from './sm2-keys.ts';

/** Session key material derived by default: 16 bytes per direction. */
export const SESSION_KEY_MATERIAL_LENGTH = 32;
export const CONFIRMATION_LENGTH = 32;

// Field names match the keyExchangeInit/Reply/Confirm messages of the catalogue (src/protocol/messages/channel.ts),
// so decoded messages can be handed over as they are.

/** Fields of keyExchangeInit (AGV → platform). */
export interface KeyExchangeInit {
  /** ID_A, hashed into Z_A. */
  readonly userId: Uint8Array;
  /** P_A, the AGV's static public key; the platform must find it enrolled for this AGV before answering. */
  readonly staticPublicKey: Uint8Array;
  /** R_A = [r_A]G, 65 bytes. */
  readonly ephemeralPublicKey: Uint8Array;
}

/** Fields of keyExchangeReply (platform → AGV). */
export interface KeyExchangeReply {
  /** ID_B, hashed into Z_B. */
  readonly userId: Uint8Array;
  /** P_B, the platform's static public key; the AGV requires it to equal its pinned copy. */
  readonly staticPublicKey: Uint8Array;
  /** R_B = [r_B]G, 65 bytes. */
  readonly ephemeralPublicKey: Uint8Array;
  /** S_B: proves the platform derived the same key. */
  readonly confirmation: Uint8Array;
}

/** Fields of keyExchangeConfirm (AGV → platform). */
export interface KeyExchangeConfirm {
  /** S_A: proves the AGV derived the same key. */
  readonly confirmation: Uint8Array;
}

export interface KeyExchangeResult {
  readonly role: 'initiator' | 'responder';
  /** The KDF output K_A = K_B. */
  readonly sharedKey: Uint8Array;
  readonly localId: Uint8Array;
  readonly peerId: Uint8Array;
  readonly peerStaticPublicKey: Uint8Array;
}

interface CommonOptions {
  /** Our identity (the standard's ID_A / ID_B), hashed into Z. */
  readonly id: UserId;
  /** Our static key pair. */
  readonly keyPair: Sm2KeyPair;
  /** Bytes of key material to derive (klen / 8); default 32. */
  readonly keyLength?: number;
  readonly curve?: Sm2CurveParams;
  /** Fixed ephemeral private key, only to reproduce the standard's worked example. Never set it in production. */
  readonly ephemeralPrivateKeyForTesting?: Uint8Array;
}

export interface InitiatorOptions extends CommonOptions {
  /** The platform's static public key, provisioned on the AGV in advance (pinned). */
  readonly responderPublicKey: Uint8Array;
  /** If set, the reply must name exactly this responder. */
  readonly expectedResponderId?: UserId;
}

export type ResponderOptions = CommonOptions;

function toBytes(id: UserId): Uint8Array {
  return typeof id === 'string' ? utf8(id) : id;
}

/** x̄ = 2^w + (x mod 2^w), w = ceil(ceil(log2 n) / 2) - 1. */
function xBar(curve: Sm2Curve, x: bigint): bigint {
  const w = BigInt(Math.ceil(curve.params.n.toString(2).length / 2) - 1);
  const twoW = 1n << w;
  return twoW + (x & (twoW - 1n));
}

interface Ephemeral {
  r: bigint;
  point: Sm2Point;
  bytes: Uint8Array;
}

function ephemeral(curve: Sm2Curve, fixed: Uint8Array | undefined): Ephemeral {
  const pair = fixed ? keyPairFromPrivateKey(fixed, curve.params) : undefined;
  const r = pair ? BigInt('0x' + Buffer.from(pair.privateKey).toString('hex')) : randomScalar(curve);
  const point = curve.Point.BASE.multiply(r);
  return { r, point, bytes: encodePoint(point) };
}

interface Agreement {
  key: Uint8Array;
  /** S1 = S_B (tag 0x02) and S2 = S_A (tag 0x03) of the standard. */
  confirmB: Uint8Array;
  confirmA: Uint8Array;
}

/**
 * The shared computation of steps A4–A10 / B3–B10: t = (d + x̄_own·r_own) mod n,
 * point = [h·t](P_peer + [x̄_peer]R_peer), K = KDF(x || y || Z_A || Z_B).
 */
function agree(curve: Sm2Curve, d: bigint, own: Ephemeral, peerStatic: Sm2Point, peerEphemeral: Sm2Point, za: Uint8Array, zb: Uint8Array,
  ra: Sm2Point, rb: Sm2Point, keyLength: number): Agreement {
  const t = modN(curve, d + xBar(curve, own.point.x) * own.r);
  let shared = peerStatic.add(peerEphemeral.multiplyUnsafe(xBar(curve, peerEphemeral.x))).multiply(t);
  if (curve.params.h !== 1n) shared = shared.multiplyUnsafe(curve.params.h);
  if (shared.is0()) throw new SecureChannelError('INVALID_KEY', 'key agreement produced the point at infinity');
  const size = curve.size;
  const xs = bigintToBytes(shared.x, size);
  const ys = bigintToBytes(shared.y, size);
  const key = sm3Kdf(concatBytes(xs, ys, za, zb), keyLength);
  const inner = sm3(xs, za, zb, bigintToBytes(ra.x, size), bigintToBytes(ra.y, size), bigintToBytes(rb.x, size), bigintToBytes(rb.y, size));
  return { key, confirmB: sm3(Uint8Array.of(0x02), ys, inner), confirmA: sm3(Uint8Array.of(0x03), ys, inner) };
}

function checkKeyLength(keyLength: number): number {
  if (!Number.isInteger(keyLength) || keyLength < 16 || keyLength > 256) throw new SecureChannelError('INVALID_ARGUMENT', 'keyLength must be 16..256 bytes');
  return keyLength;
}

function privateScalar(curve: Sm2Curve, keyPair: Sm2KeyPair): bigint {
  const checked = keyPairFromPrivateKey(keyPair.privateKey, curve.params);
  if (!equalBytes(checked.publicKey, keyPair.publicKey)) throw new SecureChannelError('INVALID_KEY', 'public key does not belong to the private key');
  return BigInt('0x' + Buffer.from(keyPair.privateKey).toString('hex'));
}

/** AGV side: start() → keyExchangeInit; handleReply(reply) → keyExchangeConfirm + the agreed key. */
export class KeyExchangeInitiator {
  private state: 'idle' | 'awaiting-reply' | 'done' | 'failed' = 'idle';
  private readonly curve: Sm2Curve;
  private readonly id: Uint8Array;
  private readonly d: bigint;
  private readonly za: Uint8Array;
  private readonly responderStatic: Sm2Point;
  private readonly keyLength: number;
  private own: Ephemeral | undefined;

  constructor(private readonly options: InitiatorOptions) {
    this.curve = sm2Curve(options.curve ?? SM2_RECOMMENDED_CURVE);
    this.id = toBytes(options.id);
    this.d = privateScalar(this.curve, options.keyPair);
    this.za = sm2Z(options.keyPair.publicKey, this.id, this.curve.params);
    this.responderStatic = decodePoint(this.curve, options.responderPublicKey, 'responder public key');
    this.keyLength = checkKeyLength(options.keyLength ?? SESSION_KEY_MATERIAL_LENGTH);
  }

  get currentState(): string {
    return this.state;
  }

  /** Steps A1–A3: pick r_A, send R_A with our identity and static key. */
  start(): KeyExchangeInit {
    if (this.state !== 'idle') throw new SecureChannelError('HANDSHAKE_STATE', `start() in state ${this.state}`);
    this.own = ephemeral(this.curve, this.options.ephemeralPrivateKeyForTesting);
    this.state = 'awaiting-reply';
    return { userId: this.id, staticPublicKey: this.options.keyPair.publicKey, ephemeralPublicKey: this.own.bytes };
  }

  /** Steps A4–A10: derive K_A, check S_B, answer with S_A. */
  handleReply(reply: KeyExchangeReply): { confirm: KeyExchangeConfirm; result: KeyExchangeResult } {
    if (this.state !== 'awaiting-reply' || !this.own) throw new SecureChannelError('HANDSHAKE_STATE', `reply in state ${this.state}`);
    this.state = 'failed'; // until proven otherwise: a failed handshake is not retried on the same ephemeral key
    const expected = this.options.expectedResponderId;
    if (expected !== undefined && !equalBytes(toBytes(expected), reply.userId)) {
      throw new SecureChannelError('UNEXPECTED_PEER', 'reply names a different responder than configured');
    }
    if (!equalBytes(reply.staticPublicKey, this.options.responderPublicKey)) {
      throw new SecureChannelError('UNEXPECTED_PEER', 'responder presents a static key other than the pinned platform key');
    }
    if (reply.confirmation.length !== CONFIRMATION_LENGTH) throw new SecureChannelError('KEY_CONFIRMATION_FAILED', 'S_B must be 32 bytes');
    const rb = decodePoint(this.curve, reply.ephemeralPublicKey, 'responder ephemeral key R_B');
    const zb = sm2Z(this.options.responderPublicKey, reply.userId, this.curve.params);
    const agreement = agree(this.curve, this.d, this.own, this.responderStatic, rb, this.za, zb, this.own.point, rb, this.keyLength);
    this.own = undefined;
    if (!equalBytes(agreement.confirmB, reply.confirmation)) {
      throw new SecureChannelError('KEY_CONFIRMATION_FAILED', 'S_B does not match: the responder derived a different key');
    }
    this.state = 'done';
    return {
      confirm: { confirmation: agreement.confirmA },
      result: { role: 'initiator', sharedKey: agreement.key, localId: this.id, peerId: reply.userId, peerStaticPublicKey: this.options.responderPublicKey },
    };
  }
}

/**
 * Platform side: handleInit(init) → keyExchangeReply; handleConfirm(confirm) → the agreed key.
 * Check that init.staticPublicKey is the key enrolled for the AGV *before* calling handleInit (the AGV's identity
 * comes from accessRequest; init.userId is only the ID hashed into Z_A).
 */
export class KeyExchangeResponder {
  private state: 'awaiting-init' | 'awaiting-confirm' | 'done' | 'failed' = 'awaiting-init';
  private readonly curve: Sm2Curve;
  private readonly id: Uint8Array;
  private readonly d: bigint;
  private readonly keyLength: number;
  private pending: { confirmA: Uint8Array; result: KeyExchangeResult } | undefined;

  constructor(private readonly options: ResponderOptions) {
    this.curve = sm2Curve(options.curve ?? SM2_RECOMMENDED_CURVE);
    this.id = toBytes(options.id);
    this.d = privateScalar(this.curve, options.keyPair);
    this.keyLength = checkKeyLength(options.keyLength ?? SESSION_KEY_MATERIAL_LENGTH);
  }

  get currentState(): string {
    return this.state;
  }

  /** Steps B1–B9: pick r_B, derive K_B, answer with R_B and S_B. */
  handleInit(init: KeyExchangeInit): KeyExchangeReply {
    if (this.state !== 'awaiting-init') throw new SecureChannelError('HANDSHAKE_STATE', `init in state ${this.state}`);
    this.state = 'failed';
    const initiatorStatic = decodePoint(this.curve, init.staticPublicKey, 'initiator static key');
    const ra = decodePoint(this.curve, init.ephemeralPublicKey, 'initiator ephemeral key R_A');
    const za = sm2Z(init.staticPublicKey, init.userId, this.curve.params);
    const zb = sm2Z(this.options.keyPair.publicKey, this.id, this.curve.params);
    const own = ephemeral(this.curve, this.options.ephemeralPrivateKeyForTesting);
    const agreement = agree(this.curve, this.d, own, initiatorStatic, ra, za, zb, ra, own.point, this.keyLength);
    this.pending = {
      confirmA: agreement.confirmA,
      result: { role: 'responder', sharedKey: agreement.key, localId: this.id, peerId: init.userId, peerStaticPublicKey: init.staticPublicKey },
    };
    this.state = 'awaiting-confirm';
    return { userId: this.id, staticPublicKey: this.options.keyPair.publicKey, ephemeralPublicKey: own.bytes, confirmation: agreement.confirmB };
  }

  /** Step B10: check S_A; only then is the key usable. */
  handleConfirm(confirm: KeyExchangeConfirm): KeyExchangeResult {
    if (this.state !== 'awaiting-confirm' || !this.pending) throw new SecureChannelError('HANDSHAKE_STATE', `confirm in state ${this.state}`);
    const { confirmA, result } = this.pending;
    this.pending = undefined;
    this.state = 'failed';
    if (!equalBytes(confirmA, confirm.confirmation)) {
      throw new SecureChannelError('KEY_CONFIRMATION_FAILED', 'S_A does not match: the initiator derived a different key');
    }
    this.state = 'done';
    return result;
  }
}

/** Splits the agreed key material into the two directional SM4 keys (first half: initiator → responder). */
export function directionalKeys(result: KeyExchangeResult): { sendKey: Uint8Array; receiveKey: Uint8Array } {
  if (result.sharedKey.length < 32) throw new SecureChannelError('INVALID_ARGUMENT', 'session needs at least 32 bytes of key material');
  const initiatorToResponder = result.sharedKey.slice(0, 16);
  const responderToInitiator = result.sharedKey.slice(16, 32);
  return result.role === 'initiator'
    ? { sendKey: initiatorToResponder, receiveKey: responderToInitiator }
    : { sendKey: responderToInitiator, receiveKey: initiatorToResponder };
}
