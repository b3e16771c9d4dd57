// Regenerates the generated parts of the protocol spec: the tables in docs/protocol.md (from the message
// declarations) and the test vectors in docs/vectors/. Run after changing a declaration:
//   npx tsx scripts/gen-protocol-spec.ts            (secure.json is kept if present; --force-secure rewrites it)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ManualClock } from '../src/core/index.ts';
import {
  createSecureProtector, encodeFrame, encodePayload, encodeRawFrame, FrameDecoder, FrameFlags, headerCheck, MESSAGE_DEFS, messageToJson, MsgType, PROTOCOL_VERSION, toHex, type Message,
} from '../src/protocol/index.ts';
import { EXAMPLE_MESSAGES } from '../src/protocol/examples.ts';
import {
  fillRegions, renderSpecRegions, renderVectors, type ErrorVector, type FrameVector, type VectorFile,
} from '../src/protocol/spec-tables.ts';
import { keyPairFromPrivateKey, SecureSession } from '../src/protocol/secure/index.ts';
import { crc32 } from '../src/protocol/crc32.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DOC = join(ROOT, 'docs/protocol.md');
const VECTORS = join(ROOT, 'docs/vectors');
export const VECTOR_EPOCH = 1_764_018_000_000; // 2025-11-24T21:00:00Z
const ACKED = new Set(['globalConfig', 'motionCommand', 'motionControl', 'actuatorCommand', 'chargingCommand', 'alarmReport', 'spaceRelease']);

function frameVectors(): VectorFile<FrameVector> {
  const vectors = MESSAGE_DEFS.map((def, i): FrameVector => {
    const message = EXAMPLE_MESSAGES[def.kind] as Message;
    const seq = i + 1;
    const timestamp = VECTOR_EPOCH + i * 10;
    const flags = ACKED.has(def.kind) ? FrameFlags.ACK_REQUESTED : 0;
    const hex = toHex(encodeFrame(message, { seq, timestamp, flags }));
    return { name: def.kind, seq, timestamp, flags, version: PROTOCOL_VERSION, msgType: def.type, hex, message: messageToJson(message) };
  });
  return { description: 'One plain frame of every message type. Decode hex -> message; encode message with seq/timestamp/flags/version -> hex.', vectors };
}

function withHeader(frame: Uint8Array, edit: (dv: DataView) => void, fixChecks = true): Uint8Array {
  const out = frame.slice();
  const dv = new DataView(out.buffer);
  edit(dv);
  if (fixChecks) {
    dv.setUint16(22, headerCheck(out, 0));
    dv.setUint32(out.length - 4, crc32(out, 0, out.length - 4));
  }
  return out;
}

function errorVectors(): VectorFile<ErrorVector> {
  const hb = encodeFrame(EXAMPLE_MESSAGES.heartbeat, { seq: 7, timestamp: VECTOR_EPOCH });
  const status = encodePayload(EXAMPLE_MESSAGES.statusReport);
  const statusWith = (offset: number, bytes: number[]): Uint8Array => {
    const p = status.slice();
    p.set(bytes, offset);
    return encodeRawFrame({ msgType: MsgType.statusReport, seq: 8, timestamp: VECTOR_EPOCH, payload: p });
  };
  const flipped = (frame: Uint8Array, index: number): Uint8Array => {
    const out = frame.slice();
    out[index]! ^= 0x01;
    return out;
  };
  const cases: [string, Uint8Array[]][] = [
    ['garbage before a frame', [Uint8Array.of(0x00, 0x01, 0x02, 0x55, 0x00), hb]],
    ['header bit flipped (payloadLength)', [flipped(hb, 19), hb]],
    ['payload bit flipped', [flipped(hb, 25), hb]],
    ['CRC bit flipped', [flipped(hb, hb.length - 1), hb]],
    ['major version 2', [withHeader(hb, (dv) => dv.setUint8(2, 0x20)), hb]],
    ['minor version 1.5 is accepted', [withHeader(hb, (dv) => dv.setUint8(2, 0x15))]],
    ['reserved flags and bytes are ignored', [withHeader(hb, (dv) => { dv.setUint8(3, 0xf8); dv.setUint16(20, 0xffff); })]],
    ['unknown type 0x0777', [encodeRawFrame({ msgType: 0x0777, payload: Uint8Array.of(1, 2) }), hb]],
    ['unknown optional type 0x8777', [encodeRawFrame({ msgType: 0x8777, payload: Uint8Array.of(1, 2) }), hb]],
    ['trailing payload bytes are ignored', [encodeRawFrame({ msgType: MsgType.heartbeat, payload: Uint8Array.of(0, 0, 0, 0, 0, 0, 0xaa, 0xbb) })]],
    ['payload truncated', [encodeRawFrame({ msgType: MsgType.statusReport, payload: status.subarray(0, 20) }), hb]],
    ['enum value 200', [statusWith(21, [200]), hb]],
    ['heading 4096 mrad', [statusWith(16, [0x10, 0x00]), hb]],
    ['bool value 2', [statusWith(32, [2]), hb]],
    ['array count over maximum', [encodeRawFrame({ msgType: MsgType.paramQuery, payload: Uint8Array.of(0, 0, 0, 1, 200) }), hb]],
    ['string over maximum length', [encodeRawFrame({ msgType: MsgType.accessRequest, payload: Uint8Array.of(65, ...new Uint8Array(65).fill(0x41)) }), hb]],
    ['invalid UTF-8', [encodeRawFrame({ msgType: MsgType.registerAck, payload: Uint8Array.of(0, 2, 0xc3, 0x28) }), hb]],
    ['secure frame without session keys', [encodeRawFrame({ msgType: MsgType.heartbeat, flags: FrameFlags.ENCRYPTED | FrameFlags.SIGNED, payload: new Uint8Array(22) }), hb]],
    ['frame split across chunks', [hb.subarray(0, 5), hb.subarray(5, 30), hb.subarray(30)]],
  ];
  const vectors = cases.map(([name, chunks]): ErrorVector => {
    const decoder = new FrameDecoder();
    const events = chunks.flatMap((c) => decoder.push(c)).map((e) => (e.ok ? `ok:${e.frame.message.kind}` : e.error.code));
    return { name, chunks: chunks.map(toHex), events };
  });
  return { description: 'Byte streams fed chunk by chunk to a fresh stream decoder (max frame 256 KiB) and the events it must report.', vectors };
}

function secureVectors(): unknown {
  const agvPrivate = '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8';
  const platformPrivate = '128b2fa8bd433c6c068c8d803dff79792a519a55171b1b650c23661d15897263';
  const agvToPlatformKey = '0123456789abcdeffedcba9876543210';
  const platformToAgvKey = 'fedcba98765432100123456789abcdef';
  const hexBytes = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
  const agv = keyPairFromPrivateKey(hexBytes(agvPrivate));
  const platform = keyPairFromPrivateKey(hexBytes(platformPrivate));
  const clock = new ManualClock(VECTOR_EPOCH);
  const session = new SecureSession({ sendKey: hexBytes(agvToPlatformKey), receiveKey: hexBytes(platformToAgvKey), localKeyPair: agv, peerPublicKey: platform.publicKey, clock });
  const protector = createSecureProtector(session);
  const messages: Message[] = [EXAMPLE_MESSAGES.registerRequest, EXAMPLE_MESSAGES.statusReport, EXAMPLE_MESSAGES.heartbeat];
  return {
    description: 'Frames the AGV sent on a secure session (SM4-CTR + SM2, default user IDs). Receiver: platform keys, clock = receiverClock. Decode-only: IVs are random and SM2 signatures randomised.',
    agvPrivateKey: agvPrivate,
    agvPublicKey: toHex(agv.publicKey),
    platformPrivateKey: platformPrivate,
    platformPublicKey: toHex(platform.publicKey),
    userId: '1234567812345678',
    agvToPlatformKey,
    platformToAgvKey,
    receiverClock: VECTOR_EPOCH,
    vectors: messages.map((message, i) => ({
      name: message.kind,
      seq: i + 1,
      timestamp: VECTOR_EPOCH,
      hex: toHex(encodeFrame(message, { seq: i + 1, timestamp: VECTOR_EPOCH, protector })),
      message: messageToJson(message),
    })),
  };
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

function main(): void {
  const frames = frameVectors();
  const errors = errorVectors();
  writeFileSync(join(VECTORS, 'frames.json'), json(frames));
  writeFileSync(join(VECTORS, 'errors.json'), json(errors));
  const securePath = join(VECTORS, 'secure.json');
  if (!existsSync(securePath) || process.argv.includes('--force-secure')) writeFileSync(securePath, json(secureVectors()));
  const doc = readFileSync(DOC, 'utf8');
  writeFileSync(DOC, fillRegions(doc, { ...renderSpecRegions(), vectors: renderVectors(frames, errors) }));
  console.log(`wrote ${DOC} and ${VECTORS}/{frames,errors,secure}.json`);
}

main();
