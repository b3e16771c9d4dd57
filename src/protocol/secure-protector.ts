// Binds a SecureSession (src/protocol/secure/) to the codec's FrameProtector hook: in a secure session every
// frame after the key exchange is SM4-encrypted and SM2-signed, and plain frames are refused except the few
// that set the channel up. Maps the secure module's rejection codes onto protocol error codes (for nacks).
import { ProtocolError, type ProtocolErrorCode } from './errors.ts';
import { FrameFlags, type FrameHeader } from './header.ts';
import { MsgType } from './catalogue.ts';
import type { FrameProtector, ProtectedFrameView, ProtectedOutput } from './protector.ts';
import { isSecureChannelError, type SecureErrorCode, type SecureSession } from './secure/index.ts';

/** Message types that travel plain even in a secure session: they establish (or re-establish) the keys. */
export const PLAIN_IN_SECURE_SESSION: readonly number[] = [
  MsgType.accessRequest, MsgType.accessResponse, MsgType.keyExchangeInit, MsgType.keyExchangeReply, MsgType.keyExchangeConfirm,
];

// Partial so that codes the secure module adds later still compile; unmapped ones fall back below.
const SECURE_TO_PROTOCOL: Partial<Record<SecureErrorCode, ProtocolErrorCode>> = {
  TRUNCATED: 'BAD_LENGTH',
  KEY_MISMATCH: 'KEY_MISMATCH',
  SIGNATURE_INVALID: 'BAD_SIGNATURE',
  STALE_TIMESTAMP: 'TIMESTAMP_SKEW',
  REPLAYED: 'REPLAYED',
  OUTSIDE_WINDOW: 'OUT_OF_WINDOW',
  DECRYPT_FAILED: 'DECRYPT_FAILED',
  INVALID_KEY: 'KEY_EXCHANGE_FAILED',
  INVALID_ARGUMENT: 'INVALID_FIELD',
  HANDSHAKE_STATE: 'INVALID_STATE',
  KEY_CONFIRMATION_FAILED: 'KEY_EXCHANGE_FAILED',
  REKEY_REQUIRED: 'REKEY_REQUIRED',
  UNEXPECTED_PEER: 'KEY_EXCHANGE_FAILED',
} as Partial<Record<string, ProtocolErrorCode>>;

/** The protocol error for a secure-channel error (or anything else thrown by the secure module). */
export function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (isSecureChannelError(error)) return new ProtocolError(SECURE_TO_PROTOCOL[error.code] ?? 'KEY_EXCHANGE_FAILED', error.message);
  return new ProtocolError('INTERNAL', `secure channel failure: ${String(error)}`);
}

const SECURE_FLAGS = FrameFlags.ENCRYPTED | FrameFlags.SIGNED;

export interface SecureProtectorOptions {
  /** Types allowed (and sent) plain; default PLAIN_IN_SECURE_SESSION. */
  plainTypes?: readonly number[];
}

/** A FrameProtector that encrypts+signs through session; give it to encodeFrame and FrameDecoder. */
export function createSecureProtector(session: SecureSession, options: SecureProtectorOptions = {}): FrameProtector {
  const plainTypes = new Set(options.plainTypes ?? PLAIN_IN_SECURE_SESSION);
  return {
    flagsFor(msgType: number): number {
      return plainTypes.has(msgType) ? 0 : SECURE_FLAGS;
    },
    protect(headerBytes: Uint8Array, header: FrameHeader, plainPayload: Uint8Array): ProtectedOutput {
      try {
        return session.protect({ bytes: headerBytes, sequence: header.seq, timestampMs: header.timestamp }, plainPayload);
      } catch (error) {
        throw toProtocolError(error);
      }
    },
    open(frame: ProtectedFrameView): Uint8Array | ProtocolError {
      const flags = frame.header.flags & SECURE_FLAGS;
      if (flags === 0) {
        if (plainTypes.has(frame.header.msgType)) return frame.payloadSection;
        return new ProtocolError('SECURE_REQUIRED', 'plain frame on a secure session');
      }
      if (flags !== SECURE_FLAGS) return new ProtocolError('SECURE_REQUIRED', 'secure frames must be both encrypted and signed');
      const result = session.tryUnprotect(
        { bytes: frame.headerBytes, sequence: frame.header.seq, timestampMs: frame.header.timestamp },
        frame.payloadSection,
        frame.signature!,
      );
      return result.ok ? result.payload : toProtocolError(result.error);
    },
  };
}
