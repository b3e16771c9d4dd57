// Throughput of the secure channel's per-frame work, for bench/protocol.ts and bench/secure.ts.
// Pure computation on in-memory frames; numbers are per core (single thread).
import { ManualClock } from '../../core/index.ts';
import { generateSm2KeyPair } from './sm2-keys.ts';
import { protectedPayloadLength, SecureSession, type SecureFrameHeader } from './session.ts';
import type { Sm2Backend } from './sm2-sign.ts';
import { randomBytes } from 'node:crypto';

export interface SecureThroughputOptions {
  /** Plain payload size in bytes; default 64 (about a status report). */
  readonly payloadBytes?: number;
  /** Time spent per measured operation; default 1000 ms. */
  readonly durationMs?: number;
  /** Precomputation window for the peer key with the js backend (see Sm2VerifierOptions); default the session default. */
  readonly precomputeWindow?: number;
  /** SM2 backend of both sessions; default 'auto'. */
  readonly sm2Backend?: Sm2Backend;
}

export interface SecureThroughput {
  readonly payload_bytes: number;
  /** Bytes the secure mode adds to a frame: IV + signature. */
  readonly overhead_bytes: number;
  /** encrypt + sign per second of wall time (sender side). */
  readonly protect_per_s: number;
  /** key-id/skew/window checks + SM2 verify + decrypt per second of wall time (receiver side). */
  readonly verify_decrypt_per_s: number;
  /**
   * The same per second of this process's CPU time: the per-core figure, which stays meaningful when
   * other processes compete for the cores (wall-time rates then understate one core's capacity).
   */
  readonly protect_per_cpu_s: number;
  readonly verify_decrypt_per_cpu_s: number;
  /** Milliseconds to build a session (dominated by the peer-key precomputation table). */
  readonly session_setup_ms: number;
}

const HEADER_LENGTH = 24;

/** Measures one session pair: protect on one side, verify+decrypt on the other, with distinct sequence numbers. */
export function measureSecureThroughput(options: SecureThroughputOptions = {}): SecureThroughput {
  const payloadBytes = options.payloadBytes ?? 64;
  const durationMs = options.durationMs ?? 1000;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const sender = generateSm2KeyPair();
  const receiver = generateSm2KeyPair();
  const up = Uint8Array.from(randomBytes(16));
  const down = Uint8Array.from(randomBytes(16));
  const setupStart = performance.now();
  const receiving = new SecureSession({ sendKey: down, receiveKey: up, localKeyPair: receiver, peerPublicKey: sender.publicKey, clock, precomputeWindow: options.precomputeWindow, sm2Backend: options.sm2Backend });
  const sessionSetupMs = performance.now() - setupStart;
  const sending = new SecureSession({ sendKey: up, receiveKey: down, localKeyPair: sender, peerPublicKey: receiver.publicKey, clock, precomputeWindow: options.precomputeWindow, sm2Backend: options.sm2Backend });
  const plain = Uint8Array.from(randomBytes(payloadBytes));
  const header = (sequence: number): SecureFrameHeader => {
    const bytes = new Uint8Array(HEADER_LENGTH);
    const view = new DataView(bytes.buffer);
    view.setUint32(6, sequence);
    view.setUint32(16, protectedPayloadLength(payloadBytes));
    return { bytes, sequence, timestampMs: clock.now() };
  };

  // Protect a pool of frames while timing, then verify them on the receiving side.
  const frames: { header: SecureFrameHeader; payloadSection: Uint8Array; signature: Uint8Array }[] = [];
  let sequence = 0;
  const protectCpu = process.cpuUsage();
  const protectStart = performance.now();
  while (performance.now() - protectStart < durationMs || frames.length < 10) {
    const h = header(++sequence);
    frames.push({ header: h, ...sending.protect(h, plain) });
  }
  const protectPerS = (frames.length * 1000) / (performance.now() - protectStart);
  const protectPerCpuS = frames.length / cpuSeconds(protectCpu);

  // Each frame can be accepted once (anti-replay), so verification stops early if it outpaces the pool.
  let verified = 0;
  const verifyCpu = process.cpuUsage();
  const verifyStart = performance.now();
  while (verified < frames.length && (performance.now() - verifyStart < durationMs || verified < 10)) {
    const frame = frames[verified]!;
    const result = receiving.tryUnprotect(frame.header, frame.payloadSection, frame.signature);
    if (!result.ok) throw result.error;
    verified++;
  }
  const verifyPerS = (verified * 1000) / (performance.now() - verifyStart);
  const verifyPerCpuS = verified / cpuSeconds(verifyCpu);
  return {
    payload_bytes: payloadBytes,
    overhead_bytes: protectedPayloadLength(0) + 64,
    protect_per_s: Math.round(protectPerS),
    verify_decrypt_per_s: Math.round(verifyPerS),
    protect_per_cpu_s: Math.round(protectPerCpuS),
    verify_decrypt_per_cpu_s: Math.round(verifyPerCpuS),
    session_setup_ms: Math.round(sessionSetupMs * 10) / 10,
  };
}

/** CPU seconds (user + system) this process used since `since`. */
export function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return Math.max(1e-6, (used.user + used.system) / 1e6);
}
