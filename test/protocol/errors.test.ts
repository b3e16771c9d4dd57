// Every error path of the codec: each bad input yields its typed error, never an exception, and the stream
// decoder carries on with the next good frame.
import { describe, expect, it } from 'vitest';
import {
  crc32, decodeFrame, encodeFrame, encodePayload, encodeRawFrame, ERROR_CODES, errorCodeName, FrameDecoder, HEADER_SIZE, headerCheck, MsgType, ProtocolError, type DecodeResult, type Message,
} from '../../src/protocol/index.ts';
import { EXAMPLE_MESSAGES } from '../../src/protocol/examples.ts';

const T0 = 1_764_018_000_000;
const good = encodeFrame(EXAMPLE_MESSAGES.heartbeat, { seq: 99, timestamp: T0 });
const statusPayload = encodePayload(EXAMPLE_MESSAGES.statusReport);

const codes = (events: DecodeResult[]): string[] => events.map((e) => (e.ok ? `ok:${e.frame.message.kind}` : e.error.code));
const errorOf = (r: DecodeResult): ProtocolError => {
  if (r.ok) throw new Error('expected an error');
  return r.error;
};
function rewriteHeader(frame: Uint8Array, edit: (dv: DataView) => void): Uint8Array {
  const out = frame.slice();
  const dv = new DataView(out.buffer);
  edit(dv);
  dv.setUint16(22, headerCheck(out, 0));
  dv.setUint32(out.length - 4, crc32(out, 0, out.length - 4));
  return out;
}

/** Status payload with one byte replaced (offsets from the declaration order). */
function statusWith(offset: number, bytes: number[]): Uint8Array {
  const p = statusPayload.slice();
  p.set(bytes, offset);
  return encodeRawFrame({ msgType: MsgType.statusReport, payload: p });
}
function spaceRequestWithPresence(flag: number): Uint8Array {
  const { trajectory: _omit, ...noTrajectory } = EXAMPLE_MESSAGES.spaceRequest;
  const p = encodePayload(noTrajectory);
  p[p.length - 1] = flag;
  return encodeRawFrame({ msgType: MsgType.spaceRequest, payload: p });
}
// statusReport layout: orderId 0, orderUpdateId 4, pose.x 8, pose.y 12, pose.theta 16, localisationScore 18, mapId 19,
// navMode 21, vx 22, vy 24, omega 26, battery 28, batteryVoltage 30, charging 32, loadState 33, state 34 ...

describe('stream decoder error paths and resynchronisation', () => {
  it('BAD_MAGIC: garbage before a frame is skipped as one error', () => {
    const events = new FrameDecoder().push(Buffer.concat([Buffer.from('garbage!'), good]));
    expect(codes(events)).toEqual(['BAD_MAGIC', 'ok:heartbeat']);
    expect(errorOf(events[0]!).skippedBytes).toBe(8);
  });

  it('BAD_HEADER_CHECK: a corrupted header is not trusted; decoding resumes at the next magic', () => {
    const corrupt = good.slice();
    corrupt[17]! ^= 0x40; // payloadLength now claims 4 MiB
    const decoder = new FrameDecoder();
    expect(codes(decoder.push(Buffer.concat([corrupt, good])))).toEqual(['BAD_HEADER_CHECK', 'ok:heartbeat']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('BAD_CHECKSUM: a corrupted payload drops exactly that frame', () => {
    const corrupt = good.slice();
    corrupt[HEADER_SIZE + 1]! ^= 1;
    const events = new FrameDecoder().push(Buffer.concat([good, corrupt, good]));
    expect(codes(events)).toEqual(['ok:heartbeat', 'BAD_CHECKSUM', 'ok:heartbeat']);
    expect(errorOf(events[1]!)).toMatchObject({ msgType: MsgType.heartbeat, seq: 99, numericCode: ERROR_CODES.BAD_CHECKSUM });
  });

  it('FRAME_TOO_LONG: an oversized frame is skipped as it streams in, without buffering it', () => {
    const big = encodeFrame({ ...EXAMPLE_MESSAGES.vendorData, data: new Uint8Array(50_000) }, { seq: 1, timestamp: T0 });
    const decoder = new FrameDecoder({ maxFrameBytes: 4096 });
    const events = [];
    for (let at = 0; at < big.length; at += 1000) {
      events.push(...decoder.push(big.subarray(at, at + 1000)));
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(4096);
    }
    events.push(...decoder.push(good));
    expect(codes(events)).toEqual(['FRAME_TOO_LONG', 'ok:heartbeat']);
    expect(errorOf(events[0]!).skippedBytes).toBe(big.length);
  });

  it('a length lie with a valid header check does not swallow the frames after it', () => {
    const lie = good.slice();
    new DataView(lie.buffer).setUint32(16, 0xfffffff0);
    new DataView(lie.buffer).setUint16(22, headerCheck(lie, 0));
    const decoder = new FrameDecoder({ maxFrameBytes: 4096 });
    expect(codes(decoder.push(Buffer.concat([lie, good, good])))).toEqual(['FRAME_TOO_LONG', 'ok:heartbeat', 'ok:heartbeat']);
  });

  it('one BAD_MAGIC per garbage run, even across chunks', () => {
    const decoder = new FrameDecoder();
    const events = [decoder.push(Buffer.from('noise ')), decoder.push(Buffer.from('more noise')), decoder.push(good)].flat();
    expect(codes(events)).toEqual(['BAD_MAGIC', 'ok:heartbeat']);
    expect(errorOf(events[0]!).skippedBytes).toBe(16);
  });

  it('UNSUPPORTED_VERSION for another major version; a newer minor version is accepted', () => {
    const v2 = rewriteHeader(good, (dv) => dv.setUint8(2, 0x20));
    const v1_5 = rewriteHeader(good, (dv) => dv.setUint8(2, 0x15));
    expect(codes(new FrameDecoder().push(Buffer.concat([v2, v1_5])))).toEqual(['UNSUPPORTED_VERSION', 'ok:heartbeat']);
  });

  it('UNKNOWN_TYPE is an error; UNKNOWN_OPTIONAL_TYPE is skippable', () => {
    const unknown = encodeRawFrame({ msgType: 0x0777, payload: Uint8Array.of(1, 2, 3) });
    const optional = encodeRawFrame({ msgType: 0x8777, payload: Uint8Array.of(1, 2, 3) });
    const events = new FrameDecoder().push(Buffer.concat([unknown, optional, good]));
    expect(codes(events)).toEqual(['UNKNOWN_TYPE', 'UNKNOWN_OPTIONAL_TYPE', 'ok:heartbeat']);
    expect(errorOf(events[0]!).skippable).toBe(false);
    expect(errorOf(events[1]!)).toMatchObject({ skippable: true, msgType: 0x8777 });
  });

  it('reserved flag bits and reserved header bytes are ignored; trailing payload bytes are ignored', () => {
    const reserved = rewriteHeader(good, (dv) => {
      dv.setUint8(3, 0xf0);
      dv.setUint16(20, 0xbeef);
    });
    const longer = encodeRawFrame({ msgType: MsgType.statusReport, payload: Buffer.concat([statusPayload, Buffer.from([9, 9, 9, 9])]) });
    const events = new FrameDecoder().push(Buffer.concat([reserved, longer]));
    expect(codes(events)).toEqual(['ok:heartbeat', 'ok:statusReport']);
    expect(events[1]!.ok && events[1]!.frame.message).toEqual(EXAMPLE_MESSAGES.statusReport);
  });

  it('decodeFrame: BAD_LENGTH when the buffer is not exactly one frame', () => {
    expect(errorOf(decodeFrame(good.subarray(0, 10))).code).toBe('BAD_LENGTH');
    expect(errorOf(decodeFrame(Buffer.concat([good, Buffer.from([0])]))).code).toBe('BAD_LENGTH');
    expect(errorOf(decodeFrame('nope' as unknown as Uint8Array)).code).toBe('INVALID_FIELD');
  });
});

describe('payload field errors', () => {
  const cases: [string, Uint8Array, string, string][] = [
    ['truncated payload', encodeRawFrame({ msgType: MsgType.statusReport, payload: statusPayload.subarray(0, 30) }), 'TRUNCATED_FIELD', 'batteryVoltage'],
    ['empty payload', encodeRawFrame({ msgType: MsgType.statusReport, payload: new Uint8Array(0) }), 'TRUNCATED_FIELD', 'orderId'],
    ['enum value not defined', statusWith(21, [200]), 'BAD_ENUM', 'navMode'],
    ['heading outside ±3142', statusWith(16, [0x10, 0x00]), 'OUT_OF_RANGE', 'pose.theta'],
    ['bool other than 0/1', statusWith(32, [2]), 'OUT_OF_RANGE', 'charging'],
    ['battery over 100 %', statusWith(28, [0x04, 0x00]), 'OUT_OF_RANGE', 'battery'],
    ['array count above its maximum', encodeRawFrame({ msgType: MsgType.paramQuery, payload: Uint8Array.of(0, 0, 0, 1, 200) }), 'OUT_OF_RANGE', 'params'],
    ['array count the bytes cannot hold', encodeRawFrame({ msgType: MsgType.paramQuery, payload: Uint8Array.of(0, 0, 0, 1, 60, 1) }), 'TRUNCATED_FIELD', 'params'],
    ['string longer than declared', encodeRawFrame({ msgType: MsgType.accessRequest, payload: Uint8Array.of(65, ...Buffer.alloc(65, 0x41)) }), 'OUT_OF_RANGE', 'agvId'],
    ['invalid UTF-8', encodeRawFrame({ msgType: MsgType.registerAck, payload: Uint8Array.of(0, 2, 0xc3, 0x28) }), 'BAD_STRING', 'detail'],
    ['optional presence byte other than 0/1', spaceRequestWithPresence(7), 'OUT_OF_RANGE', 'trajectory'],
    ['ID below its minimum', encodeRawFrame({ msgType: MsgType.spaceRelease, payload: Uint8Array.of(0, 0, 0, 0) }), 'OUT_OF_RANGE', 'leaseId'],
  ];
  for (const [name, frame, code, field] of cases) {
    it(`${name} → ${code} at ${field}`, () => {
      const error = errorOf(decodeFrame(frame));
      expect(error).toBeInstanceOf(ProtocolError);
      expect({ code: error.code, field: error.field }).toEqual({ code, field });
      // The stream decoder reports the same and carries on.
      expect(codes(new FrameDecoder().push(Buffer.concat([frame, good])))).toEqual([code, 'ok:heartbeat']);
    });
  }
});

describe('encoding rejects messages that violate their declaration', () => {
  const encodeError = (message: unknown, seq = 1): ProtocolError => {
    try {
      encodeFrame(message as Message, { seq, timestamp: T0 });
    } catch (error) {
      return error as ProtocolError;
    }
    throw new Error('expected encodeFrame to throw');
  };
  const status = EXAMPLE_MESSAGES.statusReport;
  it.each([
    ['unknown kind', { kind: 'teleport' }, 'UNKNOWN_TYPE', 'kind'],
    ['not an object', null, 'UNKNOWN_TYPE', 'kind'],
    ['out of range', { ...status, battery: 1001 }, 'OUT_OF_RANGE', 'battery'],
    ['not an integer', { ...status, vx: 1.5 }, 'OUT_OF_RANGE', 'vx'],
    ['missing field', { ...status, mapId: undefined }, 'OUT_OF_RANGE', 'mapId'],
    ['string as number', { ...status, mapId: '1' }, 'OUT_OF_RANGE', 'mapId'],
    ['unknown enum name', { ...status, state: 'dancing' }, 'BAD_ENUM', 'state'],
    ['bool as number', { ...status, charging: 1 }, 'INVALID_FIELD', 'charging'],
    ['nested struct missing', { ...status, pose: undefined }, 'INVALID_FIELD', 'pose'],
    ['array not an array', { ...status, errors: {} }, 'INVALID_FIELD', 'errors'],
    ['too many items', { ...status, errors: Array(65).fill({ code: 1, severity: 'info' }) }, 'OUT_OF_RANGE', 'errors'],
    ['bad array item', { ...status, errors: [{ code: 1, severity: 'loud' }] }, 'BAD_ENUM', 'errors[].severity'],
    ['string too long', { ...EXAMPLE_MESSAGES.accessRequest, agvId: 'x'.repeat(65) }, 'OUT_OF_RANGE', 'agvId'],
    ['string too long in UTF-8', { ...EXAMPLE_MESSAGES.accessRequest, agvId: '电'.repeat(30) }, 'OUT_OF_RANGE', 'agvId'],
    ['fixed bytes of wrong size', { ...EXAMPLE_MESSAGES.keyExchangeConfirm, confirmation: new Uint8Array(31) }, 'INVALID_FIELD', 'confirmation'],
  ])('%s', (_name, message, code, field) => {
    const error = encodeError(message);
    expect(error).toBeInstanceOf(ProtocolError);
    expect({ code: error.code, field: error.field }).toEqual({ code, field });
  });

  it('bad seq / timestamp', () => {
    expect(encodeError(status, -1).code).toBe('OUT_OF_RANGE');
    expect(() => encodeFrame(status, { seq: 1, timestamp: 2 ** 48 })).toThrow(ProtocolError);
  });

  it('a failed encode does not disturb the next one', () => {
    encodeError({ ...status, errors: [{ code: 1, severity: 'loud' }] });
    const r = decodeFrame(encodeFrame(EXAMPLE_MESSAGES.heartbeat, { seq: 99, timestamp: T0 }));
    expect(r.ok && r.frame.message).toEqual(EXAMPLE_MESSAGES.heartbeat);
  });
});

describe('error codes', () => {
  it('numbers are unique and map back to names', () => {
    const numbers = Object.values(ERROR_CODES);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const [name, num] of Object.entries(ERROR_CODES)) expect(errorCodeName(num)).toBe(name);
    expect(errorCodeName(0xfffe)).toBeUndefined();
  });
});
