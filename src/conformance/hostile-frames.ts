import { encodeFrame, encodeRawFrame, FrameFlags, HEADER_SIZE, writeHeader } from '../protocol/index.ts';

// Byte sequences a well-behaved peer never sends, one per rule of the stream decoder (docs/protocol.md §4): the
// peer under test must skip or nack each one, stay connected and keep answering heartbeats.

export interface HostileInput {
  name: string;
  bytes: Uint8Array;
  /** msgType the input carries when its header can be trusted (to recognise a nack for it). */
  msgType?: number;
  /** The input must be skipped silently: no nack (unknown optional type, §5). */
  silent?: boolean;
}

/** A mandatory type no protocol version defines, and an optional one (bit 15 set). */
export const UNKNOWN_TYPE = 0x07fe;
export const UNKNOWN_OPTIONAL_TYPE = 0x87fe;

export function hostileInputs(): HostileInput[] {
  const garbage = new Uint8Array(200);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 37 + 11) & 0xff;

  const badCrc = encodeFrame({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 }, { seq: 0xfff0_0001, timestamp: 0 });
  badCrc[badCrc.length - 1]! ^= 0xff;

  // A header that checks out but announces a 64 MiB frame: the peer must neither wait for it nor buffer it.
  const oversize = new Uint8Array(HEADER_SIZE);
  writeHeader(new DataView(oversize.buffer), oversize, 0, { version: 0x10, flags: 0, msgType: 0x0010, seq: 0xfff0_0002, timestamp: 0, payloadLength: 64 * 1024 * 1024 });

  const unknown = encodeRawFrame({ msgType: UNKNOWN_TYPE, seq: 0xfff0_0003, flags: FrameFlags.ACK_REQUESTED, payload: new Uint8Array([1, 2, 3]) });
  const unknownOptional = encodeRawFrame({ msgType: UNKNOWN_OPTIONAL_TYPE, seq: 0xfff0_0004, payload: new Uint8Array([1, 2, 3]) });
  return [
    { name: 'garbage bytes', bytes: garbage },
    { name: 'bad CRC', bytes: badCrc, msgType: 0x0010 },
    { name: 'oversize length', bytes: oversize },
    { name: 'unknown type', bytes: unknown, msgType: UNKNOWN_TYPE },
    { name: 'unknown optional type', bytes: unknownOptional, msgType: UNKNOWN_OPTIONAL_TYPE, silent: true },
  ];
}
