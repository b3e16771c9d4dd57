// Reassembles frames from a byte stream cut at arbitrary points (TCP, serial, MQTT payload concatenation).
//
// Resynchronisation rules (also in docs/protocol.md §4):
//  - Bytes that do not start with the magic are skipped up to the next 0x55 0x46: one BAD_MAGIC event per run
//    of skipped bytes, however many chunks it spans.
//  - A header whose header check fails is not trusted: BAD_HEADER_CHECK, skip one byte, scan for the next magic.
//  - A header announcing an unsupported major version or a frame over maxFrameBytes: UNSUPPORTED_VERSION /
//    FRAME_TOO_LONG, then scan for the next magic as well. The frame is never waited for or buffered, and a
//    length that lies cannot make the decoder swallow the frames after it. (A frame inside the skipped bytes
//    would need a valid header check and CRC to be taken for one.)
//  - A complete frame with a bad CRC is dropped whole (its header, hence its length, checked out); decoding
//    continues right after it.
// The decoder keeps at most one incomplete frame (≤ maxFrameBytes) between pushes, so memory stays bounded.
import { checkHeader, decodeFrameAt, headerError, type DecodeResult, type HeaderCheckResult } from './codec.ts';
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
  /** Bytes held back between pushes live in store[start, end). */
  private store: Uint8Array = EMPTY;
  private start = 0;
  private end = 0;
  /** Held bytes needed before parsing is worth trying again (a whole header, or the whole awaited frame). */
  private needed = 0;
  /** The error of the run of bytes being skipped, which grows (skippedBytes) until a good header turns up. */
  private skipping: ProtocolError | undefined;
  private busy = false;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isInteger(max) || max < MIN_FRAME_SIZE) throw new RangeError(`maxFrameBytes must be an integer ≥ ${MIN_FRAME_SIZE}`);
    this.maxFrameBytes = max;
    this.protector = options.protector;
  }

  setProtector(protector: FrameProtector | undefined): void {
    this.protector = protector;
  }

  /** Bytes held back waiting for the rest of a frame (never more than maxFrameBytes). */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  /**
   * Feeds a chunk; returns one event per frame completed or problem found. Never throws.
   *
   * With onEvent, events are handed over one at a time as they are decoded (and the returned array is empty), so
   * the caller can act between two frames of the same chunk — typically setProtector() right after the key
   * exchange's last frame, when the first encrypted frame arrived in the same TCP segment. An exception thrown by
   * onEvent stops this push and propagates, with the decoder's state consistent (the rest of the chunk is kept);
   * calling push() from inside onEvent is not allowed.
   */
  push(chunk: Uint8Array, onEvent?: (event: DecodeEvent) => void): DecodeEvent[] {
    const events: DecodeEvent[] = [];
    if (!(chunk instanceof Uint8Array) || chunk.length === 0) return events;
    if (this.busy) throw new Error('FrameDecoder.push called from inside its own onEvent callback');
    this.busy = true;
    const emit = onEvent ?? ((event: DecodeEvent) => void events.push(event));
    try {
      if (this.end === this.start) {
        // Nothing held: parse the caller's chunk in place and keep only its incomplete tail.
        let pos = 0;
        try {
          pos = this.parse(chunk, 0, chunk.length, emit, (at) => (pos = at));
        } finally {
          this.start = 0;
          this.end = 0;
          if (pos < chunk.length) this.append(chunk.subarray(pos));
        }
        return events;
      }
      this.append(chunk);
      // Waiting for the rest of a frame: appending is all there is to do (keeps tiny chunks linear, not quadratic).
      if (this.end - this.start < this.needed) return events;
      try {
        this.start = this.parse(this.store, this.start, this.end, emit, (at) => (this.start = at));
      } finally {
        if (this.start === this.end) {
          this.start = 0;
          this.end = 0;
        }
      }
      return events;
    } finally {
      this.busy = false;
    }
  }

  /** Drops any partial frame (e.g. after the transport reconnects). */
  reset(): void {
    this.store = EMPTY;
    this.start = 0;
    this.end = 0;
    this.needed = 0;
    this.skipping = undefined;
  }

  private append(bytes: Uint8Array): void {
    const held = this.end - this.start;
    if (this.end + bytes.length > this.store.length) {
      if (held + bytes.length <= this.store.length >> 1) {
        this.store.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(1024, (held + bytes.length) * 2));
        next.set(this.store.subarray(this.start, this.end));
        this.store = next;
      }
      this.start = 0;
      this.end = held;
    }
    this.store.set(bytes, this.end);
    this.end += bytes.length;
    // A store grown for one big frame is given back once it is no longer needed.
    if (held === 0 && this.store.length > 4 * this.maxFrameBytes) this.store = this.store.slice(0, bytes.length);
  }

  /**
   * Parses buf[from, to): emits events, returns where the incomplete rest starts, and sets `needed`.
   * `consumed` is told the position after each emitted event, so a throwing callback leaves a consistent state.
   */
  private parse(buf: Uint8Array, from: number, to: number, emit: (event: DecodeEvent) => void, consumed: (pos: number) => void): number {
    let pos = from;
    this.needed = 0;

    // Errors are built only when a new skipped run starts: noise fails at nearly every byte.
    const skipToMagic = (scanFrom: number, failure: Extract<HeaderCheckResult, { ok: false }> | undefined): void => {
      let i = scanFrom;
      while (i < to - 1 && !(buf[i] === MAGIC_HI && buf[i + 1] === MAGIC_LO)) i++;
      // A trailing 0x55 may be the first half of the next magic: keep it.
      if (i === to - 1 && buf[i] !== MAGIC_HI) i = to;
      const skipped = i - pos;
      pos = i;
      if (this.skipping) {
        this.skipping.skippedBytes! += skipped;
        return;
      }
      const error = failure ? headerError(failure, this.maxFrameBytes) : new ProtocolError('BAD_MAGIC', 'bytes outside a frame skipped');
      error.skippedBytes = skipped;
      this.skipping = error;
      consumed(pos);
      emit({ ok: false, error });
    };

    while (pos < to) {
      if (buf[pos] !== MAGIC_HI || (pos + 1 < to && buf[pos + 1] !== MAGIC_LO)) {
        skipToMagic(pos + 1, undefined);
        continue;
      }
      if (to - pos < HEADER_SIZE) {
        this.needed = HEADER_SIZE;
        break;
      }
      const checked = checkHeader(buf, pos, this.maxFrameBytes);
      if (!checked.ok) {
        // A trusted header with a bad version or size starts a new skipped run; a corrupt one extends the current.
        if (checked.header) this.skipping = undefined;
        skipToMagic(pos + 1, checked);
        continue;
      }
      if (to - pos < checked.size) {
        this.needed = checked.size;
        break;
      }
      this.skipping = undefined;
      const event = decodeFrameAt(buf, pos, checked.header, checked.size, this.protector);
      pos += checked.size;
      consumed(pos);
      emit(event);
    }
    return pos;
  }
}
