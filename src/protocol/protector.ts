// The hook through which a secure session encrypts/signs outgoing frames and verifies/decrypts incoming ones.
// The codec knows where the bytes go; the protector (see secure-protector.ts over src/protocol/secure/) knows the
// keys and the replay window.
import type { ProtocolError } from './errors.ts';
import type { FrameHeader } from './header.ts';

/** An ENCRYPTED payload section is IV (16 bytes) || SM4-CTR ciphertext, so it is always 16 bytes longer than the plain payload. */
export const ENCRYPTION_IV_SIZE = 16;

export interface ProtectedFrameView {
  readonly header: FrameHeader;
  /** The 24 header bytes as received. */
  readonly headerBytes: Uint8Array;
  /** header || payload section: exactly the bytes the SM2 signature covers. */
  readonly signedBytes: Uint8Array;
  /** The payload section: plain payload, or IV (16) || SM4-CTR ciphertext when ENCRYPTED. */
  readonly payloadSection: Uint8Array;
  /** 64-byte signature (r || s) when SIGNED, else undefined. */
  readonly signature: Uint8Array | undefined;
}

export interface ProtectedOutput {
  /** Payload section to send: the plain payload if not ENCRYPTED, else IV || ciphertext (plain length + 16). */
  readonly payloadSection: Uint8Array;
  /** 64 bytes when SIGNED, else undefined. */
  readonly signature: Uint8Array | undefined;
}

export interface FrameProtector {
  /** Flags (ENCRYPTED / SIGNED) to apply to an outgoing message of this type; 0 sends it plain. */
  flagsFor(msgType: number): number;
  /**
   * Protects one outgoing frame. headerBytes is the final 24-byte header (its payloadLength already counts the
   * IV when ENCRYPTED), which the signature must cover together with the payload section. May throw a
   * ProtocolError (e.g. REKEY_REQUIRED); encodeFrame passes it on.
   */
  protect(headerBytes: Uint8Array, header: FrameHeader, plainPayload: Uint8Array): ProtectedOutput;
  /**
   * Every incoming frame that passed the CRC check comes here, plain or not, so a secure session can refuse
   * plain frames. Verifies the signature, checks replay/timestamp skew, decrypts. Returns the plain payload
   * or the reason to reject the frame. Must not throw.
   */
  open(frame: ProtectedFrameView): Uint8Array | ProtocolError;
}
