// The codec and the secure module together: frames encrypted+signed through encodeFrame, verified+decrypted
// by FrameDecoder, and every tampering the issue lists rejected with its own code, without disturbing the stream.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import {
  createSecureProtector, crc32, decodeFrame, encodeFrame, FrameDecoder, FrameFlags, HEADER_SIZE, headerCheck, type Message,
} from '../../src/protocol/index.ts';
import { EXAMPLE_MESSAGES } from '../../src/protocol/examples.ts';
import { generateSm2KeyPair, SecureSession } from '../../src/protocol/secure/index.ts';

const START = Date.UTC(2026, 10, 24, 21, 0, 0);
const agvKeys = generateSm2KeyPair();
const platformKeys = generateSm2KeyPair();

function pair(clock = new ManualClock(START)) {
  const up = Uint8Array.from(randomBytes(16));
  const down = Uint8Array.from(randomBytes(16));
  const agv = createSecureProtector(new SecureSession({ sendKey: up, receiveKey: down, localKeyPair: agvKeys, peerPublicKey: platformKeys.publicKey, clock }));
  const platform = createSecureProtector(new SecureSession({ sendKey: down, receiveKey: up, localKeyPair: platformKeys, peerPublicKey: agvKeys.publicKey, clock }));
  return { agv, platform, clock };
}

/** Recomputes the CRC so a tampered frame reaches the signature check instead of failing the checksum. */
function fixCrc(frame: Uint8Array): Uint8Array {
  const out = frame.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4));
  return out;
}

const codeOf = (bytes: Uint8Array, decoder: FrameDecoder): string => {
  const [event] = decoder.push(bytes);
  return event!.ok ? 'ACCEPTED' : event!.error.code;
};

describe('secure frame path (SM4-CTR + SM2 through the codec)', () => {
  it('round-trips every message encrypted and signed; the ciphertext hides the payload', () => {
    const { agv, platform } = pair();
    const decoder = new FrameDecoder({ protector: platform });
    let seq = 1;
    for (const message of Object.values(EXAMPLE_MESSAGES) as Message[]) {
      const frame = encodeFrame(message, { seq: seq++, timestamp: START, protector: agv });
      const plain = encodeFrame(message, { seq: 1, timestamp: START });
      const [event] = decoder.push(frame);
      if (!event!.ok) throw event!.error;
      expect(event!.frame.message).toEqual(message);
      const secured = agv.flagsFor(event!.frame.msgType) !== 0;
      expect(event!.frame.flags & (FrameFlags.ENCRYPTED | FrameFlags.SIGNED)).toBe(secured ? 3 : 0);
      if (secured) {
        expect(frame.length).toBe(plain.length + 16 + 64);
        if (plain.length - HEADER_SIZE - 4 >= 8) {
          const plainPayload = Buffer.from(plain.subarray(HEADER_SIZE, plain.length - 4));
          expect(Buffer.from(frame).includes(plainPayload)).toBe(false);
        }
      }
    }
  });

  it('rejects tampered, truncated, replayed, stale, reordered-beyond-window, wrong-key and plain frames with distinct codes', () => {
    const { agv, platform, clock } = pair();
    const decoder = new FrameDecoder({ protector: platform });
    const status = EXAMPLE_MESSAGES.statusReport;
    // Only the frames used below are signed (SM2 is the slow part); sequence numbers still increase.
    const frames: Uint8Array[] = [];
    for (const i of [0, 1, 3, 5, 1090, 1099]) frames[i] = encodeFrame(status, { seq: i + 1, timestamp: START, protector: agv });

    expect(codeOf(frames[0]!, decoder)).toBe('ACCEPTED');
    // Replayed as is.
    expect(codeOf(frames[0]!, decoder)).toBe('REPLAYED');
    // Ciphertext bit flipped (CRC recomputed, as an attacker would).
    const tampered = frames[1]!.slice();
    tampered[HEADER_SIZE + 20]! ^= 1;
    expect(codeOf(tampered, decoder)).toBe('BAD_CHECKSUM');
    expect(codeOf(fixCrc(tampered), decoder)).toBe('BAD_SIGNATURE');
    // Header field changed (seq) with a valid header check and CRC: the signature covers the header.
    const f2 = frames[1]!.slice();
    const dv = new DataView(f2.buffer);
    dv.setUint32(6, 5000);
    dv.setUint16(22, headerCheck(f2, 0));
    expect(codeOf(fixCrc(f2), decoder)).toBe('BAD_SIGNATURE');
    // The untouched frame still goes through: rejected frames did not advance the replay window.
    expect(codeOf(frames[1]!, decoder)).toBe('ACCEPTED');
    // Reordered beyond the 1024-frame window.
    expect(codeOf(frames[1099]!, decoder)).toBe('ACCEPTED');
    expect(codeOf(frames[5]!, decoder)).toBe('OUT_OF_WINDOW');
    // Reordered within the window is fine.
    expect(codeOf(frames[1090]!, decoder)).toBe('ACCEPTED');
    // Stale timestamp.
    clock.advance(60_000);
    const late = encodeFrame(status, { seq: 2000, timestamp: START, protector: agv });
    expect(codeOf(late, decoder)).toBe('TIMESTAMP_SKEW');
    // Truncated payload section (header says 10 bytes: shorter than the IV).
    const truncated = encodeFrame(status, { seq: 2001, timestamp: clock.now(), protector: agv });
    const short = new Uint8Array(HEADER_SIZE + 10 + 64 + 4);
    short.set(truncated.subarray(0, HEADER_SIZE));
    new DataView(short.buffer).setUint32(16, 10);
    new DataView(short.buffer).setUint16(22, headerCheck(short, 0));
    expect(codeOf(fixCrc(short), decoder)).toBe('BAD_LENGTH');
    // Another session's key.
    const other = pair(clock);
    expect(codeOf(encodeFrame(status, { seq: 3000, timestamp: clock.now(), protector: other.agv }), decoder)).toBe('KEY_MISMATCH');
    // Plain status on a secure session.
    expect(codeOf(encodeFrame(status, { seq: 3001, timestamp: clock.now() }), decoder)).toBe('SECURE_REQUIRED');
    // And a decoder without keys refuses secure frames.
    expect(decodeFrame(frames[3]!).ok === false && (decodeFrame(frames[3]!) as { error: { code: string } }).error.code).toBe('NO_SESSION_KEY');
  });

  it('a signature from the wrong key is rejected', () => {
    const clock = new ManualClock(START);
    const up = Uint8Array.from(randomBytes(16));
    const down = Uint8Array.from(randomBytes(16));
    const impostor = createSecureProtector(new SecureSession({ sendKey: up, receiveKey: down, localKeyPair: generateSm2KeyPair(), peerPublicKey: platformKeys.publicKey, clock }));
    const platform = createSecureProtector(new SecureSession({ sendKey: down, receiveKey: up, localKeyPair: platformKeys, peerPublicKey: agvKeys.publicKey, clock }));
    const decoder = new FrameDecoder({ protector: platform });
    expect(codeOf(encodeFrame(EXAMPLE_MESSAGES.heartbeat, { seq: 1, timestamp: START, protector: impostor }), decoder)).toBe('BAD_SIGNATURE');
  });
});


describe('secure frame path under mutation', () => {
  it('mutated secure frames (valid CRC, so they reach the SM2 check) are all rejected and never throw', () => {
    const { agv, platform } = pair();
    const decoder = new FrameDecoder({ protector: platform });
    const base = encodeFrame(EXAMPLE_MESSAGES.statusReport, { seq: 1, timestamp: START, protector: agv });
    const sigAt = base.length - 4 - 64;
    let seed = 99;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const mutants: Uint8Array[] = [];
    for (let i = 0; i < 120; i++) {
      const m = base.slice();
      m[HEADER_SIZE + rand(m.length - HEADER_SIZE - 4)]! ^= 1 << rand(8);
      mutants.push(fixCrc(m));
    }
    // Degenerate signatures: r or s zero, all ones (≥ n), or the whole signature zero.
    for (const [from, to, fill] of [[0, 32, 0], [32, 64, 0], [0, 32, 0xff], [32, 64, 0xff], [0, 64, 0]] as const) {
      const m = base.slice();
      m.fill(fill, sigAt + from, sigAt + to);
      mutants.push(fixCrc(m));
    }
    const codes = new Set<string>();
    for (const m of mutants) {
      const events = decoder.push(m);
      expect(events).toHaveLength(1);
      expect(events[0]!.ok).toBe(false);
      if (!events[0]!.ok) codes.add(events[0]!.error.code);
    }
    expect([...codes].every((c) => ['BAD_SIGNATURE', 'KEY_MISMATCH', 'TIMESTAMP_SKEW', 'BAD_LENGTH', 'OUT_OF_WINDOW', 'REPLAYED', 'BAD_HEADER_CHECK', 'BAD_MAGIC', 'FRAME_TOO_LONG', 'UNKNOWN_TYPE', 'UNKNOWN_OPTIONAL_TYPE', 'UNSUPPORTED_VERSION', 'SECURE_REQUIRED', 'NO_SESSION_KEY'].includes(c))).toBe(true);
    // The untouched frame still decodes afterwards: nothing the mutants did moved the replay window.
    const [event] = decoder.push(base);
    expect(event!.ok).toBe(true);
  });
});
