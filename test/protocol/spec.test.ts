// The spec, the codec and the test vectors agree: docs/protocol.md's generated tables match the declarations,
// and every vector in docs/vectors/ decodes to its stated meaning (and, for plain frames, re-encodes to its bytes).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import {
  crc32, createSecureProtector, decodeFrame, encodeFrame, FrameDecoder, fromHex, MESSAGE_DEFS, messageFromJson, messageToJson, type JsonValue,
} from '../../src/protocol/index.ts';
import {
  fillRegions, renderSpecRegions, renderVectors, type ErrorVector, type FrameVector, type VectorFile,
} from '../../src/protocol/spec-tables.ts';
import { keyPairFromPrivateKey, SecureSession } from '../../src/protocol/secure/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const frames = JSON.parse(read('docs/vectors/frames.json')) as VectorFile<FrameVector>;
const errors = JSON.parse(read('docs/vectors/errors.json')) as VectorFile<ErrorVector>;

describe('docs/protocol.md', () => {
  it('generated tables and vectors are up to date (run: npx tsx scripts/gen-protocol-spec.ts)', () => {
    const doc = read('docs/protocol.md');
    expect(doc).toBe(fillRegions(doc, { ...renderSpecRegions(), vectors: renderVectors(frames, errors) }));
  });

  it('documents every message and enumeration by name', () => {
    const doc = read('docs/protocol.md');
    for (const def of MESSAGE_DEFS) expect(doc).toContain(`#### ${def.kind} — `);
  });

  it('the CRC check value stated in the spec holds', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('docs/protocol.md §6 rule 9: accessResponse(busy) with its retry hint', () => {
  const header = '55461200000200000001019ab7aa90800000003a0000b0b2';
  const payload = '0500000005dc019ab7aa90802d746f6f206d616e79204147567320636f6e6e656374696e673b2072657472792061667465722031353030206d73';
  const crc = '73148ce0';
  const message = { kind: 'accessResponse', result: 'busy', version: 0, sessionId: 1500, serverTime: 1764018000000, detail: 'too many AGVs connecting; retry after 1500 ms' };

  it('the spec shows these bytes and this meaning', () => {
    const doc = read('docs/protocol.md');
    for (const part of [header, payload, crc, JSON.stringify(message)]) expect(doc).toContain(part);
  });

  it('encodes to and decodes from the bytes shown (sessionId 0x000005dc carries the 1500 ms hint)', () => {
    const hex = header + payload + crc;
    expect(Buffer.from(encodeFrame(messageFromJson(message as JsonValue), { seq: 1, timestamp: 1764018000000 })).toString('hex')).toBe(hex);
    const result = decodeFrame(fromHex(hex));
    if (!result.ok) throw result.error;
    expect(messageToJson(result.frame.message)).toEqual(message);
  });
});

describe('docs/vectors/frames.json', () => {
  it('covers every message type', () => {
    expect(frames.vectors.map((v) => v.msgType).sort()).toEqual(MESSAGE_DEFS.map((d) => d.type).sort());
  });
  for (const v of frames.vectors) {
    it(`${v.name}: decodes to its meaning and re-encodes to the same bytes`, () => {
      const bytes = fromHex(v.hex);
      const result = decodeFrame(bytes);
      if (!result.ok) throw result.error;
      expect(result.frame).toMatchObject({ seq: v.seq, timestamp: v.timestamp, flags: v.flags, version: v.version, msgType: v.msgType });
      expect(messageToJson(result.frame.message)).toEqual(v.message);
      const reencoded = encodeFrame(messageFromJson(v.message as JsonValue), { seq: v.seq, timestamp: v.timestamp, flags: v.flags, version: v.version });
      expect(Buffer.from(reencoded).toString('hex')).toBe(v.hex);
    });
  }
});

describe('docs/vectors/errors.json', () => {
  for (const v of errors.vectors) {
    it(v.name, () => {
      const decoder = new FrameDecoder();
      const events = v.chunks.flatMap((c) => decoder.push(fromHex(c))).map((e) => (e.ok ? `ok:${e.frame.message.kind}` : e.error.code));
      expect(events).toEqual(v.events);
    });
  }
});

describe('docs/vectors/secure.json', () => {
  const secure = JSON.parse(read('docs/vectors/secure.json')) as {
    agvPublicKey: string; platformPrivateKey: string; agvToPlatformKey: string; platformToAgvKey: string; receiverClock: number;
    vectors: { name: string; seq: number; hex: string; message: JsonValue }[];
  };
  it('every frame verifies, decrypts and decodes to its meaning with the platform\'s keys', () => {
    const platform = keyPairFromPrivateKey(fromHex(secure.platformPrivateKey));
    const session = new SecureSession({
      sendKey: fromHex(secure.platformToAgvKey), receiveKey: fromHex(secure.agvToPlatformKey), localKeyPair: platform,
      peerPublicKey: fromHex(secure.agvPublicKey), clock: new ManualClock(secure.receiverClock),
    });
    const decoder = new FrameDecoder({ protector: createSecureProtector(session) });
    for (const v of secure.vectors) {
      const [event] = decoder.push(fromHex(v.hex));
      if (!event!.ok) throw event!.error;
      expect(event!.frame.seq).toBe(v.seq);
      expect(messageToJson(event!.frame.message)).toEqual(v.message);
    }
  });
});
