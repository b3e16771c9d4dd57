// Helpers the generated encoders/decoders call: growable write buffer, fast short-string UTF-8, and the
// throw sites that turn a bad value into a typed ProtocolError (decodeFrame catches them; they never escape it).
import { ProtocolError } from '../errors.ts';

export class Writer {
  u8: Uint8Array;
  dv: DataView;
  p = 0;

  constructor(initialBytes = 4096) {
    this.u8 = new Uint8Array(initialBytes);
    this.dv = new DataView(this.u8.buffer);
  }

  /** Makes room for n more bytes after position p, keeping bytes [0, p). */
  grow(p: number, n: number): void {
    const size = Math.max(this.u8.length * 2, p + n);
    const next = new Uint8Array(size);
    next.set(this.u8.subarray(0, p));
    this.u8 = next;
    this.dv = new DataView(next.buffer);
  }

  ensure(n: number): void {
    if (this.p + n > this.u8.length) this.grow(this.p, n);
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Decodes UTF-8; short ASCII strings (the common case: ids, names) skip TextDecoder's call overhead. */
export function readString(u8: Uint8Array, p: number, len: number, field: string): string {
  if (len <= 32) {
    let s = '';
    let i = 0;
    for (; i < len; i++) {
      const c = u8[p + i]!;
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === len) return s;
  }
  try {
    return utf8Decoder.decode(u8.subarray(p, p + len));
  } catch {
    throw new ProtocolError('BAD_STRING', `${field}: invalid UTF-8`, { field });
  }
}

/** Writes s as UTF-8 at p (caller ensured 3 bytes per UTF-16 unit of room); returns the byte count. */
export function writeString(u8: Uint8Array, p: number, s: string): number {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    u8[p + i] = c;
  }
  if (i === n) return n;
  return i + utf8Encoder.encodeInto(s.slice(i), u8.subarray(p + i)).written;
}

const f32Scratch = new DataView(new ArrayBuffer(4));

export const fail = {
  readF32(u8: Uint8Array, p: number): number {
    for (let i = 0; i < 4; i++) f32Scratch.setUint8(i, u8[p + i]!);
    return f32Scratch.getFloat32(0);
  },
  truncated(field: string): never {
    throw new ProtocolError('TRUNCATED_FIELD', `${field}: payload ends inside this field`, { field });
  },
  /** Payload ended inside a run of fixed-size fields: name the first field that did not fit. */
  truncatedRun(fieldEnds: readonly [number, string][], available: number): never {
    const field = fieldEnds.find(([end]) => end > available)?.[1] ?? fieldEnds[fieldEnds.length - 1]![1];
    return fail.truncated(field);
  },
  range(field: string, value: unknown): never {
    throw new ProtocolError('OUT_OF_RANGE', `${field}: value ${String(value)} out of range`, { field });
  },
  badEnum(field: string, value: unknown): never {
    throw new ProtocolError('BAD_ENUM', `${field}: ${JSON.stringify(value)} is not a defined value`, { field });
  },
  invalid(field: string, expected: string): never {
    throw new ProtocolError('INVALID_FIELD', `${field}: expected ${expected}`, { field });
  },
};
export type Fail = typeof fail;
