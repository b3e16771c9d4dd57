import { describe, expect, it } from 'vitest';
import {
  decodeFrame, encodeFrame, encodePayload, FrameDecoder, FrameFlags, HEADER_SIZE, MESSAGE_DEFS, MsgType, PROTOCOL_VERSION, type Message,
} from '../../src/protocol/index.ts';
import { EXAMPLE_MESSAGES, exampleMotionCommand } from '../../src/protocol/examples.ts';

const T0 = 1_764_018_000_000;

describe('every message round-trips through encodeFrame / decodeFrame', () => {
  it('has an example for every message in the catalogue', () => {
    expect(Object.keys(EXAMPLE_MESSAGES).sort()).toEqual(MESSAGE_DEFS.map((d) => d.kind).sort());
  });

  for (const message of Object.values(EXAMPLE_MESSAGES) as Message[]) {
    it(message.kind, () => {
      const bytes = encodeFrame(message, { seq: 42, timestamp: T0, flags: FrameFlags.ACK_REQUESTED });
      const result = decodeFrame(bytes);
      if (!result.ok) throw result.error;
      expect(result.frame).toMatchObject({ version: PROTOCOL_VERSION, seq: 42, timestamp: T0, msgType: MsgType[message.kind], size: bytes.length, flags: FrameFlags.ACK_REQUESTED });
      expect(result.frame.message).toEqual(message);
      // Re-encoding the decoded message gives the same bytes: the codec is canonical.
      expect(encodeFrame(result.frame.message, { seq: 42, timestamp: T0, flags: FrameFlags.ACK_REQUESTED })).toEqual(bytes);
    });
  }

  it('round-trips extremes of every integer width', () => {
    const status = { ...EXAMPLE_MESSAGES.statusReport, orderId: 0xffffffff, pose: { x: -0x80000000, y: 0x7fffffff, theta: -32768 }, vx: -32768, omega: 32767 };
    const r = decodeFrame(encodeFrame(status, { seq: 0xffffffff, timestamp: 2 ** 48 - 1 }));
    expect(r.ok && r.frame.message).toEqual(status);
    expect(r.ok && r.frame.timestamp).toBe(2 ** 48 - 1);
  });

  it('round-trips non-ASCII strings and the optional field both present and absent', () => {
    const alarm = { ...EXAMPLE_MESSAGES.alarmReport, text: '电池温度过高 — Batterietemperatur 🔥' };
    const r = decodeFrame(encodeFrame(alarm, { seq: 1, timestamp: T0 }));
    expect(r.ok && r.frame.message).toEqual(alarm);
    const { trajectory: _omit, ...withoutTrajectory } = EXAMPLE_MESSAGES.spaceRequest;
    const r2 = decodeFrame(encodeFrame(withoutTrajectory, { seq: 1, timestamp: T0 }));
    expect(r2.ok && r2.frame.message).toEqual({ ...withoutTrajectory, trajectory: undefined });
  });

  it('round-trips a 1000-node motion command', () => {
    const order = exampleMotionCommand(1000, 10);
    const r = decodeFrame(encodeFrame(order, { seq: 1, timestamp: T0 }));
    expect(r.ok && r.frame.message).toEqual(order);
  });

  it('status report frame is small', () => {
    expect(encodeFrame(EXAMPLE_MESSAGES.statusReport, { seq: 1, timestamp: T0 }).length).toBeLessThan(120);
    expect(encodePayload(EXAMPLE_MESSAGES.heartbeat).length).toBe(6);
  });
});

describe('FrameDecoder reassembles frames from any chunking', () => {
  const messages = Object.values(EXAMPLE_MESSAGES) as Message[];
  const frames = messages.map((m, i) => encodeFrame(m, { seq: i + 1, timestamp: T0 + i }));
  const stream = Buffer.concat(frames);

  it('one chunk holding every frame', () => {
    const events = new FrameDecoder().push(stream);
    expect(events.map((e) => e.ok && e.frame.message)).toEqual(messages);
  });

  it('byte by byte', () => {
    const decoder = new FrameDecoder();
    const events = [...stream].flatMap((b) => decoder.push(Uint8Array.of(b)));
    expect(events.map((e) => e.ok && e.frame.seq)).toEqual(messages.map((_, i) => i + 1));
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('random chunk sizes (seeded)', () => {
    let seed = 12345;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 50; round++) {
      const decoder = new FrameDecoder();
      const events = [];
      for (let at = 0; at < stream.length;) {
        const size = 1 + rand(300);
        events.push(...decoder.push(stream.subarray(at, at + size)));
        at += size;
      }
      expect(events.every((e) => e.ok)).toBe(true);
      expect(events.length).toBe(messages.length);
    }
  });

  it('does not keep a reference to the caller\'s chunk', () => {
    const decoder = new FrameDecoder();
    const chunk = Buffer.from(frames[0]!.subarray(0, 10));
    decoder.push(chunk);
    chunk.fill(0);
    const events = decoder.push(frames[0]!.subarray(10));
    expect(events[0]!.ok).toBe(true);
  });
});

describe('version negotiation and nacks', () => {
  it('picks the highest common version', async () => {
    const { negotiateVersion, formatVersion } = await import('../../src/protocol/index.ts');
    const v10Only = [0x10];
    expect(negotiateVersion(0x10, 0x10, v10Only)).toBe(0x10);
    expect(negotiateVersion(0x10, 0x13, v10Only)).toBe(0x10);
    // A 1.2-only peer can still talk 1.0 with us: minors are backward compatible.
    expect(negotiateVersion(0x12, 0x12, v10Only)).toBe(0x10);
    // This implementation speaks 1.0, 1.1 and 1.2: each peer gets the highest it offers, anything newer gets 1.2.
    expect(negotiateVersion(0x10, 0x10)).toBe(0x10);
    expect(negotiateVersion(0x10, 0x11)).toBe(0x11);
    expect(negotiateVersion(0x10, 0x13)).toBe(0x12);
    expect(negotiateVersion(0x13, 0x13)).toBe(0x12);
    expect(negotiateVersion(0x20, 0x21)).toBeUndefined();
    expect(negotiateVersion(0x10, 0x21, [0x10, 0x20])).toBe(0x20);
    expect(formatVersion(0x10)).toBe('1.0');
  });

  it('nackFor answers a rejected frame with its seq, type and error code', async () => {
    const { nackFor } = await import('../../src/protocol/index.ts');
    const bad = encodeFrame(EXAMPLE_MESSAGES.heartbeat, { seq: 77, timestamp: T0 });
    bad[HEADER_SIZE]! ^= 1;
    const [event] = new FrameDecoder().push(bad);
    if (event!.ok) throw new Error('expected an error');
    const nack = nackFor(event!.error, 'x'.repeat(300));
    expect(nack).toMatchObject({ kind: 'nack', ackedSeq: 77, ackedType: MsgType.heartbeat, errorCode: 'BAD_CHECKSUM' });
    const r = decodeFrame(encodeFrame(nack, { seq: 1, timestamp: T0 }));
    expect(r.ok && r.frame.message).toEqual(nack);
  });
});

describe('bare payloads', () => {
  it('encodePayload / decodePayload round-trip without a frame', async () => {
    const { decodePayload } = await import('../../src/protocol/index.ts');
    const payload = encodePayload(EXAMPLE_MESSAGES.statusReport);
    expect(decodePayload(MsgType.statusReport, payload)).toEqual({ ok: true, message: EXAMPLE_MESSAGES.statusReport });
    const bad = decodePayload(MsgType.statusReport, payload.subarray(0, 3));
    expect(!bad.ok && bad.error.code).toBe('TRUNCATED_FIELD');
    const unknown = decodePayload(0x8123, payload);
    expect(!unknown.ok && unknown.error.code).toBe('UNKNOWN_OPTIONAL_TYPE');
  });
});

describe('FrameDecoder event callback', () => {
  it('lets the caller switch protector between two frames of one chunk', async () => {
    const { createSecureProtector } = await import('../../src/protocol/index.ts');
    const { generateSm2KeyPair, SecureSession } = await import('../../src/protocol/secure/index.ts');
    const { ManualClock } = await import('../../src/core/index.ts');
    const clock = new ManualClock(T0);
    const a = generateSm2KeyPair();
    const b = generateSm2KeyPair();
    const k1 = new Uint8Array(16).fill(1);
    const k2 = new Uint8Array(16).fill(2);
    const sender = createSecureProtector(new SecureSession({ sendKey: k1, receiveKey: k2, localKeyPair: a, peerPublicKey: b.publicKey, clock }));
    const receiver = createSecureProtector(new SecureSession({ sendKey: k2, receiveKey: k1, localKeyPair: b, peerPublicKey: a.publicKey, clock }));
    // The last plain handshake frame and the first encrypted one arrive together.
    const chunk = Buffer.concat([
      encodeFrame(EXAMPLE_MESSAGES.keyExchangeConfirm, { seq: 3, timestamp: T0 }),
      encodeFrame(EXAMPLE_MESSAGES.registerRequest, { seq: 4, timestamp: T0, protector: sender }),
    ]);
    const decoder = new FrameDecoder();
    const seen: string[] = [];
    const returned = decoder.push(chunk, (event) => {
      seen.push(event.ok ? event.frame.message.kind : event.error.code);
      if (event.ok && event.frame.message.kind === 'keyExchangeConfirm') decoder.setProtector(receiver);
    });
    expect(returned).toEqual([]);
    expect(seen).toEqual(['keyExchangeConfirm', 'registerRequest']);
  });

  it('a throwing callback leaves the decoder consistent: the rest of the chunk is decoded by the next push', () => {
    const frames = [1, 2, 3].map((seq) => encodeFrame(EXAMPLE_MESSAGES.heartbeat, { seq, timestamp: T0 }));
    const decoder = new FrameDecoder();
    expect(() => decoder.push(Buffer.concat(frames), (e) => {
      if (e.ok && e.frame.seq === 1) throw new Error('handler failed');
    })).toThrow('handler failed');
    const rest = decoder.push(Buffer.from(frames[0]!.subarray(0, 5)));
    expect(rest.map((e) => e.ok && e.frame.seq)).toEqual([2, 3]);
    expect(decoder.push(Buffer.from(frames[0]!.subarray(5))).map((e) => e.ok && e.frame.seq)).toEqual([1]);
    expect(() => decoder.push(frames[0]!, () => decoder.push(frames[1]!))).toThrow(/inside its own onEvent/);
  });
});
