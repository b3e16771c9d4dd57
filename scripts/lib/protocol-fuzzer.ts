// Feeds random and mutated frames through decodeFrame and the stream FrameDecoder and checks the invariants:
// nothing ever throws, the decoder's buffer stays bounded, and anything the decoder accepts is a message the
// encoder accepts too and that round-trips. Shared by `npm run fuzz:protocol` and the test suite's smaller run.
import {
  decodeFrame, encodeFrame, FrameDecoder, HEADER_SIZE, headerCheck, type DecodeResult, type Message,
} from '../../src/protocol/index.ts';
import { EXAMPLE_MESSAGES, exampleMotionCommand } from '../../src/protocol/examples.ts';
import { crc32 } from '../../src/protocol/crc32.ts';
import { seededRandom as prng } from '../../src/core/random.ts';

export interface FuzzOptions {
  frames: number;
  seed?: number;
  maxFrameBytes?: number;
  /** Called every `progressEvery` frames (for long runs). */
  onProgress?: (done: number) => void;
  progressEvery?: number;
}

export interface FuzzSummary {
  fuzz: 'protocol';
  seed: number;
  frames: number;
  bytes: number;
  /** Exceptions that escaped decodeFrame / FrameDecoder.push (must be 0). */
  uncaught: number;
  /** Frames the decoder accepted but the encoder refused or that did not round-trip (must be 0). */
  invariant_failures: number;
  /** Events by outcome: "ok" or the error code. */
  outcomes: Record<string, number>;
  mutations: Record<string, number>;
  max_buffered_bytes: number;
  max_push_ms: number;
  heap_growth_mb: number;
  duration_s: number;
  first_failures: string[];
}


function seedCorpus(): Uint8Array[] {
  const messages: Message[] = [...(Object.values(EXAMPLE_MESSAGES) as Message[]), exampleMotionCommand(20, 10), exampleMotionCommand(1, 1)];
  return messages.map((m, i) => encodeFrame(m, { seq: i + 1, timestamp: 1_764_018_000_000 + i }));
}

/** Recomputes header check and CRC so a mutation gets past the integrity checks into deeper code. */
function fixChecks(frame: Uint8Array): Uint8Array {
  if (frame.length < HEADER_SIZE + 4) return frame;
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  dv.setUint16(22, headerCheck(frame, 0));
  dv.setUint32(frame.length - 4, crc32(frame, 0, frame.length - 4));
  return frame;
}

type Mutation = (frame: Uint8Array, rand: () => number) => Uint8Array;
const int = (rand: () => number, n: number): number => Math.floor(rand() * n);

const MUTATIONS: Record<string, Mutation> = {
  // Random bit flips anywhere: mostly caught by the header check / CRC.
  bitFlips(f, rand) {
    const out = f.slice();
    for (let k = 1 + int(rand, 4); k > 0; k--) out[int(rand, out.length)]! ^= 1 << int(rand, 8);
    return out;
  },
  // Bit flips in the payload with the checks recomputed: exercises every field decoder.
  payloadFlips(f, rand) {
    const out = f.slice();
    const payload = out.length - HEADER_SIZE - 4;
    if (payload > 0) for (let k = 1 + int(rand, 3); k > 0; k--) out[HEADER_SIZE + int(rand, payload)]! ^= 1 << int(rand, 8);
    return fixChecks(out);
  },
  // Counts and lengths set to extremes (0xFF / 0xFFFF runs) with valid checks.
  hugeCounts(f, rand) {
    const out = f.slice();
    const payload = out.length - HEADER_SIZE - 4;
    if (payload > 0) {
      const at = HEADER_SIZE + int(rand, payload);
      out[at] = 0xff;
      if (at + 1 < out.length - 4 && rand() < 0.5) out[at + 1] = 0xff;
    }
    return fixChecks(out);
  },
  // Truncated anywhere (the stream then continues with the next frame).
  truncate(f, rand) {
    return f.slice(0, int(rand, f.length));
  },
  // Truncated payload, header and CRC made consistent: the payload really ends early.
  truncatePayload(f, rand) {
    const payload = f.length - HEADER_SIZE - 4;
    const keep = int(rand, Math.max(1, payload));
    const out = new Uint8Array(HEADER_SIZE + keep + 4);
    out.set(f.subarray(0, HEADER_SIZE + keep));
    new DataView(out.buffer).setUint32(16, keep);
    return fixChecks(out);
  },
  // Header's payloadLength lies (small, large, huge) but the header check is valid, so the length is trusted.
  lengthLie(f, rand) {
    const out = f.slice();
    const choices = [int(rand, 64), int(rand, 70_000), 0xffffffff - int(rand, 1000), int(rand, 2 ** 32)];
    new DataView(out.buffer).setUint32(16, choices[int(rand, choices.length)]!);
    new DataView(out.buffer).setUint16(22, headerCheck(out, 0));
    return out;
  },
  // Random message type, version or flags with valid checks.
  headerFields(f, rand) {
    const out = f.slice();
    const dv = new DataView(out.buffer);
    const which = int(rand, 3);
    if (which === 0) dv.setUint16(4, int(rand, 0x10000));
    else if (which === 1) dv.setUint8(2, int(rand, 256));
    else dv.setUint8(3, int(rand, 256));
    return fixChecks(out);
  },
  // Pure noise, sometimes seeded with magic bytes so the decoder has to look at fake headers.
  noise(_f, rand) {
    const out = new Uint8Array(int(rand, 200));
    for (let i = 0; i < out.length; i++) out[i] = int(rand, 256);
    for (let k = int(rand, 3); k > 0 && out.length > 2; k--) out.set([0x55, 0x46], int(rand, out.length - 1));
    return out;
  },
  // Bytes inserted or deleted inside the frame.
  splice(f, rand) {
    const at = int(rand, f.length);
    if (rand() < 0.5) return Uint8Array.from([...f.subarray(0, at), ...Array.from({ length: 1 + int(rand, 8) }, () => int(rand, 256)), ...f.subarray(at)]);
    return Uint8Array.from([...f.subarray(0, at), ...f.subarray(Math.min(f.length, at + 1 + int(rand, 8)))]);
  },
  // Unchanged: good frames between the bad ones show the decoder recovers.
  none(f) {
    return f;
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

function sameMessage(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)) ===
    JSON.stringify(b, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v));
}

export function fuzzProtocol(options: FuzzOptions): FuzzSummary {
  const seed = options.seed ?? 1;
  const rand = prng(seed);
  const maxFrameBytes = options.maxFrameBytes ?? 64 * 1024;
  const corpus = seedCorpus();
  const summary: FuzzSummary = {
    fuzz: 'protocol', seed, frames: 0, bytes: 0, uncaught: 0, invariant_failures: 0, outcomes: {}, mutations: {},
    max_buffered_bytes: 0, max_push_ms: 0, heap_growth_mb: 0, duration_s: 0, first_failures: [],
  };
  const fail = (what: string): void => {
    if (summary.first_failures.length < 10) summary.first_failures.push(what);
  };
  const count = (r: DecodeResult): void => {
    const key = r.ok ? 'ok' : r.error.code;
    summary.outcomes[key] = (summary.outcomes[key] ?? 0) + 1;
  };
  const checkAccepted = (r: DecodeResult): void => {
    if (!r.ok) return;
    try {
      const again = decodeFrame(encodeFrame(r.frame.message, { seq: r.frame.seq, timestamp: r.frame.timestamp }));
      if (!again.ok || !sameMessage(again.frame.message, r.frame.message)) {
        summary.invariant_failures++;
        fail(`accepted ${r.frame.message.kind} does not round-trip`);
      }
    } catch (error) {
      summary.invariant_failures++;
      fail(`accepted ${r.frame.message.kind} refused by the encoder: ${String(error)}`);
    }
  };

  const heapStart = process.memoryUsage().heapUsed;
  let heapPeak = heapStart;
  const started = performance.now();
  let decoder = new FrameDecoder({ maxFrameBytes });
  let pendingStream: Uint8Array[] = [];
  let pendingBytes = 0;

  const flushStream = (): void => {
    // Concatenate the batch and cut it at random points, as a TCP connection would.
    const stream = new Uint8Array(pendingBytes);
    let at = 0;
    for (const part of pendingStream) {
      stream.set(part, at);
      at += part.length;
    }
    pendingStream = [];
    pendingBytes = 0;
    for (let pos = 0; pos < stream.length;) {
      const size = rand() < 0.1 ? 1 + int(rand, 4) : 1 + int(rand, 2048);
      const t = performance.now();
      try {
        for (const event of decoder.push(stream.subarray(pos, pos + size))) checkAccepted(event);
      } catch (error) {
        summary.uncaught++;
        fail(`FrameDecoder.push threw: ${String(error)}`);
        decoder = new FrameDecoder({ maxFrameBytes });
      }
      summary.max_push_ms = Math.max(summary.max_push_ms, performance.now() - t);
      summary.max_buffered_bytes = Math.max(summary.max_buffered_bytes, decoder.bufferedBytes);
      pos += size;
    }
  };

  for (let i = 0; i < options.frames; i++) {
    const base = corpus[int(rand, corpus.length)]!;
    const name = MUTATION_NAMES[int(rand, MUTATION_NAMES.length)]!;
    let frame: Uint8Array;
    try {
      frame = MUTATIONS[name]!(base, rand);
    } catch {
      frame = base;
    }
    summary.mutations[name] = (summary.mutations[name] ?? 0) + 1;
    summary.frames++;
    summary.bytes += frame.length;
    try {
      const r = decodeFrame(frame, { maxFrameBytes });
      count(r);
      checkAccepted(r);
    } catch (error) {
      summary.uncaught++;
      fail(`decodeFrame threw on ${name}: ${String(error)}`);
    }
    pendingStream.push(frame);
    pendingBytes += frame.length;
    if (pendingStream.length >= 64) flushStream();
    if (options.onProgress && options.progressEvery && (i + 1) % options.progressEvery === 0) options.onProgress(i + 1);
    if ((i & 0xffff) === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }
  flushStream();
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  summary.heap_growth_mb = Number(((heapPeak - heapStart) / 2 ** 20).toFixed(1));
  summary.max_push_ms = Number(summary.max_push_ms.toFixed(2));
  summary.duration_s = Number(((performance.now() - started) / 1000).toFixed(1));
  return summary;
}
