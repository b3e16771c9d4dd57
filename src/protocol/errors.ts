// Every problem the codec detects is a ProtocolError with a stable string code (for logs and programs) and a
// numeric code (carried on the wire in a nack). Codes are part of the protocol: never renumber, only add.

/** Stable protocol error codes with their wire numbers (nack.errorCode). */
export const ERROR_CODES = {
  // 0x0000: success (used only where a result code needs an "ok" value)
  OK: 0x0000,
  // 0x00xx: framing and codec
  BAD_MAGIC: 0x0001,
  BAD_HEADER_CHECK: 0x0002,
  BAD_CHECKSUM: 0x0003,
  FRAME_TOO_LONG: 0x0004,
  UNSUPPORTED_VERSION: 0x0005,
  UNKNOWN_TYPE: 0x0006,
  UNKNOWN_OPTIONAL_TYPE: 0x0007,
  BAD_LENGTH: 0x0008,
  TRUNCATED_FIELD: 0x0009,
  BAD_ENUM: 0x000a,
  OUT_OF_RANGE: 0x000b,
  BAD_STRING: 0x000c,
  INVALID_FIELD: 0x000d,
  // 0x01xx: secure channel
  SECURE_REQUIRED: 0x0100,
  UNEXPECTED_SECURE_FRAME: 0x0101,
  BAD_SIGNATURE: 0x0102,
  DECRYPT_FAILED: 0x0103,
  REPLAYED: 0x0104,
  OUT_OF_WINDOW: 0x0105,
  TIMESTAMP_SKEW: 0x0106,
  NO_SESSION_KEY: 0x0107,
  KEY_EXCHANGE_FAILED: 0x0108,
  KEY_MISMATCH: 0x0109,
  REKEY_REQUIRED: 0x010a,
  // 0x02xx: session and application
  NOT_ACCESSED: 0x0200,
  NOT_REGISTERED: 0x0201,
  INVALID_STATE: 0x0202,
  UNKNOWN_ORDER: 0x0203,
  ORDER_UPDATE_REJECTED: 0x0204,
  UNKNOWN_NODE: 0x0205,
  UNSUPPORTED_ACTION: 0x0206,
  UNKNOWN_PARAM: 0x0207,
  BUSY: 0x0208,
  UNKNOWN_MAP: 0x0209,
  INTERNAL: 0x02ff,
} as const;

export type ProtocolErrorCode = keyof typeof ERROR_CODES;

/** One line per code for the spec (docs/protocol.md is generated from this). */
export const ERROR_DESCRIPTIONS: Record<ProtocolErrorCode, string> = {
  OK: 'success',
  BAD_MAGIC: 'bytes that are not the start of a frame (skipped up to the next magic)',
  BAD_HEADER_CHECK: 'header check mismatch: the header is corrupted and its length not trusted',
  BAD_CHECKSUM: 'CRC-32 trailer mismatch: the frame is dropped whole',
  FRAME_TOO_LONG: 'frame larger than the receiver\'s maximum frame size',
  UNSUPPORTED_VERSION: 'major protocol version not supported',
  UNKNOWN_TYPE: 'message type not known to the receiver (not optional)',
  UNKNOWN_OPTIONAL_TYPE: 'optional message type not known to the receiver: skipped, not an error of the session',
  BAD_LENGTH: 'a length does not match: frame size, payload section shorter than its IV, ...',
  TRUNCATED_FIELD: 'the payload ends inside a field, or an array count cannot fit in the remaining bytes',
  BAD_ENUM: 'an enumeration field holds a value not defined for it',
  OUT_OF_RANGE: 'a number, count or length outside its declared range',
  BAD_STRING: 'a string is not valid UTF-8',
  INVALID_FIELD: 'a field of the wrong type (encoder side) or an undecodable payload',
  SECURE_REQUIRED: 'a plain frame on a secure session (or a secure frame not both encrypted and signed)',
  UNEXPECTED_SECURE_FRAME: 'a secure frame where the session expects plain frames',
  BAD_SIGNATURE: 'SM2 signature does not verify: tampered frame or wrong key',
  DECRYPT_FAILED: 'SM4 decryption failed',
  REPLAYED: 'sequence number already accepted (replay)',
  OUT_OF_WINDOW: 'sequence number too far behind the newest accepted one (reordered beyond the window)',
  TIMESTAMP_SKEW: 'frame timestamp too far from the receiver\'s clock',
  NO_SESSION_KEY: 'a secure frame arrived before the key exchange completed',
  KEY_EXCHANGE_FAILED: 'SM2 key exchange failed (bad point, confirmation hash mismatch, unexpected peer)',
  KEY_MISMATCH: 'the frame was encrypted under a different session key',
  REKEY_REQUIRED: 'the sequence space of the session key is used up; run a new key exchange',
  NOT_ACCESSED: 'message before a successful access',
  NOT_REGISTERED: 'message before a successful registration',
  INVALID_STATE: 'message not allowed in the current session or AGV state',
  UNKNOWN_ORDER: 'order id not known',
  ORDER_UPDATE_REJECTED: 'order update does not extend the current order (ids or stitching node wrong)',
  UNKNOWN_NODE: 'node or edge id not on the map',
  UNSUPPORTED_ACTION: 'the AGV cannot perform this action / actuator command',
  UNKNOWN_PARAM: 'parameter id not known',
  BUSY: 'receiver cannot take this now; retry later',
  UNKNOWN_MAP: 'map id not known',
  INTERNAL: 'receiver-side failure',
};

const ERROR_NAMES_BY_NUMBER = new Map<number, ProtocolErrorCode>(
  Object.entries(ERROR_CODES).map(([name, num]) => [num, name as ProtocolErrorCode]),
);

/** The string code for a wire error number, or undefined if this version does not know it. */
export function errorCodeName(num: number): ProtocolErrorCode | undefined {
  return ERROR_NAMES_BY_NUMBER.get(num);
}

/** Error codes that describe a frame the receiver may simply skip without treating the session as broken. */
const SKIPPABLE: ReadonlySet<ProtocolErrorCode> = new Set(['UNKNOWN_OPTIONAL_TYPE']);

export interface ProtocolErrorDetails {
  /** Dotted path of the offending field, e.g. "nodes[3].pose.theta". */
  field?: string;
  msgType?: number;
  seq?: number;
  /** Number of input bytes this error consumed (stream decoder). */
  skippedBytes?: number;
}

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly numericCode: number;
  /** True when the frame can be ignored (e.g. an unknown optional message type); false for real errors. */
  readonly skippable: boolean;
  readonly field: string | undefined;
  msgType: number | undefined;
  seq: number | undefined;
  skippedBytes: number | undefined;

  constructor(code: ProtocolErrorCode, message: string, details: ProtocolErrorDetails = {}) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.numericCode = ERROR_CODES[code];
    this.skippable = SKIPPABLE.has(code);
    this.field = details.field;
    this.msgType = details.msgType;
    this.seq = details.seq;
    this.skippedBytes = details.skippedBytes;
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}
