// Channel establishment and liveness: access, SM2 key exchange, heartbeat, generic ack/nack, vendor extension.
import { AccessMode, AccessResult, HeartbeatRole, Origin } from '../enums.ts';
import { ErrorCode } from '../error-enum.ts';
import { appended, bytes, enumOf, string, u16, u32, u48, u8 } from '../schema/types.ts';
import { defineMessage, OPTIONAL_TYPE_BIT } from './define.ts';

const version = (doc: string) => u8({ min: 0x10, doc: `${doc} (major << 4 | minor; v1.0 = 0x10)` });
const publicKey = (doc: string) => bytes({ fixed: 65, doc: `${doc}: SM2 point, uncompressed (0x04 || X || Y)` });

export const accessRequest = defineMessage('accessRequest', 0x0001, 'agv→platform',
  'First frame on a new connection: who the AGV is, which channel mode and protocol versions it supports.', {
    agvId: string({ maxBytes: 64, doc: 'AGV id (site-unique, UTF-8)' }),
    mode: enumOf(AccessMode, { doc: 'requested channel mode' }),
    versionMin: version('lowest protocol version supported'),
    versionMax: version('highest protocol version supported'),
    vendor: string({ maxBytes: 64, doc: 'vendor name (informational; identity is checked at registration)' }),
    proofTime: appended(1, u48({ unit: 'ms', doc: 'normal mode, secret-enrolled AGV: its clock when it computed proof (ms since Unix epoch); absent: no proof' })),
    proof: appended(1, bytes({ fixed: 32, doc: 'HMAC-SHA256(SHA-256(enrolment secret), agvId ‖ proofTime as u48 big-endian) (§6, "Enrolment secret")' })),
  });

export const accessResponse = defineMessage('accessResponse', 0x0002, 'platform→agv',
  'Answer to accessRequest. On accepted + secure mode, the AGV starts the key exchange next.', {
    result: enumOf(AccessResult, { doc: 'accepted or why not' }),
    version: u8({ doc: 'negotiated protocol version (highest both support); 0 when refused' }),
    sessionId: u32({ doc: 'session id chosen by the platform; 0 when refused — except `busy`: the retry hint, in ms (§6, "Admission rules"; 0 = none)' }),
    serverTime: u48({ unit: 'ms', doc: 'platform clock (ms since Unix epoch) for the AGV to estimate skew' }),
    detail: string({ maxBytes: 255, doc: 'human-readable reason (may be empty)' }),
  });

export const keyExchangeInit = defineMessage('keyExchangeInit', 0x0003, 'agv→platform',
  'SM2 key exchange (GB/T 32918.3) step 1: the AGV (initiator A) sends its ephemeral point R_A.', {
    ephemeralPublicKey: publicKey('R_A'),
    staticPublicKey: publicKey('P_A, the AGV\'s long-term key'),
    userId: bytes({ maxBytes: 255, doc: 'ID_A used in Z_A (default "1234567812345678")' }),
  });

export const keyExchangeReply = defineMessage('keyExchangeReply', 0x0004, 'platform→agv',
  'SM2 key exchange step 2: the platform (responder B) sends R_B and its confirmation hash S_B (mandatory).', {
    ephemeralPublicKey: publicKey('R_B'),
    staticPublicKey: publicKey('P_B, the platform\'s long-term key (the AGV checks it against its pinned copy)'),
    userId: bytes({ maxBytes: 255, doc: 'ID_B used in Z_B' }),
    confirmation: bytes({ fixed: 32, doc: 'S_B (SM3 confirmation hash)' }),
  });

export const keyExchangeConfirm = defineMessage('keyExchangeConfirm', 0x0005, 'agv→platform',
  'SM2 key exchange step 3: the AGV proves it derived the same key. Encrypted frames follow.', {
    confirmation: bytes({ fixed: 32, doc: 'S_A (SM3 confirmation hash)' }),
  });

export const heartbeat = defineMessage('heartbeat', 0x0010, 'both',
  'Liveness, in both directions. A ping is answered with a pong echoing its sequence number.', {
    role: enumOf(HeartbeatRole, { doc: 'ping or pong' }),
    origin: enumOf(Origin, { doc: 'side that sent this frame' }),
    echoSeq: u32({ doc: 'pong: seq of the ping answered; ping: 0' }),
  });

export const ack = defineMessage('ack', 0x0011, 'both',
  'Positive acknowledgement of a frame (sent when the ACK_REQUESTED flag was set, or where a flow requires it).', {
    ackedSeq: u32({ doc: 'seq of the acknowledged frame' }),
    ackedType: u16({ doc: 'msgType of the acknowledged frame' }),
  });

export const nack = defineMessage('nack', 0x0012, 'both',
  'Negative acknowledgement: the frame was rejected, with a protocol error code.', {
    ackedSeq: u32({ doc: 'seq of the rejected frame (0 if unknown)' }),
    ackedType: u16({ doc: 'msgType of the rejected frame (0 if unknown)' }),
    errorCode: enumOf(ErrorCode, { wire: 'u16', doc: 'why (see Error codes)' }),
    detail: string({ maxBytes: 255, doc: 'human-readable detail (may be empty)' }),
  });

export const vendorData = defineMessage('vendorData', OPTIONAL_TYPE_BIT | 0x0001, 'both',
  'Vendor-specific extension data. Optional type: peers that do not understand it skip it.', {
    vendor: string({ maxBytes: 64, doc: 'vendor name (namespace of key)' }),
    key: u16({ doc: 'vendor-defined record type' }),
    data: bytes({ maxBytes: 60000, prefix: 'u16', doc: 'vendor-defined content' }),
  });
