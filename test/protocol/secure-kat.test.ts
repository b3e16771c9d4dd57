// docs/vectors/secure-kat.json: the deterministic known-answer test of secure mode (recommended curve) is reproduced
// by our code, confirmed by an independent implementation (sm-crypto-v2), and its frame decodes through the codec.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sm2 as smCryptoSm2 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import { createSecureProtector, decodeFrame } from '../../src/protocol/index.ts';
import {
  KeyExchangeInitiator,
  KeyExchangeResponder,
  keyPairFromPrivateKey,
  SecureSession,
  sessionKeyId,
  sm3,
  sm4Ctr,
  Sm2Signer,
} from '../../src/protocol/secure/index.ts';
import { bytesToHex, concatBytes, hexToBytes } from '../../src/protocol/secure/bytes.ts';

const kat = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/vectors/secure-kat.json'), 'utf8'));
const hex = bytesToHex;
const bytes = hexToBytes;
const agv = keyPairFromPrivateKey(bytes(kat.agv.privateKey));
const platform = keyPairFromPrivateKey(bytes(kat.platform.privateKey));

function handshake() {
  const initiator = new KeyExchangeInitiator({
    id: kat.agv.userId, keyPair: agv, responderPublicKey: platform.publicKey, ephemeralPrivateKeyForTesting: bytes(kat.agv.ephemeralPrivateKey),
  });
  const responder = new KeyExchangeResponder({ id: kat.platform.userId, keyPair: platform, ephemeralPrivateKeyForTesting: bytes(kat.platform.ephemeralPrivateKey) });
  const init = initiator.start();
  const reply = responder.handleInit(init);
  const { confirm, result } = initiator.handleReply(reply);
  return { init, reply, confirm, agvResult: result, platformResult: responder.handleConfirm(confirm) };
}

describe('docs/vectors/secure-kat.json', () => {
  it('the handshake reproduces every published field and key', () => {
    const { init, reply, confirm, agvResult, platformResult } = handshake();
    expect(hex(agv.publicKey)).toBe(kat.agv.publicKey);
    expect(hex(platform.publicKey)).toBe(kat.platform.publicKey);
    expect(hex(init.ephemeralPublicKey)).toBe(kat.keyExchangeInit.ephemeralPublicKey);
    expect(hex(reply.ephemeralPublicKey)).toBe(kat.keyExchangeReply.ephemeralPublicKey);
    expect(hex(reply.confirmation)).toBe(kat.keyExchangeReply.confirmation);
    expect(hex(confirm.confirmation)).toBe(kat.keyExchangeConfirm.confirmation);
    expect(hex(agvResult.sharedKey)).toBe(kat.sharedKey);
    expect(hex(platformResult.sharedKey)).toBe(kat.sharedKey);
    expect(kat.agvToPlatformKey + kat.platformToAgvKey).toBe(kat.sharedKey);
    expect(hex(sessionKeyId(bytes(kat.agvToPlatformKey)))).toBe(kat.agvToPlatformKeyId);
    expect(hex(sessionKeyId(bytes(kat.platformToAgvKey)))).toBe(kat.platformToAgvKeyId);
  });

  it('sm-crypto-v2 derives the same shared key from the published inputs', () => {
    const pair = (d: string, p: string) => ({ privateKey: d, publicKey: p });
    const theirs = smCryptoSm2.calculateSharedKey(
      pair(kat.agv.privateKey, kat.agv.publicKey),
      pair(kat.agv.ephemeralPrivateKey, kat.keyExchangeInit.ephemeralPublicKey),
      kat.platform.publicKey,
      kat.keyExchangeReply.ephemeralPublicKey,
      32,
      false,
      kat.agv.userId,
      kat.platform.userId,
    );
    expect(hex(theirs)).toBe(kat.sharedKey);
  });

  it('the frame protection reproduces IV, ciphertext, e and signature; sm-crypto-v2 verifies the signature', () => {
    const f = kat.frame;
    const key = bytes(kat.agvToPlatformKey);
    expect(f.ivHex.slice(0, 8)).toBe(kat.agvToPlatformKeyId);
    const section = concatBytes(bytes(f.ivHex), sm4Ctr(key, bytes(f.ivHex), bytes(f.plainPayloadHex)));
    expect(hex(section)).toBe(f.payloadSectionHex);
    const signer = new Sm2Signer(agv);
    expect(hex(signer.z)).toBe(f.zHex);
    const e = sm3(signer.z, bytes(f.headerHex), section);
    expect(hex(e)).toBe(f.eHex);
    expect(hex(signer.signDigest(e, BigInt('0x' + f.kHex)))).toBe(f.signatureHex);
    expect(smCryptoSm2.doVerifySignature(concatBytes(bytes(f.headerHex), section), f.signatureHex, kat.agv.publicKey, { hash: true })).toBe(true);
    expect(f.frameHex.startsWith(f.headerHex + f.payloadSectionHex + f.signatureHex)).toBe(true);
  });

  it('the complete frame decodes through the codec on the platform side, once', () => {
    const { platformResult } = handshake();
    const session = SecureSession.fromKeyExchange(platformResult, { localKeyPair: platform, clock: new ManualClock(kat.frame.timestamp + 5_000) });
    const protector = createSecureProtector(session);
    const first = decodeFrame(bytes(kat.frame.frameHex), { protector });
    expect(first.ok && first.frame.message).toEqual(kat.frame.message);
    const again = decodeFrame(bytes(kat.frame.frameHex), { protector });
    expect(!again.ok && again.error.code).toBe('REPLAYED');
  });
});
