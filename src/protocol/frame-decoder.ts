// Reassembles frames from a byte stream cut at arbitrary points (TCP, serial, MQTT payload concatenation).
//
// Resynchronisation rules (also in docs/protocol.md):
//  - Bytes that do not start with the magic are skipped up to the next 0x55 0x46; one BAD_MAGIC event per run.
//  - A header whose header check fails is not trusted: the decoder skips one byte and scans for the next magic.
//  - A header that checks out is trusted for its length: a frame with a bad CRC, an unsupported major version,
//    or a size over maxFrameBytes is dropped whole (the oversized one by discarding bytes as they arrive,
//    without buffering them), and decoding continues right after it.
// The decoder keeps at most one incomplete frame (≤ maxFrameBytes) between pushes, so memory stays bounded.
import { checkHeader, decodeFrameAt, type DecodeResult } from './codec.ts';
import { ProtocolError } from './errors.ts';
import { DEFAULT_MAX_FRAME_BYTES, HEADER_SIZE, MAGIC, MIN_FRAME_SIZE } from './header.ts';
import type { FrameProtector } from './protector.ts';

export type DecodeEvent = DecodeResult;

export interface FrameDecoderOptions {
  /** Largest frame accepted (header + payload + signature + CRC). Default 256 KiB. */
  maxFrameBytes?: number;
  /** Secure session keys; can be set later with setProtector() once the key exchange completes. */
  protector?: FrameProtector;
}

const MAGIC_HI = MAGIC >> 8;
const MAGIC_LO = MAGIC & 0xff;
const EMPTY = new Uint8Array(0);

export class FrameDecoder {
  readonly maxFrameBytes: number;
  private protector: FrameProtector | undefined;
  private pending: Uint8Array = EMPTY;
  /** Bytes of a rejected (oversized / unsupported) frame still to discard as they arrive. */
  private skipRemaining = 0;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isInteger(max) || max < MIN_FRAME_SIZE) throw new RangeError(`maxFrameBytes must be an integer ≥ ${MIN_FRAME_SIZE}`);
    this.maxFrameBytes = max;
    this.protector = options.protector;
  }

  setProtector(protector: FrameProtector | undefined): void {
    this.protector = protector;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** Feeds a chunk; returns one event per frame completed or problem found. Never throws. */
  push(chunk: Uint8Array): DecodeEvent[] {
    const events: DecodeEvent[] = [];
    if (!(chunk instanceof Uint8Array) || chunk.length === 0) return events;
    let buf: Uint8Array;
    if (this.pending.length === 0) {
      buf = chunk;
    } else {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending);
      buf.set(chunk, this.pending.length);
    }
    const len = buf.length;
    let pos = 0;
    let garbage: ProtocolError | undefined;

    const skipToMagic = (from: number, error: ProtocolError): void => {
      if (!garbage) {
        garbage = error;
        garbage.skippedBytes = 0;
        events.push({ ok: false, error });
      }
      let i = from;
      while (i < len - 1 && !(buf[i] === MAGIC_HI && buf[i + 1] === MAGIC_LO)) i++;
      // A trailing 0x55 may be the first half of the next magic: keep it.
      if (i === len - 1 && buf[i] !== MAGIC_HI) i = len;
      garbage.skippedBytes! += i - pos;
      pos = i;
    };

    while (pos < len) {
      if (this.skipRemaining > 0) {
        const n = Math.min(this.skipRemaining, len - pos);
        this.skipRemaining -= n;
        pos += n;
        continue;
      }
      if (buf[pos] !== MAGIC_HI || (pos + 1 < len && buf[pos + 1] !== MAGIC_LO)) {
        skipToMagic(pos + 1, new ProtocolError('BAD_MAGIC', 'bytes outside a frame skipped'));
        continue;
      }
      if (len - pos < HEADER_SIZE) break;
      const checked = checkHeader(buf, pos, this.maxFrameBytes);
      if (!checked.ok) {
        if (checked.skip === 0) {
          skipToMagic(pos + 1, checked.error);
        } else {
          garbage = undefined;
          checked.error.skippedBytes = checked.skip;
          events.push({ ok: false, error: checked.error });
          this.skipRemaining = checked.skip;
        }
        continue;
      }
      if (len - pos < checked.size) break;
      garbage = undefined;
      events.push(decodeFrameAt(buf, pos, checked.header, checked.size, this.protector));
      pos += checked.size;
    }
    // Copy the tail: the caller may reuse its chunk buffer.
    this.pending = pos >= len ? EMPTY : new Uint8Array(buf.subarray(pos));
    return events;
  }

  /** Drops any partial frame (e.g. after the transport reconnects). */
  reset(): void {
    this.pending = EMPTY;
    this.skipRemaining = 0;
  }
}
