// The hook through which a secure session encrypts/signs outgoing frames and verifies/decrypts incoming ones.
// The codec knows where the bytes go; the protector (src/protocol/secure/) knows the keys and the replay window.
import type { ProtocolError } from './errors.ts';
import type { FrameHeader } from './header.ts';

export interface ProtectedFrameView {
  readonly header: FrameHeader;
  /** header || payload section: exactly the bytes the SM2 signature covers. */
  readonly signedBytes: Uint8Array;
  /** The payload section: plain payload, or IV (16) || SM4-CTR ciphertext when ENCRYPTED. */
  readonly payloadSection: Uint8Array;
  /** 64-byte signature (r || s) when SIGNED, else undefined. */
  readonly signature: Uint8Array | undefined;
}

export interface FrameProtector {
  /** Flags (ENCRYPTED / SIGNED) to apply to an outgoing message of this type; 0 sends it plain. */
  flagsFor(msgType: number): number;
  /** ENCRYPTED: turns the plain payload into the payload section (IV || ciphertext). */
  seal(plainPayload: Uint8Array, header: Omit<FrameHeader, 'payloadLength'>): Uint8Array;
  /** SIGNED: signature (64 bytes, r || s) over header || payload section. */
  sign(signedBytes: Uint8Array): Uint8Array;
  /**
   * Every incoming frame that passed the CRC check comes here, plain or not, so a secure session can refuse
   * plain frames. Verifies the signature, checks replay/timestamp skew, decrypts. Returns the plain payload
   * or the reason to reject the frame. Must not throw.
   */
  open(frame: ProtectedFrameView): Uint8Array | ProtocolError;
}
