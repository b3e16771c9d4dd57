// The 24-byte frame header. Its layout is frozen for every protocol version (only the version byte changes),
// so any peer can find a frame's length and skip it even when it cannot understand the rest.
import { crc32 } from './crc32.ts';

// Local alias: loaders like tsx/vite-node make imported bindings getter calls, costly on the decode hot path.
const crcOf = crc32;

export const MAGIC = 0x5546; // 'UF'
export const HEADER_SIZE = 24;
export const SIGNATURE_SIZE = 64;
export const TRAILER_SIZE = 4;
/** Smallest possible frame: header + empty payload + CRC. */
export const MIN_FRAME_SIZE = HEADER_SIZE + TRAILER_SIZE;
/** Version this implementation speaks (the highest; SUPPORTED_VERSIONS lists all). Major in the high nibble, minor in the low nibble. */
export const PROTOCOL_VERSION = 0x12;
export const PROTOCOL_MAJOR = PROTOCOL_VERSION >> 4;
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024;

export const FrameFlags = {
  ENCRYPTED: 0x01,
  SIGNED: 0x02,
  ACK_REQUESTED: 0x04,
} as const;
/** Flags this version defines; the others are reserved: sent as 0, ignored when received. */
export const KNOWN_FLAGS = FrameFlags.ENCRYPTED | FrameFlags.SIGNED | FrameFlags.ACK_REQUESTED;

export const HeaderOffset = {
  magic: 0,
  version: 2,
  flags: 3,
  msgType: 4,
  seq: 6,
  timestamp: 10,
  payloadLength: 16,
  reserved: 20,
  headerCheck: 22,
} as const;

export interface FrameHeader {
  version: number;
  flags: number;
  msgType: number;
  seq: number;
  /** Milliseconds since the Unix epoch (u48). */
  timestamp: number;
  /** Length of the payload section (for an encrypted frame: IV + ciphertext). */
  payloadLength: number;
}

export const versionMajor = (version: number): number => version >> 4;
export const versionMinor = (version: number): number => version & 0x0f;

/** Total frame size a header announces. */
export function frameSize(flags: number, payloadLength: number): number {
  return HEADER_SIZE + payloadLength + (flags & FrameFlags.SIGNED ? SIGNATURE_SIZE : 0) + TRAILER_SIZE;
}

/** The header check: low 16 bits of CRC-32 over header bytes 0..21. Lets a receiver trust the length early. */
export function headerCheck(u8: Uint8Array, offset: number): number {
  return crcOf(u8, offset, offset + HeaderOffset.headerCheck) & 0xffff;
}

export function writeHeader(dv: DataView, u8: Uint8Array, offset: number, h: FrameHeader): void {
  dv.setUint16(offset, MAGIC);
  u8[offset + HeaderOffset.version] = h.version;
  u8[offset + HeaderOffset.flags] = h.flags;
  dv.setUint16(offset + HeaderOffset.msgType, h.msgType);
  dv.setUint32(offset + HeaderOffset.seq, h.seq);
  dv.setUint16(offset + HeaderOffset.timestamp, Math.floor(h.timestamp / 4294967296));
  dv.setUint32(offset + HeaderOffset.timestamp + 2, h.timestamp >>> 0);
  dv.setUint32(offset + HeaderOffset.payloadLength, h.payloadLength);
  dv.setUint16(offset + HeaderOffset.reserved, 0);
  dv.setUint16(offset + HeaderOffset.headerCheck, headerCheck(u8, offset));
}

export const readU16 = (u8: Uint8Array, p: number): number => (u8[p]! << 8) | u8[p + 1]!;
export const readU32 = (u8: Uint8Array, p: number): number => u8[p]! * 16777216 + ((u8[p + 1]! << 16) | (u8[p + 2]! << 8) | u8[p + 3]!);

export function readHeader(u8: Uint8Array, offset: number): FrameHeader {
  return {
    version: u8[offset + HeaderOffset.version]!,
    flags: u8[offset + HeaderOffset.flags]!,
    msgType: readU16(u8, offset + HeaderOffset.msgType),
    seq: readU32(u8, offset + HeaderOffset.seq),
    timestamp: readU16(u8, offset + HeaderOffset.timestamp) * 4294967296 + readU32(u8, offset + HeaderOffset.timestamp + 2),
    payloadLength: readU32(u8, offset + HeaderOffset.payloadLength),
  };
}
