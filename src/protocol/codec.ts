// Encoding and decoding of whole frames: header, payload through the compiled message codec, optional
// protector (encrypt/sign), CRC-32 trailer. decodeFrame never throws; encodeFrame throws ProtocolError on a
// message that does not satisfy its declaration (a programming error on the sender's side).
import { codecForKind, codecForType, isOptionalType, type Message } from './catalogue.ts';
import { crc32 } from './crc32.ts';
import { isProtocolError, ProtocolError } from './errors.ts';
import {
  DEFAULT_MAX_FRAME_BYTES, FrameFlags, frameSize, HEADER_SIZE, HeaderOffset, headerCheck, MAGIC, MIN_FRAME_SIZE,
  PROTOCOL_MAJOR, PROTOCOL_VERSION, readHeader, readU16, readU32, SIGNATURE_SIZE, TRAILER_SIZE, writeHeader, type FrameHeader,
} from './header.ts';
import { ENCRYPTION_IV_SIZE, type FrameProtector } from './protector.ts';
import { Writer } from './schema/runtime.ts';

// Decode hot-path aliases: tsx and vite-node turn every read of an imported binding into a getter call, which
// profiled at ~20% of decode time; module-local constants are plain reads whatever loader runs the code.
const crcOf = crc32;
const u16At = readU16;
const u32At = readU32;
const parseHeader = readHeader;
const checkOfHeader = headerCheck;
const codecOfType = codecForType;
const HEADER_BYTES = HEADER_SIZE;
const TRAILER_BYTES = TRAILER_SIZE;
const SIGNATURE_BYTES = SIGNATURE_SIZE;
const MAGIC_NUMBER = MAGIC;
const HEADER_CHECK_AT = HeaderOffset.headerCheck;
const SECURE_FLAGS = FrameFlags.ENCRYPTED | FrameFlags.SIGNED;
const SIGNED_FLAG = FrameFlags.SIGNED;
const MAJOR = PROTOCOL_MAJOR;

export interface Frame<M extends Message = Message> extends FrameHeader {
  message: M;
  /** Bytes the frame took on the wire. */
  size: number;
}

export type DecodeResult<M extends Message = Message> = { ok: true; frame: Frame<M> } | { ok: false; error: ProtocolError };

export interface EncodeOptions {
  seq: number;
  /** Milliseconds since the Unix epoch; take it from the injected Clock. */
  timestamp: number;
  /** Extra flags, e.g. FrameFlags.ACK_REQUESTED. ENCRYPTED/SIGNED come from the protector. */
  flags?: number;
  /** Defaults to PROTOCOL_VERSION; a session sends the negotiated version. */
  version?: number;
  protector?: FrameProtector;
}

export interface DecodeOptions {
  protector?: FrameProtector;
  maxFrameBytes?: number;
}

// One scratch buffer reused by every encode: encoding is synchronous, and the result is copied out.
const scratch = new Writer(16 * 1024);
const SCRATCH_KEEP_BYTES = 1024 * 1024;

function checkHeaderValues(options: EncodeOptions): void {
  const { seq, timestamp } = options;
  if (!(Number.isInteger(seq) && seq >= 0 && seq <= 0xffffffff)) throw new ProtocolError('OUT_OF_RANGE', `seq ${seq} is not a u32`, { field: 'seq' });
  if (!(Number.isInteger(timestamp) && timestamp >= 0 && timestamp < 2 ** 48)) {
    throw new ProtocolError('OUT_OF_RANGE', `timestamp ${timestamp} is not a u48`, { field: 'timestamp' });
  }
}

/** Encodes the payload of a message alone (no header), validating it against its declaration. */
export function encodePayload(message: Message): Uint8Array {
  const codec = codecForKind((message as { kind?: unknown })?.kind as string);
  if (!codec) throw new ProtocolError('UNKNOWN_TYPE', `unknown message kind ${JSON.stringify((message as { kind?: unknown })?.kind)}`, { field: 'kind' });
  scratch.p = 0;
  codec.encode(scratch, message);
  const out = scratch.u8.slice(0, scratch.p);
  releaseScratch();
  return out;
}

/** Decodes a bare payload (no header) of the given message type. Never throws. */
export function decodePayload(msgType: number, payload: Uint8Array): { ok: true; message: Message } | { ok: false; error: ProtocolError } {
  const codec = codecForType(msgType);
  if (!codec) return { ok: false, error: new ProtocolError(isOptionalType(msgType) ? 'UNKNOWN_OPTIONAL_TYPE' : 'UNKNOWN_TYPE', `unknown message type ${msgType}`, { msgType }) };
  try {
    return { ok: true, message: codec.decode(payload, 0, payload.length) };
  } catch (error) {
    return { ok: false, error: isProtocolError(error) ? error : new ProtocolError('INVALID_FIELD', String(error), { msgType }) };
  }
}

function releaseScratch(): void {
  if (scratch.u8.length > SCRATCH_KEEP_BYTES) {
    scratch.u8 = new Uint8Array(16 * 1024);
    scratch.dv = new DataView(scratch.u8.buffer);
  }
}

/** Encodes one complete frame. Throws ProtocolError if the message violates its declaration. */
export function encodeFrame(message: Message, options: EncodeOptions): Uint8Array {
  checkHeaderValues(options);
  const codec = codecForKind((message as { kind?: unknown })?.kind as string);
  if (!codec) throw new ProtocolError('UNKNOWN_TYPE', `unknown message kind ${JSON.stringify((message as { kind?: unknown })?.kind)}`, { field: 'kind' });
  const msgType = codec.def.type;
  const protector = options.protector;
  const secureFlags = protector ? protector.flagsFor(msgType) & (FrameFlags.ENCRYPTED | FrameFlags.SIGNED) : 0;
  const flags = ((options.flags ?? 0) & FrameFlags.ACK_REQUESTED) | secureFlags;
  const version = options.version ?? PROTOCOL_VERSION;

  scratch.p = HEADER_SIZE;
  codec.encode(scratch, message);
  const plainLength = scratch.p - HEADER_SIZE;
  if (!secureFlags) {
    const total = frameSize(flags, plainLength);
    scratch.ensure(TRAILER_SIZE);
    const { u8, dv } = scratch;
    writeHeader(dv, u8, 0, { version, flags, msgType, seq: options.seq, timestamp: options.timestamp, payloadLength: plainLength });
    dv.setUint32(total - TRAILER_SIZE, crc32(u8, 0, total - TRAILER_SIZE));
    const out = u8.slice(0, total);
    releaseScratch();
    return out;
  }
  const plain = scratch.u8.slice(HEADER_SIZE, HEADER_SIZE + plainLength);
  releaseScratch();
  const payloadLength = secureFlags & FrameFlags.ENCRYPTED ? plainLength + ENCRYPTION_IV_SIZE : plainLength;
  const total = frameSize(flags, payloadLength);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const header: FrameHeader = { version, flags, msgType, seq: options.seq, timestamp: options.timestamp, payloadLength };
  writeHeader(dv, out, 0, header);
  const sealed = protector!.protect(out.slice(0, HEADER_SIZE), header, plain);
  if (sealed.payloadSection.length !== payloadLength) {
    throw new ProtocolError('BAD_LENGTH', `protector returned a ${sealed.payloadSection.length}-byte payload section, expected ${payloadLength}`);
  }
  out.set(sealed.payloadSection, HEADER_SIZE);
  if (flags & FrameFlags.SIGNED) {
    if (sealed.signature?.length !== SIGNATURE_SIZE) throw new ProtocolError('BAD_SIGNATURE', 'protector returned no 64-byte signature');
    out.set(sealed.signature, HEADER_SIZE + payloadLength);
  }
  dv.setUint32(total - TRAILER_SIZE, crc32(out, 0, total - TRAILER_SIZE));
  return out;
}

function frameError(error: unknown, header: FrameHeader): ProtocolError {
  const err = isProtocolError(error)
    ? error
    : new ProtocolError('INVALID_FIELD', `payload could not be decoded: ${String(error)}`);
  err.msgType ??= header.msgType;
  err.seq ??= header.seq;
  return err;
}

/**
 * Decodes the frame occupying u8[offset, offset + size) whose header has already been validated (magic,
 * header check, supported major version, size). Never throws.
 */
export function decodeFrameAt(u8: Uint8Array, offset: number, header: FrameHeader, size: number, protector?: FrameProtector): DecodeResult {
  const crcAt = offset + size - TRAILER_BYTES;
  if (crcOf(u8, offset, crcAt) !== u32At(u8, crcAt)) {
    return { ok: false, error: frameError(new ProtocolError('BAD_CHECKSUM', 'frame CRC-32 mismatch'), header) };
  }
  const codec = codecOfType(header.msgType);
  if (!codec) {
    const optional = isOptionalType(header.msgType);
    const hex = header.msgType.toString(16).padStart(4, '0');
    return {
      ok: false,
      error: frameError(new ProtocolError(optional ? 'UNKNOWN_OPTIONAL_TYPE' : 'UNKNOWN_TYPE', `unknown message type 0x${hex}`), header),
    };
  }
  const payloadStart = offset + HEADER_BYTES;
  const payloadEnd = payloadStart + header.payloadLength;
  try {
    let message: Message;
    if (protector) {
      const opened = protector.open({
        header,
        headerBytes: u8.subarray(offset, payloadStart),
        signedBytes: u8.subarray(offset, payloadEnd),
        payloadSection: u8.subarray(payloadStart, payloadEnd),
        signature: header.flags & SIGNED_FLAG ? u8.subarray(payloadEnd, payloadEnd + SIGNATURE_BYTES) : undefined,
      });
      if (isProtocolError(opened)) return { ok: false, error: frameError(opened, header) };
      message = codec.decode(opened, 0, opened.length);
    } else if (header.flags & SECURE_FLAGS) {
      return { ok: false, error: frameError(new ProtocolError('NO_SESSION_KEY', 'secure frame on a session without keys'), header) };
    } else {
      message = codec.decode(u8, payloadStart, payloadEnd);
    }
    return {
      ok: true,
      frame: { version: header.version, flags: header.flags, msgType: header.msgType, seq: header.seq, timestamp: header.timestamp, payloadLength: header.payloadLength, message, size },
    };
  } catch (error) {
    return { ok: false, error: frameError(error, header) };
  }
}

export type HeaderProblem = 'BAD_MAGIC' | 'BAD_HEADER_CHECK' | 'UNSUPPORTED_VERSION' | 'FRAME_TOO_LONG';

export type HeaderCheckResult =
  | { ok: true; size: number; header: FrameHeader }
  /** header is set when the header itself checked out (its length is trustworthy) but version or size is refused. */
  | { ok: false; problem: HeaderProblem; header: FrameHeader | undefined; size: number };

/**
 * Validates the 24-byte header at offset (caller ensured 24 bytes are there). Cheap on failure: no error object
 * is built here (a stream of noise fails at every byte), see headerError().
 */
export function checkHeader(u8: Uint8Array, offset: number, maxFrameBytes: number): HeaderCheckResult {
  if (u16At(u8, offset) !== MAGIC_NUMBER) return { ok: false, problem: 'BAD_MAGIC', header: undefined, size: 0 };
  if (u16At(u8, offset + HEADER_CHECK_AT) !== checkOfHeader(u8, offset)) return { ok: false, problem: 'BAD_HEADER_CHECK', header: undefined, size: 0 };
  const header = parseHeader(u8, offset);
  const size = frameSize(header.flags, header.payloadLength);
  if (header.version >> 4 !== MAJOR) return { ok: false, problem: 'UNSUPPORTED_VERSION', header, size };
  if (size > maxFrameBytes) return { ok: false, problem: 'FRAME_TOO_LONG', header, size };
  return { ok: true, size, header };
}

/** The ProtocolError for a failed header check. */
export function headerError(result: Extract<HeaderCheckResult, { ok: false }>, maxFrameBytes: number): ProtocolError {
  const { problem, header, size } = result;
  let error: ProtocolError;
  switch (problem) {
    case 'BAD_MAGIC':
      return new ProtocolError('BAD_MAGIC', 'frame does not start with magic 0x5546');
    case 'BAD_HEADER_CHECK':
      return new ProtocolError('BAD_HEADER_CHECK', 'header check mismatch: header corrupted');
    case 'UNSUPPORTED_VERSION':
      error = new ProtocolError('UNSUPPORTED_VERSION', `protocol version 0x${header!.version.toString(16)} not supported (major ${PROTOCOL_MAJOR} only)`);
      break;
    case 'FRAME_TOO_LONG':
      error = new ProtocolError('FRAME_TOO_LONG', `frame of ${size} bytes exceeds the ${maxFrameBytes}-byte limit`);
      break;
  }
  return frameError(error, header!);
}

/** Decodes exactly one complete frame. Never throws. */
export function decodeFrame(bytes: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  if (!(bytes instanceof Uint8Array)) return { ok: false, error: new ProtocolError('INVALID_FIELD', 'decodeFrame expects a Uint8Array') };
  if (bytes.length < MIN_FRAME_SIZE) {
    return { ok: false, error: new ProtocolError('BAD_LENGTH', `${bytes.length} bytes is shorter than the ${MIN_FRAME_SIZE}-byte minimum frame`) };
  }
  const maxFrameBytes = options.maxFrameBytes ?? Math.max(DEFAULT_MAX_FRAME_BYTES, bytes.length);
  const checked = checkHeader(bytes, 0, maxFrameBytes);
  if (!checked.ok) return { ok: false, error: headerError(checked, maxFrameBytes) };
  if (checked.size !== bytes.length) {
    return { ok: false, error: new ProtocolError('BAD_LENGTH', `header announces ${checked.size} bytes but ${bytes.length} were given`) };
  }
  return decodeFrameAt(bytes, 0, checked.header, checked.size, options.protector);
}

export interface RawFrameParts {
  msgType: number;
  seq?: number;
  timestamp?: number;
  flags?: number;
  version?: number;
  /** Payload section exactly as it goes on the wire (no validation). */
  payload: Uint8Array;
  /** Appended after the payload when flags has SIGNED. */
  signature?: Uint8Array;
}

/**
 * Frames arbitrary payload bytes with a correct header check and CRC and no validation at all: for tools,
 * conformance tests and fuzzers that need frames a well-behaved encoder would never produce.
 */
export function encodeRawFrame(parts: RawFrameParts): Uint8Array {
  const flags = parts.flags ?? 0;
  const signature = flags & FrameFlags.SIGNED ? (parts.signature ?? new Uint8Array(SIGNATURE_SIZE)) : undefined;
  const total = frameSize(flags, parts.payload.length);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  writeHeader(dv, out, 0, {
    version: parts.version ?? PROTOCOL_VERSION, flags, msgType: parts.msgType, seq: parts.seq ?? 0, timestamp: parts.timestamp ?? 0,
    payloadLength: parts.payload.length,
  });
  out.set(parts.payload, HEADER_SIZE);
  if (signature) out.set(signature.subarray(0, SIGNATURE_SIZE), HEADER_SIZE + parts.payload.length);
  dv.setUint32(total - TRAILER_SIZE, crc32(out, 0, total - TRAILER_SIZE));
  return out;
}
