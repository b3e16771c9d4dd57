// SM2 key exchange (GB/T 32918.3 §6.1) as two small state machines: the AGV initiates (user A), the
// platform responds (user B). Both sides prove key possession with the optional confirmation hashes
// S_B / S_A, which the protocol makes mandatory. The curve steps (R = [r]G, the shared point
// [h·t](P + [x̄]R)) are key-exchange-math.ts's, in OpenSSL through the native addon or in @noble/curves; the hashes
// around them (Z, KDF, S1/S2) and the order of checks are the standard's protocol composition, here.
import { concatBytes, equalBytes, utf8 } from './bytes.ts';
import { SecureChannelError } from './errors.ts';
import { sm3, sm3Kdf } from './sm3.ts';
import { decodePoint, sm2Curve, SM2_RECOMMENDED_CURVE, type Sm2Curve, type Sm2CurveParams } from './sm2-curve.ts';
import { zOf, type UserId } from './sm2-sign.ts';
import type { Sm2KeyPair } from './sm2-keys.ts';
import { exchangeMath, type ExchangeBackend, type ExchangeEphemeral, type ExchangeMath, type ExchangeStaticKey, type PeerPointNames } from './key-exchange-math.ts';

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
  /** Who does the curve work: 'auto' (default) takes the native addon when built and self-tested. */
  readonly backend?: ExchangeBackend;
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

interface Agreement {
  key: Uint8Array;
  /** S1 = S_B (tag 0x02) and S2 = S_A (tag 0x03) of the standard. */
  confirmB: Uint8Array;
  confirmA: Uint8Array;
}

/**
 * Steps A4–A10 / B3–B10 around the curve step: the shared point (x, y), K = KDF(x || y || Z_A || Z_B) and the
 * confirmation hashes over R_A = (x1, y1) and R_B = (x2, y2).
 */
function agree(math: ExchangeMath, own: ExchangeStaticKey, ephemeral: ExchangeEphemeral, peerStatic: Uint8Array, peerEphemeral: Uint8Array, names: PeerPointNames,
  za: Uint8Array, zb: Uint8Array, ra: Uint8Array, rb: Uint8Array, keyLength: number): Agreement {
  const { x, y } = math.sharedPoint(own, ephemeral, peerStatic, peerEphemeral, names);
  const key = sm3Kdf(concatBytes(x, y, za, zb), keyLength);
  // The encoded points are 04 || x || y: their coordinates are the fixed-width bytes the hashes take.
  const inner = sm3(x, za, zb, ra.subarray(1), rb.subarray(1));
  return { key, confirmB: sm3(Uint8Array.of(0x02), y, inner), confirmA: sm3(Uint8Array.of(0x03), y, inner) };
}

function checkKeyLength(keyLength: number): number {
  if (!Number.isInteger(keyLength) || keyLength < 16 || keyLength > 256) throw new SecureChannelError('INVALID_ARGUMENT', 'keyLength must be 16..256 bytes');
  return keyLength;
}

/** AGV side: start() → keyExchangeInit; handleReply(reply) → keyExchangeConfirm + the agreed key. */
export class KeyExchangeInitiator {
  private state: 'idle' | 'awaiting-reply' | 'done' | 'failed' = 'idle';
  private readonly curve: Sm2Curve;
  private readonly math: ExchangeMath;
  private readonly id: Uint8Array;
  private readonly staticKey: ExchangeStaticKey;
  private readonly za: Uint8Array;
  private readonly keyLength: number;
  private own: ExchangeEphemeral | undefined;

  constructor(private readonly options: InitiatorOptions) {
    this.curve = sm2Curve(options.curve ?? SM2_RECOMMENDED_CURVE);
    this.math = exchangeMath(this.curve, options.backend);
    this.id = toBytes(options.id);
    this.staticKey = this.math.staticKey(options.keyPair);
    this.za = zOf(this.curve, options.keyPair.publicKey, this.id);
    // The pinned key is configuration: a malformed one is refused here, before any traffic.
    decodePoint(this.curve, options.responderPublicKey, 'responder public key');
    this.keyLength = checkKeyLength(options.keyLength ?? SESSION_KEY_MATERIAL_LENGTH);
  }

  get currentState(): string {
    return this.state;
  }

  /** Which implementation does the curve work ('native' or 'js'). */
  get backend(): ExchangeMath['backend'] {
    return this.math.backend;
  }

  /** Steps A1–A3: pick r_A, send R_A with our identity and static key. */
  start(): KeyExchangeInit {
    if (this.state !== 'idle') throw new SecureChannelError('HANDSHAKE_STATE', `start() in state ${this.state}`);
    this.own = this.math.ephemeral(this.options.ephemeralPrivateKeyForTesting);
    this.state = 'awaiting-reply';
    return { userId: this.id, staticPublicKey: this.options.keyPair.publicKey, ephemeralPublicKey: this.own.publicKey };
  }

  /** Steps A4–A10: derive K_A, check S_B, answer with S_A. */
  handleReply(reply: KeyExchangeReply): { confirm: KeyExchangeConfirm; result: KeyExchangeResult } {
    const own = this.own;
    if (this.state !== 'awaiting-reply' || !own) throw new SecureChannelError('HANDSHAKE_STATE', `reply in state ${this.state}`);
    this.state = 'failed'; // until proven otherwise: a failed handshake is not retried on the same ephemeral key
    this.own = undefined;
    const expected = this.options.expectedResponderId;
    if (expected !== undefined && !equalBytes(toBytes(expected), reply.userId)) {
      throw new SecureChannelError('UNEXPECTED_PEER', 'reply names a different responder than configured');
    }
    if (!equalBytes(reply.staticPublicKey, this.options.responderPublicKey)) {
      throw new SecureChannelError('UNEXPECTED_PEER', 'responder presents a static key other than the pinned platform key');
    }
    if (reply.confirmation.length !== CONFIRMATION_LENGTH) throw new SecureChannelError('KEY_CONFIRMATION_FAILED', 'S_B must be 32 bytes');
    const zb = zOf(this.curve, this.options.responderPublicKey, reply.userId);
    const names = { staticKey: 'responder public key', ephemeralKey: 'responder ephemeral key R_B' };
    const agreement = agree(this.math, this.staticKey, own, this.options.responderPublicKey, reply.ephemeralPublicKey, names, this.za, zb, own.publicKey, reply.ephemeralPublicKey, this.keyLength);
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
  private readonly math: ExchangeMath;
  private readonly id: Uint8Array;
  private readonly staticKey: ExchangeStaticKey;
  private readonly keyLength: number;
  private pending: { confirmA: Uint8Array; result: KeyExchangeResult } | undefined;

  constructor(private readonly options: ResponderOptions) {
    this.curve = sm2Curve(options.curve ?? SM2_RECOMMENDED_CURVE);
    this.math = exchangeMath(this.curve, options.backend);
    this.id = toBytes(options.id);
    // Checked once per key pair object: a platform answers every handshake with the same one.
    this.staticKey = this.math.staticKey(options.keyPair);
    this.keyLength = checkKeyLength(options.keyLength ?? SESSION_KEY_MATERIAL_LENGTH);
  }

  get currentState(): string {
    return this.state;
  }

  /** Which implementation does the curve work ('native' or 'js'). */
  get backend(): ExchangeMath['backend'] {
    return this.math.backend;
  }

  /** Steps B1–B9: pick r_B, derive K_B, answer with R_B and S_B. */
  handleInit(init: KeyExchangeInit): KeyExchangeReply {
    if (this.state !== 'awaiting-init') throw new SecureChannelError('HANDSHAKE_STATE', `init in state ${this.state}`);
    this.state = 'failed';
    // Z_A is hashed over the raw bytes; the curve step below refuses P_A and R_A unless both are on the curve.
    const za = zOf(this.curve, init.staticPublicKey, init.userId);
    const zb = zOf(this.curve, this.options.keyPair.publicKey, this.id);
    const own = this.math.ephemeral(this.options.ephemeralPrivateKeyForTesting);
    const names = { staticKey: 'initiator static key', ephemeralKey: 'initiator ephemeral key R_A' };
    const agreement = agree(this.math, this.staticKey, own, init.staticPublicKey, init.ephemeralPublicKey, names, za, zb, init.ephemeralPublicKey, own.publicKey, this.keyLength);
    this.pending = {
      confirmA: agreement.confirmA,
      result: { role: 'responder', sharedKey: agreement.key, localId: this.id, peerId: init.userId, peerStaticPublicKey: init.staticPublicKey },
    };
    this.state = 'awaiting-confirm';
    return { userId: this.id, staticPublicKey: this.options.keyPair.publicKey, ephemeralPublicKey: own.publicKey, confirmation: agreement.confirmB };
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
