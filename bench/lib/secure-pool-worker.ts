// One worker of bench:protocol's secure pool: verifies and decrypts the frames it is given, over and over, with a
// fresh receiving session per pass (each frame may be accepted once per session). Reports the frames it got through; the
// CPU time is taken by the parent for the whole process (process.cpuUsage() counts every thread).
import { parentPort, workerData } from 'node:worker_threads';
import { ManualClock } from '../../src/core/index.ts';
import { createSecureProtector, FrameDecoder } from '../../src/protocol/index.ts';
import { SecureSession, type Sm2KeyPair } from '../../src/protocol/secure/index.ts';

export interface PoolWorkerInput {
  readonly frames: Uint8Array[];
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  readonly localKeyPair: Sm2KeyPair;
  readonly peerPublicKey: Uint8Array;
  readonly timestamp: number;
  readonly durationMs: number;
}

const input = workerData as PoolWorkerInput;
const clock = new ManualClock(input.timestamp);

/** One pass over the frames with a fresh receiving session; returns the failures. */
function pass(): { failures: number; backend: string } {
  const session = new SecureSession({ sendKey: input.sendKey, receiveKey: input.receiveKey, localKeyPair: input.localKeyPair, peerPublicKey: input.peerPublicKey, clock });
  const decoder = new FrameDecoder({ protector: createSecureProtector(session) });
  let failures = 0;
  for (const frame of input.frames) if (!decoder.push(frame)[0]?.ok) failures++;
  return { failures, backend: session.verifierBackend };
}

parentPort!.once('message', () => {
  const start = performance.now();
  let frames = 0;
  let failures = 0;
  let backend = '';
  while (performance.now() - start < input.durationMs) {
    const result = pass();
    failures += result.failures;
    backend = result.backend;
    frames += input.frames.length;
  }
  parentPort!.postMessage({ frames, failures, backend, wallMs: performance.now() - start });
});
// Warm up (JIT, the curve library's generator table behind session setup) before the clock starts.
pass();
parentPort!.postMessage('ready');
