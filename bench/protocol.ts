// Protocol codec throughput and size, compared with VDA 5050 2.x JSON carrying the same content.
// Prints one JSON object per line: {"bench":"protocol","case":…,"mode":…,"bytes":…,"encode_per_s":…,"decode_per_s":…}
// When the `openssl` CLI is present, the same run first measures OpenSSL's SM2 sign/verify rate on one core
// ("mode":"openssl-sm2"), and every secure line gives `ratio_to_openssl`: secure frames verified and decrypted per
// CPU-second divided by OpenSSL's SM2 verifications per second — the yardstick for secure mode's per-core cost.
// "mode":"handshake-native" / "handshake-js" lines give SM2 key exchanges per CPU-second with the curve work in
// OpenSSL (the addon) or in JavaScript (@noble/curves): the platform's side (reply, confirmation check, session with
// the AGV's key table), the AGV's side, and both together.
//   npm run bench:protocol            (BENCH_MS=2000 for longer runs per measurement)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { ManualClock } from '../src/core/index.ts';
import { createSecureProtector, decodeFrame, encodeFrame, FrameDecoder, type FrameProtector, type Message } from '../src/protocol/index.ts';
import { EXAMPLE_STATUS, exampleMotionCommand } from '../src/protocol/examples.ts';
import { generateSm2KeyPair, KeyExchangeInitiator, KeyExchangeResponder, SecureSession, Sm2Signer, type SecureSessionOptions, type Sm2Backend } from '../src/protocol/secure/index.ts';
import type { ExchangeBackend } from '../src/protocol/secure/key-exchange-math.ts';
import type { PoolWorkerInput } from './lib/secure-pool-worker.ts';
import { tsWorker } from './lib/ts-worker.ts';
import { vdaOrder, vdaState } from './lib/vda5050.ts';

const MEASURE_MS = Number(process.env.BENCH_MS ?? 1000);
const T0 = 1_764_018_000_000;
let sink = 0;

interface Rate {
  /** Calls per second of wall time. */
  perS: number;
  /** Calls per second of this process's CPU time: the per-core figure, less distorted when the machine is shared. */
  perCpuS: number;
}

/** Runs fn in batches until MEASURE_MS has passed (after a warm-up). */
function rate(fn: (i: number) => unknown, batch = 1000): Rate {
  const warmUntil = performance.now() + Math.min(300, MEASURE_MS / 3);
  let i = 0;
  while (performance.now() < warmUntil) for (let k = 0; k < batch; k++) sink ^= fn(i++) ? 1 : 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let calls = 0;
  let now = start;
  while (now - start < MEASURE_MS) {
    for (let k = 0; k < batch; k++) sink ^= fn(i++) ? 1 : 0;
    calls += batch;
    now = performance.now();
  }
  const used = process.cpuUsage(cpu);
  return { perS: Math.round((calls * 1000) / (now - start)), perCpuS: Math.round((calls * 1e6) / (used.user + used.system)) };
}

const rates = (encode: Rate, decode: Rate): Record<string, number> => ({
  encode_per_s: encode.perS, decode_per_s: decode.perS, encode_per_cpu_s: encode.perCpuS, decode_per_cpu_s: decode.perCpuS,
});

function emit(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: 'protocol', ...fields }));
}

function plain(name: string, message: Message): number {
  const bytes = encodeFrame(message, { seq: 1, timestamp: T0 });
  const encode = rate((i) => encodeFrame(message, { seq: i >>> 0, timestamp: T0 }));
  const decode = rate(() => decodeFrame(bytes).ok);
  // Stream decoding: 64 frames per chunk, as a busy TCP connection delivers them.
  const chunk = Buffer.concat(Array.from({ length: 64 }, () => bytes));
  const decoder = new FrameDecoder();
  const stream = rate(() => decoder.push(chunk).length, 10);
  emit({ case: name, mode: 'plain', bytes: bytes.length, ...rates(encode, decode), stream_decode_per_cpu_s: stream.perCpuS * 64 });
  return bytes.length;
}

/** OpenSSL's SM2 rates on this machine (`openssl speed`, one process), or undefined without the CLI or SM2. */
function opensslSm2(): { sign: number; verify: number; seconds: number } | undefined {
  const seconds = Math.max(2, Math.round(MEASURE_MS / 1000));
  const run = spawnSync('openssl', ['speed', '-seconds', String(seconds), 'sm2'], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0 || typeof run.stdout !== 'string') return undefined;
  // The summary row: " 256 bits SM2 (CurveSM2)   0.0003s   0.0003s   3454.0   3816.1" (sign s, verify s, sign/s, verify/s).
  const row = run.stdout.split('\n').find((line) => /SM2/.test(line) && /\d+\.\d+\s*$/.test(line));
  const numbers = row?.trim().split(/\s+/).slice(-2).map(Number);
  if (!numbers || numbers.some((n) => !Number.isFinite(n) || n <= 0)) return undefined;
  return { sign: numbers[0]!, verify: numbers[1]!, seconds };
}

const openssl = opensslSm2();
if (openssl) emit({ case: 'sm2', mode: 'openssl-sm2', sign_per_s: openssl.sign, verify_per_s: openssl.verify, seconds: openssl.seconds });

/** An AGV's sending protector and what the platform needs to build receiving sessions for its frames. */
function sessionPair(): { sender: FrameProtector; receiverOptions: Omit<SecureSessionOptions, 'sm2Backend'> } {
  const clock = new ManualClock(T0);
  const agvKeys = generateSm2KeyPair();
  const platformKeys = generateSm2KeyPair();
  const up = Uint8Array.from(randomBytes(16));
  const down = Uint8Array.from(randomBytes(16));
  const sender = createSecureProtector(new SecureSession({ sendKey: up, receiveKey: down, localKeyPair: agvKeys, peerPublicKey: platformKeys.publicKey, clock }));
  return { sender, receiverOptions: { sendKey: down, receiveKey: up, localKeyPair: platformKeys, peerPublicKey: agvKeys.publicKey, clock } };
}

function secure(name: string, message: Message, sm2Backend: Sm2Backend = 'auto'): void {
  const { sender, receiverOptions } = sessionPair();
  const receiving = new SecureSession({ ...receiverOptions, sm2Backend });
  const receiver = createSecureProtector(receiving);
  // Every frame needs its own sequence number (the receiver rejects replays), so encode a pool, then decode it.
  const frames: Uint8Array[] = [];
  let seq = 1;
  const encode = rate(() => frames.push(encodeFrame(message, { seq: seq++, timestamp: T0, protector: sender })), 20);
  // Each frame is accepted once per session (a second time is a replay), so the pool is decoded in passes, each by
  // a fresh receiving session (its setup, the peer-key table included, counts in the time), for MEASURE_MS.
  let decoder = new FrameDecoder({ protector: receiver });
  let failures = 0;
  const warmUp = Math.min(20, frames.length >> 2);
  for (let i = 0; i < warmUp; i++) if (!decoder.push(frames[i]!)[0]?.ok) failures++;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let decoded = 0;
  for (let pass = 0; pass === 0 || performance.now() - start < MEASURE_MS; pass++) {
    if (pass > 0) decoder = new FrameDecoder({ protector: createSecureProtector(new SecureSession({ ...receiverOptions, sm2Backend })) });
    for (let i = pass === 0 ? warmUp : 0; i < frames.length; i++, decoded++) if (!decoder.push(frames[i]!)[0]?.ok) failures++;
  }
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const decode: Rate = { perS: Math.round((decoded * 1000) / wallMs), perCpuS: Math.round((decoded * 1e6) / (used.user + used.system)) };
  const ratio = openssl ? { ratio_to_openssl: Number((decode.perCpuS / openssl.verify).toFixed(3)) } : {};
  emit({ case: name, mode: 'secure', sm2_backend: receiving.verifierBackend, bytes: frames[0]!.length, ...rates(encode, decode), frames_decoded: decoded, decode_failures: failures, ...ratio });
}

/**
 * Secure verify+decrypt spread over `workers` worker threads, each with its own session and frames (as protocol
 * gateways hold their own connections). per_cpu_s divides by the CPU time of the whole process (all threads), so
 * it stays the per-core figure; frames_per_s is wall time and shows how throughput grows with cores.
 */
async function securePool(workers: number, message: Message): Promise<void> {
  const framesPerWorker = 400;
  const inputs: PoolWorkerInput[] = [];
  for (let w = 0; w < workers; w++) {
    const { sender, receiverOptions: { sendKey, receiveKey, localKeyPair, peerPublicKey } } = sessionPair();
    const frames = Array.from({ length: framesPerWorker }, (_, i) => encodeFrame(message, { seq: i + 1, timestamp: T0, protector: sender }));
    inputs.push({ frames, sendKey, receiveKey, localKeyPair, peerPublicKey, timestamp: T0, durationMs: Math.max(1000, MEASURE_MS) });
  }
  const threads = inputs.map((input) => tsWorker(new URL('./lib/secure-pool-worker.ts', import.meta.url), { workerData: input }));
  await Promise.all(threads.map((t) => new Promise((resolve) => t.once('message', resolve))));
  const cpu = process.cpuUsage();
  const start = performance.now();
  const results = await Promise.all(threads.map((t) => new Promise<{ frames: number; failures: number; backend: string }>((resolve) => {
    t.once('message', resolve);
    t.postMessage('go');
  })));
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  await Promise.all(threads.map((t) => t.terminate()));
  const frames = results.reduce((sum, r) => sum + r.frames, 0);
  const perCpuS = Math.round((frames * 1e6) / (used.user + used.system));
  emit({
    case: 'status', mode: 'secure-pool', workers, sm2_backend: results[0]!.backend,
    frames_decoded: frames, decode_failures: results.reduce((sum, r) => sum + r.failures, 0),
    frames_per_s: Math.round((frames * 1000) / wallMs), per_cpu_s: perCpuS,
    ...(openssl ? { ratio_to_openssl: Number((perCpuS / openssl.verify).toFixed(3)) } : {}),
    load_avg_1m: Number(loadavg()[0]!.toFixed(2)),
  });
}

const cpuMicros = (usage: NodeJS.CpuUsage): number => usage.user + usage.system;

/**
 * Complete key exchanges, one after the other, each with fresh AGV-side and platform-side state as on a real
 * connection (the platform reuses its key pair and signer, as Sm2Handshake does). CPU time is split per side.
 */
function handshake(backend: Exclude<ExchangeBackend, 'auto'>): void {
  const clock = new ManualClock(T0);
  const platformKeys = generateSm2KeyPair();
  const platformSigner = new Sm2Signer(platformKeys);
  const agvs = Array.from({ length: 16 }, () => generateSm2KeyPair());
  let platformUs = 0;
  let agvUs = 0;
  let done = 0;
  const one = (i: number) => {
    const agv = agvs[i % agvs.length]!;
    let t = process.cpuUsage();
    const initiator = new KeyExchangeInitiator({ id: `AGV-${i % agvs.length}`, keyPair: agv, responderPublicKey: platformKeys.publicKey, backend });
    const init = initiator.start();
    agvUs += cpuMicros(process.cpuUsage(t));
    t = process.cpuUsage();
    const responder = new KeyExchangeResponder({ id: 'UniFleet-RCS', keyPair: platformKeys, backend });
    const reply = responder.handleInit(init);
    platformUs += cpuMicros(process.cpuUsage(t));
    t = process.cpuUsage();
    const { confirm } = initiator.handleReply(reply);
    agvUs += cpuMicros(process.cpuUsage(t));
    t = process.cpuUsage();
    const result = responder.handleConfirm(confirm);
    SecureSession.fromKeyExchange(result, { localKeyPair: platformKeys, localSigner: platformSigner, clock });
    platformUs += cpuMicros(process.cpuUsage(t));
    done++;
  };
  for (let i = 0; i < 20; i++) one(i);
  platformUs = agvUs = done = 0;
  const start = performance.now();
  for (let i = 0; performance.now() - start < MEASURE_MS; i++) one(i);
  const wallMs = performance.now() - start;
  emit({
    case: 'sm2-key-exchange', mode: `handshake-${backend}`, handshakes: done,
    handshakes_per_s: Math.round((done * 1000) / wallMs),
    platform_per_cpu_s: Math.round((done * 1e6) / platformUs),
    agv_per_cpu_s: Math.round((done * 1e6) / agvUs),
    both_per_cpu_s: Math.round((done * 1e6) / (platformUs + agvUs)),
    platform_cpu_ms_per_handshake: Number((platformUs / done / 1000).toFixed(3)),
    load_avg_1m: Number(loadavg()[0]!.toFixed(2)),
  });
}

function vda(name: string, value: unknown, plainBytes: number): void {
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text);
  const encode = rate(() => JSON.stringify(value).length, 100);
  const decode = rate(() => JSON.parse(text) !== null, 100);
  emit({ case: name, mode: 'vda5050-json', bytes, ...rates(encode, decode), binary_to_json_ratio: Number((plainBytes / bytes).toFixed(3)) });
}

/** Resynchronisation cost: how fast the stream decoder gets through hostile bytes (noise, runs of magic bytes). */
function resync(name: string, data: Uint8Array, chunk: number): void {
  const decoder = new FrameDecoder({ maxFrameBytes: 64 * 1024 });
  const cpu = process.cpuUsage();
  const start = performance.now();
  let events = 0;
  for (let p = 0; p < data.length; p += chunk) events += decoder.push(data.subarray(p, p + chunk)).length;
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  emit({ case: name, mode: 'stream', bytes: data.length, chunk_bytes: chunk, events, mb_per_s: Number((data.length / 1048.576 / wallMs).toFixed(1)), mb_per_cpu_s: Number((data.length * 1e6 / 1048576 / (used.user + used.system)).toFixed(1)) });
}

const motion = exampleMotionCommand(20, 10);
const statusBytes = plain('status', EXAMPLE_STATUS);
const motionBytes = plain('motion', motion);
secure('status', EXAMPLE_STATUS);
secure('motion', motion);
// The same with the slower backends, for comparison: node:crypto's SM2 without tables, and pure JavaScript.
secure('status', EXAMPLE_STATUS, 'native');
secure('status', EXAMPLE_STATUS, 'js');
handshake('native');
handshake('js');
await securePool(1, EXAMPLE_STATUS);
await securePool(2, EXAMPLE_STATUS);
vda('status', vdaState(EXAMPLE_STATUS), statusBytes);
vda('motion', vdaOrder(motion), motionBytes);
let noiseSeed = 1;
const noise = new Uint8Array(4 << 20).map(() => ((noiseSeed = (noiseSeed * 1103515245 + 12345) >>> 0) >>> 24));
resync('resync-noise', noise, 2048);
resync('resync-noise', noise.subarray(0, 256 << 10), 1);
resync('resync-magic-run', new Uint8Array(4 << 20).map((_, i) => (i % 2 ? 0x46 : 0x55)), 2048);
if (sink === 0.5) console.log(sink);
