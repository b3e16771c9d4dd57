// SecureSession: per-frame SM4-CTR + SM2 signature + anti-replay, with every rejection's distinct code.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import {
  generateSm2KeyPair,
  protectedPayloadLength,
  ReplayWindow,
  SecureChannelError,
  SecureSession,
  type SecureFrameHeader,
  type Sm2KeyPair,
} from '../../src/protocol/secure/index.ts';

const agvKeys = generateSm2KeyPair();
const platformKeys = generateSm2KeyPair();
const START = Date.UTC(2026, 10, 24, 21, 0, 0);

// A stand-in for the codec's 24-byte header: only "bytes + the sequence/timestamp parsed from them" matters here.
function header(sequence: number, timestampMs: number, payloadLength: number): SecureFrameHeader {
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  bytes.set([0x55, 0x46, 1, 0b11]);
  view.setUint32(6, sequence);
  view.setUint16(10, Math.floor(timestampMs / 2 ** 32));
  view.setUint32(12, timestampMs % 2 ** 32);
  view.setUint32(16, payloadLength);
  return { bytes, sequence, timestampMs };
}

interface Pair {
  agv: SecureSession;
  platform: SecureSession;
  clock: ManualClock;
}

function sessionPair(options: { replayWindow?: number; platformKeys?: Sm2KeyPair; keys?: [Uint8Array, Uint8Array] } = {}): Pair {
  const clock = new ManualClock(START);
  const [up, down] = options.keys ?? [Uint8Array.from(randomBytes(16)), Uint8Array.from(randomBytes(16))];
  const agv = new SecureSession({ sendKey: up, receiveKey: down, localKeyPair: agvKeys, peerPublicKey: platformKeys.publicKey, clock, replayWindow: options.replayWindow });
  const platform = new SecureSession({
    sendKey: down,
    receiveKey: up,
    localKeyPair: options.platformKeys ?? platformKeys,
    peerPublicKey: agvKeys.publicKey,
    clock,
    replayWindow: options.replayWindow,
  });
  return { agv, platform, clock };
}

interface WireFrame {
  header: SecureFrameHeader;
  payloadSection: Uint8Array;
  signature: Uint8Array;
}

function send(from: SecureSession, sequence: number, plain: Uint8Array, timestampMs = START): WireFrame {
  const h = header(sequence, timestampMs, protectedPayloadLength(plain.length));
  const { payloadSection, signature } = from.protect(h, plain);
  return { header: h, payloadSection, signature };
}

function receive(to: SecureSession, frame: WireFrame): Uint8Array {
  return to.unprotect(frame.header, frame.payloadSection, frame.signature);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecureChannelError) return error.code;
    throw error;
  }
  return 'ACCEPTED';
}

function flip(data: Uint8Array, index: number): Uint8Array {
  const copy = data.slice();
  copy[index]! ^= 0x01;
  return copy;
}

describe('SecureSession', () => {
  it('round-trips payloads in both directions, encrypting each under a fresh IV', () => {
    const { agv, platform } = sessionPair();
    const plain = new TextEncoder().encode('status: battery 87%, pose (12.5, 3.25, 1.57)');
    const a = send(agv, 1, plain);
    const b = send(agv, 2, plain);
    expect(a.payloadSection.length).toBe(protectedPayloadLength(plain.length));
    expect(a.signature.length).toBe(64);
    expect(Buffer.from(a.payloadSection).includes(Buffer.from('battery'))).toBe(false);
    expect(Buffer.compare(a.payloadSection, b.payloadSection)).not.toBe(0);
    expect(receive(platform, a)).toEqual(plain);
    expect(receive(platform, b)).toEqual(plain);
    const reply = send(platform, 1, new Uint8Array([1, 2, 3]));
    expect(receive(agv, reply)).toEqual(new Uint8Array([1, 2, 3]));
    expect(receive(platform, send(agv, 3, new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });

  it('rejects tampering anywhere in header, ciphertext or signature as SIGNATURE_INVALID', () => {
    const { agv, platform } = sessionPair();
    const frame = send(agv, 7, Uint8Array.from(randomBytes(40)));
    expect(codeOf(() => receive(platform, { ...frame, payloadSection: flip(frame.payloadSection, 20) }))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => receive(platform, { ...frame, payloadSection: flip(frame.payloadSection, 6) }))).toBe('SIGNATURE_INVALID'); // random IV part
    expect(codeOf(() => receive(platform, { ...frame, header: { ...frame.header, bytes: flip(frame.header.bytes, 3) } }))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => receive(platform, { ...frame, signature: flip(frame.signature, 40) }))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => receive(platform, { ...frame, payloadSection: frame.payloadSection.subarray(0, 30) }))).toBe('SIGNATURE_INVALID');
    // Tampered frames did not consume the sequence number: the genuine frame still goes through.
    expect(codeOf(() => receive(platform, frame))).toBe('ACCEPTED');
  });

  it('rejects truncated payload sections and signatures as TRUNCATED', () => {
    const { agv, platform } = sessionPair();
    const frame = send(agv, 1, new Uint8Array(10));
    expect(codeOf(() => receive(platform, { ...frame, payloadSection: frame.payloadSection.subarray(0, 15) }))).toBe('TRUNCATED');
    expect(codeOf(() => receive(platform, { ...frame, signature: frame.signature.subarray(0, 63) }))).toBe('TRUNCATED');
    expect(codeOf(() => receive(platform, { ...frame, signature: new Uint8Array(0) }))).toBe('TRUNCATED');
  });

  it('rejects a replayed frame as REPLAYED, accepts reordering inside the window, refuses beyond it as OUTSIDE_WINDOW', () => {
    const { agv, platform } = sessionPair({ replayWindow: 64 });
    const frames = Array.from({ length: 200 }, (_, i) => send(agv, i + 1, new Uint8Array([i])));
    receive(platform, frames[0]!);
    expect(codeOf(() => receive(platform, frames[0]!))).toBe('REPLAYED');
    receive(platform, frames[99]!); // seq 100 arrives early
    expect(codeOf(() => receive(platform, frames[50]!))).toBe('ACCEPTED'); // seq 51: 49 behind, inside 64
    expect(codeOf(() => receive(platform, frames[50]!))).toBe('REPLAYED');
    expect(codeOf(() => receive(platform, frames[20]!))).toBe('OUTSIDE_WINDOW'); // seq 21: 79 behind
    expect(codeOf(() => receive(platform, frames[99]!))).toBe('REPLAYED');
    expect(codeOf(() => receive(platform, frames[199]!))).toBe('ACCEPTED');
    expect(codeOf(() => receive(platform, frames[100]!))).toBe('OUTSIDE_WINDOW'); // seq 101: 99 behind 200
  });

  it('rejects timestamps outside the skew limit as STALE_TIMESTAMP, in both directions of time', () => {
    const { agv, platform, clock } = sessionPair();
    const old = send(agv, 1, new Uint8Array(4));
    clock.advance(30_001);
    expect(codeOf(() => receive(platform, old))).toBe('STALE_TIMESTAMP');
    const future = send(agv, 2, new Uint8Array(4), clock.now() + 31_000);
    expect(codeOf(() => receive(platform, future))).toBe('STALE_TIMESTAMP');
    expect(codeOf(() => receive(platform, send(agv, 3, new Uint8Array(4), clock.now() - 29_000)))).toBe('ACCEPTED');
  });

  it('rejects frames under another session key as KEY_MISMATCH, including our own frames reflected back', () => {
    const { agv, platform } = sessionPair();
    const other = sessionPair();
    expect(codeOf(() => receive(platform, send(other.agv, 1, new Uint8Array(8))))).toBe('KEY_MISMATCH');
    expect(codeOf(() => receive(agv, send(agv, 1, new Uint8Array(8))))).toBe('KEY_MISMATCH');
  });

  it('rejects frames signed by a key other than the enrolled peer key as SIGNATURE_INVALID', () => {
    const keys: [Uint8Array, Uint8Array] = [Uint8Array.from(randomBytes(16)), Uint8Array.from(randomBytes(16))];
    const genuine = sessionPair({ keys });
    const impostor = sessionPair({ keys, platformKeys: generateSm2KeyPair() });
    expect(codeOf(() => receive(genuine.agv, send(impostor.platform, 1, new Uint8Array(8))))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => receive(genuine.agv, send(genuine.platform, 1, new Uint8Array(8))))).toBe('ACCEPTED');
  });

  it('refuses to send with a sequence number that does not increase, and returns results from tryUnprotect', () => {
    const { agv, platform } = sessionPair();
    const frame = send(agv, 5, new Uint8Array(1));
    expect(codeOf(() => send(agv, 5, new Uint8Array(1)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => send(agv, 2 ** 32, new Uint8Array(1)))).toBe('INVALID_ARGUMENT');
    expect(platform.tryUnprotect(frame.header, frame.payloadSection, frame.signature)).toEqual({ ok: true, payload: new Uint8Array(1) });
    const again = platform.tryUnprotect(frame.header, frame.payloadSection, frame.signature);
    expect(again.ok).toBe(false);
    expect(!again.ok && again.error.code).toBe('REPLAYED');
    expect(codeOf(() => send(agv, 0xffffffff, new Uint8Array(1)))).toBe('ACCEPTED');
    expect(agv.rekeyRecommended).toBe(true);
    expect(codeOf(() => send(agv, 0xffffffff, new Uint8Array(1)))).toBe('REKEY_REQUIRED');
  });

  it('reuses a verifier built beforehand for the peer key, and refuses one built for another key', async () => {
    const { Sm2Verifier } = await import('../../src/protocol/secure/index.ts');
    const clock = new ManualClock(START);
    const keys = { sendKey: new Uint8Array(16).fill(7), receiveKey: new Uint8Array(16).fill(9) };
    const shared = new Sm2Verifier(agvKeys.publicKey);
    const platform = new SecureSession({ sendKey: keys.receiveKey, receiveKey: keys.sendKey, localKeyPair: platformKeys, peerPublicKey: agvKeys.publicKey, clock, peerVerifier: shared });
    const agv = new SecureSession({ ...keys, localKeyPair: agvKeys, peerPublicKey: platformKeys.publicKey, clock });
    expect(receive(platform, send(agv, 1, new Uint8Array([42])))).toEqual(new Uint8Array([42]));
    expect(codeOf(() => new SecureSession({ ...keys, localKeyPair: platformKeys, peerPublicKey: agvKeys.publicKey, clock, peerVerifier: new Sm2Verifier(platformKeys.publicKey) }))).toBe('INVALID_KEY');
  });

  it('validates its configuration', () => {
    const base = { sendKey: new Uint8Array(16), receiveKey: new Uint8Array(16), localKeyPair: agvKeys, peerPublicKey: platformKeys.publicKey };
    expect(codeOf(() => new SecureSession({ ...base, sendKey: new Uint8Array(8) }))).toBe('INVALID_KEY');
    expect(codeOf(() => new SecureSession({ ...base, peerPublicKey: new Uint8Array(65) }))).toBe('INVALID_KEY');
    expect(codeOf(() => new SecureSession({ ...base, maxClockSkewMs: -1 }))).toBe('INVALID_ARGUMENT');
  });
});

describe('ReplayWindow', () => {
  it('tracks exactly the last `size` sequence numbers across large jumps', () => {
    const window = new ReplayWindow(64);
    expect(window.check(0)).toBe('FRESH');
    window.accept(0);
    expect(window.check(0)).toBe('REPLAYED');
    window.accept(1000);
    expect(window.check(936)).toBe('OUTSIDE_WINDOW');
    expect(window.check(937)).toBe('FRESH');
    window.accept(937);
    window.accept(1063); // slides by 63: 1000 is still inside, 937 is not
    expect(window.check(1000)).toBe('REPLAYED');
    expect(window.check(937)).toBe('OUTSIDE_WINDOW');
    expect(window.check(1001)).toBe('FRESH');
    window.accept(0xffffffff);
    expect(window.check(0xffffffff)).toBe('REPLAYED');
    expect(window.check(0xffffffff - 63)).toBe('FRESH');
    expect(() => new ReplayWindow(100)).toThrow(RangeError);
  });
});

describe('measureSecureThroughput', () => {
  it('reports positive rates for a short run (figures themselves belong to npm run bench:secure)', async () => {
    const { measureSecureThroughput } = await import('../../src/protocol/secure/benchmark.ts');
    const result = measureSecureThroughput({ durationMs: 20, payloadBytes: 32, precomputeWindow: 4 });
    expect(result.payload_bytes).toBe(32);
    expect(result.overhead_bytes).toBe(80);
    expect(result.protect_per_s).toBeGreaterThan(0);
    expect(result.verify_decrypt_per_s).toBeGreaterThan(0);
  });
});

describe('SecureSession under hostile input', () => {
  it('never throws from tryUnprotect and never accepts a mutated frame, whatever is mutated', () => {
    const { agv, platform } = sessionPair();
    let sequence = 0;
    const random = (n: number) => Uint8Array.from(randomBytes(n));
    const mutations: ((f: WireFrame) => WireFrame)[] = [
      (f) => ({ ...f, payloadSection: flip(f.payloadSection, randomBytes(1)[0]! % f.payloadSection.length) }),
      (f) => ({ ...f, signature: flip(f.signature, randomBytes(1)[0]! % 64) }),
      (f) => ({ ...f, header: { ...f.header, bytes: flip(f.header.bytes, randomBytes(1)[0]! % 24) } }),
      (f) => ({ ...f, payloadSection: f.payloadSection.subarray(0, randomBytes(1)[0]! % f.payloadSection.length) }),
      (f) => ({ ...f, signature: random(randomBytes(1)[0]! % 100) }),
      (f) => ({ ...f, payloadSection: Uint8Array.from([...f.payloadSection.subarray(0, 4), ...random(40)]) }),
      (f) => ({ ...f, header: { ...f.header, sequence: -1 } }),
      (f) => ({ ...f, header: { ...f.header, sequence: Number.NaN, timestampMs: Number.NaN } }),
      (f) => ({ ...f, header: { ...f.header, timestampMs: Number.POSITIVE_INFINITY } }),
    ];
    for (let i = 0; i < 60; i++) {
      const genuine = send(agv, ++sequence, random(i));
      const mutated = mutations[i % mutations.length]!(genuine);
      const result = platform.tryUnprotect(mutated.header, mutated.payloadSection, mutated.signature);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toBeInstanceOf(SecureChannelError);
      // The rejected twin did not consume the sequence number.
      expect(platform.tryUnprotect(genuine.header, genuine.payloadSection, genuine.signature).ok).toBe(true);
    }
  });
});
