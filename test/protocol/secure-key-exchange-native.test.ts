// The SM2 key exchange's curve work in OpenSSL (native/sm2-verify, sm2_exchange.c) against the @noble/curves
// reference (key-exchange-math.ts): the published vectors, random keys and ephemerals, handshakes across the two
// backends, and the same refusals for bad input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generateSm2KeyPair,
  KeyExchangeInitiator,
  KeyExchangeResponder,
  keyPairFromPrivateKey,
  SecureChannelError,
  SM2_EXAMPLE_CURVE,
  type KeyExchangeInit,
} from '../../src/protocol/secure/index.ts';
import { bytesToHex, hexToBytes } from '../../src/protocol/secure/bytes.ts';
import { exchangeMath, nativeExchangeAvailable } from '../../src/protocol/secure/key-exchange-math.ts';
import { sm2Curve } from '../../src/protocol/secure/sm2-curve.ts';

const kat = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/vectors/secure-kat.json'), 'utf8'));
const hex = bytesToHex;
const bytes = hexToBytes;
const BACKENDS = ['native', 'js'] as const;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecureChannelError) return error.message; // "CODE: detail"
    throw error;
  }
  return 'ACCEPTED';
}

/** A whole handshake with fixed ephemerals, initiator and responder each on its own backend; every published value. */
function fixedHandshake(initiatorBackend: 'native' | 'js', responderBackend: 'native' | 'js', agvPrivate: string, platformPrivate: string, ra: string, rb: string) {
  const agv = keyPairFromPrivateKey(bytes(agvPrivate));
  const platform = keyPairFromPrivateKey(bytes(platformPrivate));
  const initiator = new KeyExchangeInitiator({ id: 'AGV-0042', keyPair: agv, responderPublicKey: platform.publicKey, ephemeralPrivateKeyForTesting: bytes(ra), backend: initiatorBackend });
  const responder = new KeyExchangeResponder({ id: 'unifleet-site-1', keyPair: platform, ephemeralPrivateKeyForTesting: bytes(rb), backend: responderBackend });
  expect([initiator.backend, responder.backend]).toEqual([initiatorBackend, responderBackend]);
  const init = initiator.start();
  const reply = responder.handleInit(init);
  const { confirm, result } = initiator.handleReply(reply);
  const platformResult = responder.handleConfirm(confirm);
  expect(hex(platformResult.sharedKey)).toBe(hex(result.sharedKey));
  return [init.ephemeralPublicKey, reply.ephemeralPublicKey, reply.confirmation, confirm.confirmation, result.sharedKey].map(hex);
}

describe('native SM2 key exchange', () => {
  it('is built and passes its self-test against the reference (npm ci builds the addon)', () => {
    // Part of the build, like the verification tables: a silent fallback would hide a broken build.
    expect(nativeExchangeAvailable()).toBe(true);
    expect(new KeyExchangeResponder({ id: 'p', keyPair: generateSm2KeyPair() }).backend).toBe('native');
  });

  it('reproduces docs/vectors/secure-kat.json on both backends and across them', () => {
    const published = [kat.keyExchangeInit.ephemeralPublicKey, kat.keyExchangeReply.ephemeralPublicKey, kat.keyExchangeReply.confirmation, kat.keyExchangeConfirm.confirmation, kat.sharedKey];
    for (const a of BACKENDS) {
      for (const b of BACKENDS) {
        expect(fixedHandshake(a, b, kat.agv.privateKey, kat.platform.privateKey, kat.agv.ephemeralPrivateKey, kat.platform.ephemeralPrivateKey)).toEqual(published);
      }
    }
  });

  it('gives the reference\'s bytes for random keys and ephemerals', () => {
    for (let i = 0; i < 20; i++) {
      const [agv, platform, ra, rb] = Array.from({ length: 4 }, () => hex(generateSm2KeyPair().privateKey));
      const reference = fixedHandshake('js', 'js', agv!, platform!, ra!, rb!);
      expect(fixedHandshake('native', 'native', agv!, platform!, ra!, rb!)).toEqual(reference);
      expect(fixedHandshake('native', 'js', agv!, platform!, ra!, rb!)).toEqual(reference);
    }
  });

  it('agrees across backends with fresh random ephemerals (native initiator, reference responder and back)', () => {
    const agv = generateSm2KeyPair();
    const platform = generateSm2KeyPair();
    for (const [a, b] of [['native', 'js'], ['js', 'native']] as const) {
      const initiator = new KeyExchangeInitiator({ id: 'AGV-1', keyPair: agv, responderPublicKey: platform.publicKey, backend: a });
      const responder = new KeyExchangeResponder({ id: 'site', keyPair: platform, backend: b });
      const reply = responder.handleInit(initiator.start());
      const { confirm, result } = initiator.handleReply(reply);
      expect(hex(responder.handleConfirm(confirm).sharedKey)).toBe(hex(result.sharedKey));
    }
  });

  it('draws a fresh ephemeral every time, on the curve', () => {
    const math = exchangeMath(sm2Curve(), 'native');
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { publicKey } = math.ephemeral();
      sm2Curve().Point.fromBytes(publicKey).assertValidity();
      seen.add(hex(publicKey));
    }
    expect(seen.size).toBe(50);
  });

  it('refuses bad points and keys with the reference\'s codes and messages', () => {
    const agv = generateSm2KeyPair();
    const platform = generateSm2KeyPair();
    const offCurve = agv.publicKey.slice();
    offCurve[64]! ^= 1;
    const cases: ((init: KeyExchangeInit) => KeyExchangeInit)[] = [
      (init) => ({ ...init, ephemeralPublicKey: offCurve }),
      (init) => ({ ...init, staticPublicKey: offCurve }),
      (init) => ({ ...init, ephemeralPublicKey: new Uint8Array(65) }),
      (init) => ({ ...init, staticPublicKey: init.staticPublicKey.subarray(1) }),
      (init) => ({ ...init, ephemeralPublicKey: Uint8Array.of(0x02, ...init.ephemeralPublicKey.subarray(1, 33)) }),
    ];
    for (const mutate of cases) {
      const outcomes = BACKENDS.map((backend) => {
        const init = new KeyExchangeInitiator({ id: 'AGV-1', keyPair: agv, responderPublicKey: platform.publicKey, backend }).start();
        const responder = new KeyExchangeResponder({ id: 'site', keyPair: platform, backend });
        const outcome = codeOf(() => responder.handleInit(mutate(init)));
        // A failed init leaves the responder failed: no second computation on the same connection.
        expect(codeOf(() => responder.handleInit(init))).toMatch(/^HANDSHAKE_STATE/);
        return outcome;
      });
      expect(outcomes[0]).toMatch(/^INVALID_KEY: /);
      expect(outcomes[0]).toBe(outcomes[1]);
    }
    const mismatched = { privateKey: agv.privateKey, publicKey: platform.publicKey };
    const refusals = BACKENDS.map((backend) => codeOf(() => new KeyExchangeResponder({ id: 'site', keyPair: mismatched, backend })));
    expect(refusals[0]).toBe('INVALID_KEY: public key does not belong to the private key');
    expect(refusals[1]).toBe(refusals[0]);
  });

  it('uses an ephemeral key for one agreement only', () => {
    const math = exchangeMath(sm2Curve(), 'native');
    const own = math.staticKey(generateSm2KeyPair());
    const peer = generateSm2KeyPair();
    const ephemeral = math.ephemeral();
    const names = { staticKey: 'peer static key', ephemeralKey: 'peer ephemeral key' };
    math.sharedPoint(own, ephemeral, peer.publicKey, generateSm2KeyPair().publicKey, names);
    expect(codeOf(() => math.sharedPoint(own, ephemeral, peer.publicKey, generateSm2KeyPair().publicKey, names))).toMatch(/^HANDSHAKE_STATE/);
    // Also after a refused input: the secret is gone either way.
    const refused = math.ephemeral();
    expect(codeOf(() => math.sharedPoint(own, refused, new Uint8Array(65), peer.publicKey, names))).toMatch(/^INVALID_KEY/);
    expect(codeOf(() => math.sharedPoint(own, refused, peer.publicKey, peer.publicKey, names))).toMatch(/^HANDSHAKE_STATE/);
  });

  it('leaves other curves to the reference: auto falls back, native refuses', () => {
    const curve = sm2Curve(SM2_EXAMPLE_CURVE);
    expect(exchangeMath(curve).backend).toBe('js');
    expect(codeOf(() => exchangeMath(curve, 'native'))).toMatch(/^INVALID_ARGUMENT/);
  });
});
