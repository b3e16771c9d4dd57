// Writes docs/vectors/secure-kat.json: a fully deterministic known-answer test of secure mode on the recommended
// SM2 curve — the handshake with fixed ephemeral keys, the derived keys, and one complete secure frame with a
// fixed IV and a fixed signature nonce k — so a vendor can check their implementation byte for byte.
// Run: npx tsx scripts/gen-secure-kat.ts   (the output is deterministic; test/protocol/secure-kat.test.ts checks it)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFrame, FrameFlags, type FrameProtector } from '../src/protocol/index.ts';
import {
  KeyExchangeInitiator,
  KeyExchangeResponder,
  directionalKeys,
  keyPairFromPrivateKey,
  sessionKeyId,
  sm3,
  sm4Ctr,
  Sm2Signer,
  SM2_DEFAULT_USER_ID,
} from '../src/protocol/secure/index.ts';
import { bytesToHex, concatBytes, utf8 } from '../src/protocol/secure/bytes.ts';

const scalar = (label: string) => sm3(utf8(`UniFleet secure KAT: ${label}`));
const agv = keyPairFromPrivateKey(scalar('AGV static key'));
const platform = keyPairFromPrivateKey(scalar('platform static key'));
const rA = scalar('AGV ephemeral key');
const rB = scalar('platform ephemeral key');
const agvId = 'AGV-0042';
const platformId = 'unifleet-site-1';

const initiator = new KeyExchangeInitiator({ id: agvId, keyPair: agv, responderPublicKey: platform.publicKey, ephemeralPrivateKeyForTesting: rA });
const responder = new KeyExchangeResponder({ id: platformId, keyPair: platform, ephemeralPrivateKeyForTesting: rB });
const init = initiator.start();
const reply = responder.handleInit(init);
const { confirm, result } = initiator.handleReply(reply);
responder.handleConfirm(confirm);
const { sendKey } = directionalKeys(result);

const timestamp = Date.UTC(2026, 10, 24, 21, 0, 0);
const ivRandom = scalar('frame IV').slice(0, 12);
const k = BigInt('0x' + bytesToHex(scalar('signature nonce k')));
const signer = new Sm2Signer(agv);
let recorded: Record<string, string> = {};
// A protector with the IV and k fixed: the same computation as SecureSession.protect, made repeatable.
const protector: FrameProtector = {
  flagsFor: () => FrameFlags.ENCRYPTED | FrameFlags.SIGNED,
  protect(headerBytes, _header, plain) {
    const iv = concatBytes(sessionKeyId(sendKey), ivRandom);
    const payloadSection = concatBytes(iv, sm4Ctr(sendKey, iv, plain));
    const e = sm3(signer.z, headerBytes, payloadSection);
    const signature = signer.signDigest(e, k);
    recorded = {
      headerHex: bytesToHex(headerBytes),
      plainPayloadHex: bytesToHex(plain),
      ivHex: bytesToHex(iv),
      payloadSectionHex: bytesToHex(payloadSection),
      zHex: bytesToHex(signer.z),
      eHex: bytesToHex(e),
      kHex: k.toString(16).padStart(64, '0'),
      signatureHex: bytesToHex(signature),
    };
    return { payloadSection, signature };
  },
  open: () => {
    throw new Error('not used');
  },
};
const message = { kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 } as const;
const frame = encodeFrame(message, { seq: 1, timestamp, protector });

const hex = bytesToHex;
const kat = {
  description:
    'Deterministic known-answer test of secure mode on the recommended SM2 curve (sm2p256v1). Handshake with fixed ephemeral ' +
    'keys (klen = 256 bits), then one AGV->platform frame with a fixed IV and signature nonce k. Production code must use fresh ' +
    'random values for all of them. Frame signatures use the default user ID. See docs/secure-mode.md.',
  curve: 'sm2p256v1',
  agv: { userId: agvId, privateKey: hex(agv.privateKey), publicKey: hex(agv.publicKey), ephemeralPrivateKey: hex(rA) },
  platform: { userId: platformId, privateKey: hex(platform.privateKey), publicKey: hex(platform.publicKey), ephemeralPrivateKey: hex(rB) },
  keyExchangeInit: { userId: agvId, staticPublicKey: hex(init.staticPublicKey), ephemeralPublicKey: hex(init.ephemeralPublicKey) },
  keyExchangeReply: { userId: platformId, staticPublicKey: hex(reply.staticPublicKey), ephemeralPublicKey: hex(reply.ephemeralPublicKey), confirmation: hex(reply.confirmation) },
  keyExchangeConfirm: { confirmation: hex(confirm.confirmation) },
  sharedKey: hex(result.sharedKey),
  agvToPlatformKey: hex(result.sharedKey.subarray(0, 16)),
  platformToAgvKey: hex(result.sharedKey.subarray(16, 32)),
  agvToPlatformKeyId: hex(sessionKeyId(result.sharedKey.subarray(0, 16))),
  platformToAgvKeyId: hex(sessionKeyId(result.sharedKey.subarray(16, 32))),
  frame: { signatureUserId: SM2_DEFAULT_USER_ID, seq: 1, timestamp, message, ...recorded, frameHex: hex(frame) },
};
writeFileSync(join(import.meta.dirname, '../docs/vectors/secure-kat.json'), JSON.stringify(kat, null, 2) + '\n');
console.log('wrote docs/vectors/secure-kat.json');
