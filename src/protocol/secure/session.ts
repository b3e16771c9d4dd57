// Per-frame protection once the session key is agreed: SM4-CTR encryption of the payload with a
// fresh IV, an SM2 signature over header || payload section, and anti-replay (sequence window plus
// timestamp skew). The frame codec owns the header layout; it hands us the header bytes and the
// sequence/timestamp it parsed from them, so this module never depends on header offsets.
import { randomFillSync } from 'node:crypto';
import { systemClock, type Clock } from '../../core/index.ts';
import { concatBytes, equalBytes, utf8 } from './bytes.ts';
import { SecureChannelError } from './errors.ts';
import { ReplayWindow } from './replay-window.ts';
import { sm3 } from './sm3.ts';
import { SM4_BLOCK_LENGTH, SM4_KEY_LENGTH, sm4Ctr } from './sm4.ts';
import { SM2_DEFAULT_USER_ID, SM2_SIGNATURE_LENGTH, Sm2Signer, Sm2Verifier, type Sm2Backend, type UserId } from './sm2-sign.ts';
import type { Sm2KeyPair } from './sm2-keys.ts';
import { directionalKeys, type KeyExchangeResult } from './key-exchange.ts';

export const SECURE_IV_LENGTH = SM4_BLOCK_LENGTH;
/** Leading IV bytes that name the key the frame was encrypted with (the rest of the IV is random). */
export const KEY_ID_LENGTH = 4;
export { SM2_SIGNATURE_LENGTH };

/** Length of the payload section (IV || ciphertext) for a plain payload of `plainLength` bytes. */
export function protectedPayloadLength(plainLength: number): number {
  return SECURE_IV_LENGTH + plainLength;
}

/** 4-byte identifier of a directional SM4 key: a one-way digest, so it reveals nothing about the key. */
export function sessionKeyId(key: Uint8Array): Uint8Array {
  return sm3(utf8('UniFleet/v1 key id'), key).slice(0, KEY_ID_LENGTH);
}

export interface SecureFrameHeader {
  /** The header exactly as sent; its payloadLength must already count IV + ciphertext. */
  readonly bytes: Uint8Array;
  /** Sequence number (u32) parsed from the header. */
  readonly sequence: number;
  /** Sender timestamp in ms since the Unix epoch, parsed from the header. */
  readonly timestampMs: number;
}

export interface ProtectedPayload {
  /** IV (16) || SM4-CTR ciphertext, to be placed after the header. */
  readonly payloadSection: Uint8Array;
  /** SM2 signature r || s (64 bytes) over header || payloadSection. */
  readonly signature: Uint8Array;
}

export type UnprotectResult = { readonly ok: true; readonly payload: Uint8Array } | { readonly ok: false; readonly error: SecureChannelError };

export interface SecureSessionOptions {
  /** SM4 key for frames we send. */
  readonly sendKey: Uint8Array;
  /** SM4 key for frames we receive. */
  readonly receiveKey: Uint8Array;
  /** Our static SM2 key pair: signs what we send. */
  readonly localKeyPair: Sm2KeyPair;
  /** The peer's static SM2 public key (65 bytes): verifies what we receive. */
  readonly peerPublicKey: Uint8Array;
  /** IDs hashed into the signatures' Z values; both default to the GM/T 0009 default ID. */
  readonly localUserId?: UserId;
  readonly peerUserId?: UserId;
  readonly clock?: Clock;
  /** Largest accepted |receiver clock - frame timestamp|; default 30 s. */
  readonly maxClockSkewMs?: number;
  /** Anti-replay window width in frames; default 1024. */
  readonly replayWindow?: number;
  /** Precomputation window for the peer's key with the js backend (see Sm2VerifierOptions); default 6. */
  readonly precomputeWindow?: number;
  /** SM2 backend for signing and verifying (see Sm2Backend); default 'auto' (OpenSSL when it passed its self-test). */
  readonly sm2Backend?: Sm2Backend;
  /**
   * A verifier already built for the peer's key (same key and user ID), e.g. kept per enrolled AGV by the
   * platform, so reconnects skip the ~10–50 ms table precomputation. Without it the session builds its own.
   */
  readonly peerVerifier?: Sm2Verifier;
}

const MAX_SEQUENCE = 0xffffffff;

export class SecureSession {
  private readonly sendKey: Uint8Array;
  private readonly receiveKey: Uint8Array;
  private readonly sendKeyId: Uint8Array;
  private readonly receiveKeyId: Uint8Array;
  private readonly signer: Sm2Signer;
  private readonly verifier: Sm2Verifier;
  private readonly clock: Clock;
  private readonly maxClockSkewMs: number;
  private readonly window: ReplayWindow;
  private lastSentSequence = -1;

  constructor(options: SecureSessionOptions) {
    for (const [name, key] of [['sendKey', options.sendKey], ['receiveKey', options.receiveKey]] as const) {
      if (key.length !== SM4_KEY_LENGTH) throw new SecureChannelError('INVALID_KEY', `${name} must be ${SM4_KEY_LENGTH} bytes`);
    }
    this.sendKey = options.sendKey.slice();
    this.receiveKey = options.receiveKey.slice();
    this.sendKeyId = sessionKeyId(this.sendKey);
    this.receiveKeyId = sessionKeyId(this.receiveKey);
    const backend = options.sm2Backend;
    this.signer = new Sm2Signer(options.localKeyPair, { userId: options.localUserId ?? SM2_DEFAULT_USER_ID, backend });
    const peerUserId = options.peerUserId ?? SM2_DEFAULT_USER_ID;
    if (options.peerVerifier) {
      const expected = new Sm2Verifier(options.peerPublicKey, { userId: peerUserId, precomputeWindow: 0, backend: 'js' });
      if (!equalBytes(options.peerVerifier.z, expected.z)) {
        throw new SecureChannelError('INVALID_KEY', 'peerVerifier was built for another key or user ID');
      }
      this.verifier = options.peerVerifier;
    } else {
      this.verifier = new Sm2Verifier(options.peerPublicKey, { userId: peerUserId, precomputeWindow: options.precomputeWindow, backend });
    }
    this.clock = options.clock ?? systemClock;
    this.maxClockSkewMs = options.maxClockSkewMs ?? 30_000;
    if (!(this.maxClockSkewMs >= 0)) throw new SecureChannelError('INVALID_ARGUMENT', 'maxClockSkewMs must be >= 0');
    this.window = new ReplayWindow(options.replayWindow ?? 1024);
  }

  /** The session both sides use after a completed key exchange: directional keys, peer key from the handshake. */
  static fromKeyExchange(result: KeyExchangeResult, options: Omit<SecureSessionOptions, 'sendKey' | 'receiveKey' | 'peerPublicKey'>): SecureSession {
    return new SecureSession({ ...options, ...directionalKeys(result), peerPublicKey: result.peerStaticPublicKey });
  }

  /** Which SM2 backend verifies the peer's frames (see Sm2Backend). */
  get verifierBackend(): Exclude<Sm2Backend, 'auto'> {
    return this.verifier.backend;
  }

  /** True once the sending sequence space is nearly used up; the owner should run a new key exchange. */
  get rekeyRecommended(): boolean {
    return this.lastSentSequence >= MAX_SEQUENCE - 0x10000;
  }

  /** Encrypts and signs one frame. Sequence numbers must increase strictly within a session. */
  protect(header: SecureFrameHeader, plainPayload: Uint8Array): ProtectedPayload {
    const { sequence } = header;
    if (!Number.isInteger(sequence) || sequence < 0 || sequence > MAX_SEQUENCE) {
      throw new SecureChannelError('INVALID_ARGUMENT', `sequence ${sequence} is not a u32`);
    }
    if (sequence <= this.lastSentSequence) {
      // The receiver would drop it as a replay, and reusing a sequence hides real loss.
      throw new SecureChannelError(this.lastSentSequence === MAX_SEQUENCE ? 'REKEY_REQUIRED' : 'INVALID_ARGUMENT',
        `sequence ${sequence} not above last sent ${this.lastSentSequence}`);
    }
    const iv = new Uint8Array(SECURE_IV_LENGTH);
    iv.set(this.sendKeyId, 0);
    randomFillSync(iv, KEY_ID_LENGTH);
    const payloadSection = concatBytes(iv, sm4Ctr(this.sendKey, iv, plainPayload));
    const signature = this.signer.sign(header.bytes, payloadSection);
    this.lastSentSequence = sequence;
    return { payloadSection, signature };
  }

  /** Checks and decrypts one received frame; throws SecureChannelError with a distinct code on rejection. */
  unprotect(header: SecureFrameHeader, payloadSection: Uint8Array, signature: Uint8Array): Uint8Array {
    const result = this.tryUnprotect(header, payloadSection, signature);
    if (!result.ok) throw result.error;
    return result.payload;
  }

  /**
   * Same as unprotect without throwing. Cheap checks run first so junk and replays cost no SM2
   * verification; the replay window only moves after the signature verified.
   */
  tryUnprotect(header: SecureFrameHeader, payloadSection: Uint8Array, signature: Uint8Array): UnprotectResult {
    if (signature.length !== SM2_SIGNATURE_LENGTH) {
      return fail('TRUNCATED', `signature must be ${SM2_SIGNATURE_LENGTH} bytes, got ${signature.length}`);
    }
    if (payloadSection.length < SECURE_IV_LENGTH) {
      return fail('TRUNCATED', `payload section of ${payloadSection.length} bytes is shorter than the ${SECURE_IV_LENGTH}-byte IV`);
    }
    if (!equalBytes(payloadSection.subarray(0, KEY_ID_LENGTH), this.receiveKeyId)) {
      return fail('KEY_MISMATCH', 'frame was encrypted under a different session key');
    }
    const skew = header.timestampMs - this.clock.now();
    if (!Number.isFinite(skew) || Math.abs(skew) > this.maxClockSkewMs) {
      return fail('STALE_TIMESTAMP', `frame timestamp is ${skew} ms off our clock (limit ±${this.maxClockSkewMs} ms)`);
    }
    const { sequence } = header;
    if (!Number.isInteger(sequence) || sequence < 0 || sequence > MAX_SEQUENCE) return fail('OUTSIDE_WINDOW', `sequence ${sequence} is not a u32`);
    const verdict = this.window.check(sequence);
    if (verdict === 'REPLAYED') return fail('REPLAYED', `sequence ${sequence} was already accepted`);
    if (verdict === 'OUTSIDE_WINDOW') {
      return fail('OUTSIDE_WINDOW', `sequence ${sequence} is more than ${this.window.size} behind ${this.window.highestAccepted}`);
    }
    if (!this.verifier.verify(signature, header.bytes, payloadSection)) {
      return fail('SIGNATURE_INVALID', 'SM2 signature over header and payload does not verify with the peer key');
    }
    this.window.accept(sequence);
    try {
      return { ok: true, payload: sm4Ctr(this.receiveKey, payloadSection.subarray(0, SECURE_IV_LENGTH), payloadSection.subarray(SECURE_IV_LENGTH)) };
    } catch (error) {
      return fail('DECRYPT_FAILED', (error as Error).message);
    }
  }
}

function fail(code: SecureChannelError['code'], message: string): UnprotectResult {
  return { ok: false, error: new SecureChannelError(code, message) };
}
