// SM2 key exchange (GB/T 32918.3): the standard's worked example, a cross-check against sm-crypto-v2,
// the full handshake into a working SecureSession, and every way the handshake can be refused.
import { sm2 as smCryptoSm2 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import {
  generateSm2KeyPair,
  KeyExchangeInitiator,
  KeyExchangeResponder,
  keyPairFromPrivateKey,
  protectedPayloadLength,
  SecureChannelError,
  SecureSession,
  SM2_EXAMPLE_CURVE,
  type KeyExchangeReply,
} from '../../src/protocol/secure/index.ts';
import { bytesToHex, hexToBytes } from '../../src/protocol/secure/bytes.ts';

const hex = bytesToHex;
const bytes = hexToBytes;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecureChannelError) return error.code;
    throw error;
  }
  return 'ACCEPTED';
}

describe('SM2 key exchange: GB/T 32918.3 worked example (annex A, example Fp-256 curve)', () => {
  // Values as published in GB/T 32918.3-2016 annex A / GM/T 0003.3-2012 A.2, also used by GmSSL's and BouncyCastle's tests.
  const alice = keyPairFromPrivateKey(bytes('6fcba2ef9ae0ab902bc3bde3ff915d44ba4cc78f88e2f8e7f8996d3b8cceedee'), SM2_EXAMPLE_CURVE);
  const bill = keyPairFromPrivateKey(bytes('5e35d7d3f3c54dbac72e61819e730b019a84208ca3a35e4c2e353dfccb2a3b53'), SM2_EXAMPLE_CURVE);
  const rA = bytes('83a2c9c8b96e5af70bd480b472409a9a327257f1ebb73f5b073354b248668563');
  const rB = bytes('33fe21940342161c55619c4a0c060293d543c80af19748ce176d83477de71c80');

  it('derives K = 55b0ac62a6b927ba23703832c853ded4 and the published S_B / S_A on both sides', () => {
    expect(hex(alice.publicKey)).toBe('04' + '3099093bf3c137d8fcbbcdf4a2ae50f3b0f216c3122d79425fe03a45dbfe1655' + '3df79e8dac1cf0ecbaa2f2b49d51a4b387f2efaf482339086a27a8e05baed98b');
    expect(hex(bill.publicKey)).toBe('04' + '245493d446c38d8cc0f118374690e7df633a8a4bfb3329b5ece604b2b4f37f43' + '53c0869f4b9e17773de68fec45e14904e0dea45bf6cecf9918c85ea047c60a4c');
    const initiator = new KeyExchangeInitiator({
      id: 'ALICE123@YAHOO.COM', keyPair: alice, responderPublicKey: bill.publicKey, keyLength: 16, curve: SM2_EXAMPLE_CURVE, ephemeralPrivateKeyForTesting: rA,
    });
    const responder = new KeyExchangeResponder({ id: 'BILL456@YAHOO.COM', keyPair: bill, keyLength: 16, curve: SM2_EXAMPLE_CURVE, ephemeralPrivateKeyForTesting: rB });
    const init = initiator.start();
    expect(hex(init.ephemeralPublicKey)).toBe('04' + '6cb5633816f4dd560b1dec458310cbcc6856c09505324a6d23150c408f162bf0' + '0d6fcf62f1036c0a1b6daccf57399223a65f7d7bf2d9637e5bbbeb857961bf1a');
    const reply = responder.handleInit(init);
    expect(hex(reply.ephemeralPublicKey)).toBe('04' + '1799b2a2c778295300d9a2325c686129b8f2b5337b3dcf4514e8bbc19d900ee5' + '54c9288c82733efdf7808ae7f27d0e732f7c73a7d9ac98b7d8740a91d0db3cf4');
    expect(hex(reply.confirmation)).toBe('284c8f198f141b502e81250f1581c7e9eeb4ca6990f9e02df388b45471f5bc5c');
    const { confirm, result: a } = initiator.handleReply(reply);
    expect(hex(confirm.confirmation)).toBe('23444daf8ed7534366cb901c84b3bdbb63504f4065c1116c91a4c00697e6cf7a');
    const b = responder.handleConfirm(confirm);
    expect(hex(a.sharedKey)).toBe('55b0ac62a6b927ba23703832c853ded4');
    expect(hex(b.sharedKey)).toBe('55b0ac62a6b927ba23703832c853ded4');
  });
});

describe('SM2 key exchange on the recommended curve', () => {
  const agv = generateSm2KeyPair();
  const platform = generateSm2KeyPair();

  function handshake() {
    const initiator = new KeyExchangeInitiator({ id: 'AGV-0042', keyPair: agv, responderPublicKey: platform.publicKey, expectedResponderId: 'unifleet-site-1' });
    const responder = new KeyExchangeResponder({ id: 'unifleet-site-1', keyPair: platform });
    return { initiator, responder };
  }

  it('agrees with sm-crypto-v2 on the same keys and ephemerals', () => {
    const { initiator, responder } = handshake();
    const init = initiator.start();
    const reply = responder.handleInit(init);
    const { confirm, result } = initiator.handleReply(reply);
    responder.handleConfirm(confirm);
    // sm-crypto-v2 needs the ephemeral private keys, which our API never exposes; rebuild the same run with fixed ones.
    const ra = generateSm2KeyPair();
    const rb = generateSm2KeyPair();
    const fixedInitiator = new KeyExchangeInitiator({ id: 'AGV-0042', keyPair: agv, responderPublicKey: platform.publicKey, ephemeralPrivateKeyForTesting: ra.privateKey });
    const fixedResponder = new KeyExchangeResponder({ id: 'unifleet-site-1', keyPair: platform, ephemeralPrivateKeyForTesting: rb.privateKey });
    const fixedReply = fixedResponder.handleInit(fixedInitiator.start());
    const ours = fixedInitiator.handleReply(fixedReply).result.sharedKey;
    const asHex = (p: { privateKey: Uint8Array; publicKey: Uint8Array }) => ({ privateKey: hex(p.privateKey), publicKey: hex(p.publicKey) });
    const theirsA = smCryptoSm2.calculateSharedKey(asHex(agv), asHex(ra), hex(platform.publicKey), hex(rb.publicKey), 32, false, 'AGV-0042', 'unifleet-site-1');
    const theirsB = smCryptoSm2.calculateSharedKey(asHex(platform), asHex(rb), hex(agv.publicKey), hex(ra.publicKey), 32, true, 'unifleet-site-1', 'AGV-0042');
    expect(hex(ours)).toBe(hex(theirsA));
    expect(hex(ours)).toBe(hex(theirsB));
    expect(result.sharedKey.length).toBe(32);
  });

  it('hands over to a SecureSession that carries frames both ways', () => {
    const { initiator, responder } = handshake();
    const reply = responder.handleInit(initiator.start());
    const { confirm, result: agvResult } = initiator.handleReply(reply);
    const platformResult = responder.handleConfirm(confirm);
    expect(new TextDecoder().decode(platformResult.peerId)).toBe('AGV-0042');
    expect(hex(platformResult.peerStaticPublicKey)).toBe(hex(agv.publicKey));
    const clock = new ManualClock(1_700_000_000_000);
    const agvSession = SecureSession.fromKeyExchange(agvResult, { localKeyPair: agv, clock });
    const platformSession = SecureSession.fromKeyExchange(platformResult, { localKeyPair: platform, clock });
    const header = (sequence: number, length: number) => ({ bytes: Uint8Array.of(0x55, 0x46, sequence, length), sequence, timestampMs: clock.now() });
    const up = new Uint8Array([1, 2, 3, 4]);
    const h1 = header(1, protectedPayloadLength(up.length));
    const f1 = agvSession.protect(h1, up);
    expect(platformSession.unprotect(h1, f1.payloadSection, f1.signature)).toEqual(up);
    const h2 = header(1, protectedPayloadLength(2));
    const f2 = platformSession.protect(h2, Uint8Array.of(9, 9));
    expect(agvSession.unprotect(h2, f2.payloadSection, f2.signature)).toEqual(Uint8Array.of(9, 9));
  });

  it('fails key confirmation when the AGV pinned a different platform key (man in the middle)', () => {
    const mallory = generateSm2KeyPair();
    const initiator = new KeyExchangeInitiator({ id: 'AGV-0042', keyPair: agv, responderPublicKey: platform.publicKey });
    const impostor = new KeyExchangeResponder({ id: 'unifleet-site-1', keyPair: mallory });
    // Even when the impostor claims the genuine platform key, it cannot produce S_B without the private key.
    const reply = { ...impostor.handleInit(initiator.start()), staticPublicKey: platform.publicKey };
    expect(codeOf(() => initiator.handleReply(reply))).toBe('KEY_CONFIRMATION_FAILED');
    expect(initiator.currentState).toBe('failed');
  });

  it('fails key confirmation when the initiator does not hold the private key of the static key it claims', () => {
    const { responder } = handshake();
    const thief = new KeyExchangeInitiator({ id: 'AGV-0042', keyPair: generateSm2KeyPair(), responderPublicKey: platform.publicKey });
    const init = { ...thief.start(), staticPublicKey: agv.publicKey }; // claims the enrolled key
    const reply = responder.handleInit(init);
    expect(codeOf(() => thief.handleReply(reply))).toBe('KEY_CONFIRMATION_FAILED');
    expect(codeOf(() => responder.handleConfirm({ confirmation: new Uint8Array(32) }))).toBe('KEY_CONFIRMATION_FAILED');
    expect(responder.currentState).toBe('failed');
  });

  it('rejects tampered replies, off-curve points, unexpected peers and out-of-order calls with distinct codes', () => {
    const tamper = (mutate: (r: KeyExchangeReply) => KeyExchangeReply) => {
      const { initiator, responder } = handshake();
      const reply = responder.handleInit(initiator.start());
      return codeOf(() => initiator.handleReply(mutate(reply)));
    };
    const flipped = (data: Uint8Array, i: number) => data.map((b, j) => (j === i ? b ^ 1 : b));
    expect(tamper((r) => ({ ...r, confirmation: flipped(r.confirmation, 0) }))).toBe('KEY_CONFIRMATION_FAILED');
    expect(tamper((r) => ({ ...r, confirmation: r.confirmation.subarray(0, 31) }))).toBe('KEY_CONFIRMATION_FAILED');
    expect(tamper((r) => ({ ...r, ephemeralPublicKey: flipped(r.ephemeralPublicKey, 64) }))).toBe('INVALID_KEY');
    expect(tamper((r) => ({ ...r, ephemeralPublicKey: generateSm2KeyPair().publicKey }))).toBe('KEY_CONFIRMATION_FAILED');
    expect(tamper((r) => ({ ...r, userId: new TextEncoder().encode('other-site') }))).toBe('UNEXPECTED_PEER');
    expect(tamper((r) => ({ ...r, staticPublicKey: generateSm2KeyPair().publicKey }))).toBe('UNEXPECTED_PEER');

    const { initiator, responder } = handshake();
    expect(codeOf(() => responder.handleConfirm({ confirmation: new Uint8Array(32) }))).toBe('HANDSHAKE_STATE');
    const init = initiator.start();
    expect(codeOf(() => initiator.start())).toBe('HANDSHAKE_STATE');
    expect(codeOf(() => new KeyExchangeResponder({ id: 'p', keyPair: platform }).handleInit({ ...init, ephemeralPublicKey: new Uint8Array(65) }))).toBe('INVALID_KEY');
    expect(codeOf(() => new KeyExchangeResponder({ id: 'p', keyPair: platform }).handleInit({ ...init, staticPublicKey: init.staticPublicKey.subarray(1) }))).toBe('INVALID_KEY');
    const reply = responder.handleInit(init);
    expect(codeOf(() => responder.handleInit(init))).toBe('HANDSHAKE_STATE');
    const { confirm } = initiator.handleReply(reply);
    expect(codeOf(() => initiator.handleReply(reply))).toBe('HANDSHAKE_STATE');
    responder.handleConfirm(confirm);
    expect(codeOf(() => responder.handleConfirm(confirm))).toBe('HANDSHAKE_STATE');
  });

  it('validates its configuration', () => {
    expect(codeOf(() => new KeyExchangeInitiator({ id: 'a', keyPair: agv, responderPublicKey: new Uint8Array(65) }))).toBe('INVALID_KEY');
    expect(codeOf(() => new KeyExchangeResponder({ id: 'a', keyPair: { privateKey: agv.privateKey, publicKey: platform.publicKey } }))).toBe('INVALID_KEY');
    expect(codeOf(() => new KeyExchangeResponder({ id: 'a', keyPair: platform, keyLength: 8 }))).toBe('INVALID_ARGUMENT');
  });
});
