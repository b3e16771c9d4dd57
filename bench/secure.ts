// Secure-mode figures: session throughput (verify+decrypt is the goal: >= 10,000 frames/s per core) and the
// SM2 backends we could use, side by side. Prints one JSON object per line. Run: npm run bench:secure
import { createPrivateKey, createPublicKey, sign as opensslSign, verify as opensslVerify, createCipheriv } from 'node:crypto';
import { sm2 as smCrypto } from 'sm-crypto-v2';
import {
  generateSm2KeyPair,
  KeyExchangeInitiator,
  KeyExchangeResponder,
  nativeSm2Available,
  precomputedSm2Available,
  privateKeyToPem,
  publicKeyToPem,
  sm3,
  sm4Ctr,
  Sm2Signer,
  Sm2Verifier,
} from '../src/protocol/secure/index.ts';
import { cpuSeconds, measureSecureThroughput } from '../src/protocol/secure/benchmark.ts';
import { bytesToHex, hexToBytes } from '../src/protocol/secure/bytes.ts';

const durationMs = Number(process.env.BENCH_MS ?? 1000);

/** Operations per second of wall time and per second of this process's CPU time (the per-core figure). */
function rate(run: () => unknown): { per_s: number; per_cpu_s: number } {
  for (let i = 0; i < 5; i++) run(); // warm-up
  let count = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    run();
    count++;
  }
  return { per_s: Math.round((count * 1000) / (performance.now() - start)), per_cpu_s: Math.round(count / cpuSeconds(cpu)) };
}

function emit(result: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ bench: 'secure', ...result }) + '\n');
}

for (const payloadBytes of [64, 1024]) {
  for (const sm2Backend of ['precomputed', 'native'] as const) {
    if (available(sm2Backend)) emit({ case: 'session', sm2_backend: sm2Backend, ...measureSecureThroughput({ payloadBytes, durationMs, sm2Backend }) });
  }
  for (const window of [4, 6, 8]) {
    emit({ case: 'session', sm2_backend: 'js', precompute_window: window, ...measureSecureThroughput({ payloadBytes, durationMs, precomputeWindow: window, sm2Backend: 'js' }) });
  }
}

function available(backend: 'precomputed' | 'native'): boolean {
  return backend === 'precomputed' ? precomputedSm2Available() : nativeSm2Available();
}

const pair = generateSm2KeyPair();
const message = new Uint8Array(120);
const signer = new Sm2Signer(pair);
const signature = signer.sign(message);
for (const backend of ['precomputed', 'native'] as const) {
  if (!available(backend)) continue;
  const verifier = new Sm2Verifier(pair.publicKey, { backend });
  const impl = backend === 'precomputed' ? 'unifleet: OpenSSL EC with a per-key table (native/sm2-verify)' : 'unifleet: OpenSSL SM2 via node:crypto, our Z';
  emit({ case: 'sm2-verify', impl, sm2_backend: backend, ...rate(() => verifier.verify(signature, message)) });
}
for (const window of [0, 4, 6, 8]) {
  const verifier = new Sm2Verifier(pair.publicKey, { precomputeWindow: window, backend: 'js' });
  emit({ case: 'sm2-verify', impl: 'unifleet (@noble/curves)', sm2_backend: 'js', precompute_window: window, ...rate(() => verifier.verify(signature, message)) });
}
const smCryptoKey = smCrypto.precomputePublicKey(bytesToHex(pair.publicKey), 8);
const smCryptoSignature = smCrypto.doSignature(message, bytesToHex(pair.privateKey), { hash: true, publicKey: bytesToHex(pair.publicKey) });
emit({ case: 'sm2-verify', impl: 'sm-crypto-v2', precompute_window: 8, ...rate(() => smCrypto.doVerifySignature(message, smCryptoSignature, smCryptoKey, { hash: true })) });
const opensslPublic = createPublicKey(publicKeyToPem(pair.publicKey));
const opensslPrivate = createPrivateKey(privateKeyToPem(pair));
const opensslSignature = opensslSign(null, message, opensslPrivate);
// OpenSSL through node:crypto can only use an empty user ID, so it cannot verify standard (default-ID) signatures.
emit({ case: 'sm2-verify', impl: 'openssl via node:crypto (empty user ID only)', ...rate(() => opensslVerify(null, message, opensslPublic, opensslSignature)) });

const jsSigner = new Sm2Signer(pair, { backend: 'js' });
emit({ case: 'sm2-sign', impl: 'unifleet: OpenSSL SM2 via node:crypto, our Z', sm2_backend: 'native', ...rate(() => signer.sign(message)) });
emit({ case: 'sm2-sign', impl: 'unifleet (@noble/curves)', sm2_backend: 'js', ...rate(() => jsSigner.sign(message)) });
emit({ case: 'sm2-sign', impl: 'sm-crypto-v2', ...rate(() => smCrypto.doSignature(message, bytesToHex(pair.privateKey), { hash: true, publicKey: bytesToHex(pair.publicKey) })) });
emit({ case: 'sm2-sign', impl: 'openssl via node:crypto (empty user ID only)', ...rate(() => opensslSign(null, message, opensslPrivate)) });

const key = new Uint8Array(16);
const iv = new Uint8Array(16);
for (const bytes of [64, 1024]) {
  const data = new Uint8Array(bytes);
  emit({ case: 'sm4-ctr', bytes, ...rate(() => sm4Ctr(key, iv, data)) });
  emit({ case: 'sm3', bytes, ...rate(() => sm3(data)) });
}

const platform = generateSm2KeyPair();
emit({
  case: 'key-exchange',
  note: 'full handshake, both sides, one process',
  ...rate(() => {
    const initiator = new KeyExchangeInitiator({ id: 'AGV-1', keyPair: pair, responderPublicKey: platform.publicKey });
    const responder = new KeyExchangeResponder({ id: 'site-1', keyPair: platform });
    const reply = responder.handleInit(initiator.start());
    responder.handleConfirm(initiator.handleReply(reply).confirm);
  }),
});

// GB/T 32907 annex A.2: one million encryptions of the example block (too slow for the test suite on a loaded machine).
const vectorKey = hexToBytes('0123456789abcdeffedcba9876543210');
const start = performance.now();
const cipher = createCipheriv('sm4-ecb', vectorKey, null).setAutoPadding(false);
let block = Buffer.from(vectorKey);
for (let i = 0; i < 1_000_000; i++) block = cipher.update(block);
emit({ case: 'sm4-million-vector', ok: block.toString('hex') === '595298c7c6fd271f0402f804c33d3f66', ms: Math.round(performance.now() - start) });
