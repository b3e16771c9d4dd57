// One error type for everything the secure channel rejects, so callers can branch on a stable `code`
// (logged, counted in metrics, mapped to a nack) instead of parsing messages.

export const SECURE_ERROR_CODES = [
  /** Payload section shorter than the IV, or signature not exactly 64 bytes. */
  'TRUNCATED',
  /** The frame was encrypted under a different session key (other session, other direction, stale key). */
  'KEY_MISMATCH',
  /** SM2 signature does not verify: the frame was altered or signed by someone else. */
  'SIGNATURE_INVALID',
  /** Frame timestamp differs from our clock by more than the allowed skew. */
  'STALE_TIMESTAMP',
  /** Sequence number already accepted inside the window. */
  'REPLAYED',
  /** Sequence number too far behind the newest accepted one to be tracked (reordered beyond the window). */
  'OUTSIDE_WINDOW',
  /** SM4 refused the input (wrong key/IV size); never expected for frames built by this module. */
  'DECRYPT_FAILED',
  /** A key or point is malformed, not on the curve, or the wrong length. */
  'INVALID_KEY',
  /** Malformed argument other than a key (ID too long, bad key length requested...). */
  'INVALID_ARGUMENT',
  /** A handshake message arrived in a state that does not expect it. */
  'HANDSHAKE_STATE',
  /** The peer's key-confirmation hash (S_B or S_A) does not match ours: different keys or a man in the middle. */
  'KEY_CONFIRMATION_FAILED',
  /** The handshake peer announced an identity other than the one we were configured to talk to. */
  'UNEXPECTED_PEER',
  /** The sending sequence space of this session key is used up; run a new key exchange. */
  'REKEY_REQUIRED',
] as const;

export type SecureErrorCode = (typeof SECURE_ERROR_CODES)[number];

export class SecureChannelError extends Error {
  override readonly name = 'SecureChannelError';
  readonly code: SecureErrorCode;

  constructor(code: SecureErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

export function isSecureChannelError(value: unknown): value is SecureChannelError {
  return value instanceof SecureChannelError;
}
