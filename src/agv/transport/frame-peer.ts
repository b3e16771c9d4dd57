import type { Clock } from '../../core/index.ts';
import {
  encodeFrame,
  FrameDecoder,
  FrameFlags,
  MsgType,
  PROTOCOL_VERSION,
  type Frame,
  type FrameProtector,
  type Message,
  type ProtocolError,
  type ProtocolErrorCode,
} from '../../protocol/index.ts';
import type { ChannelCloseReason, FrameChannel } from './channel.ts';

// One end of a protocol conversation over a FrameChannel: numbers outgoing frames, reassembles incoming ones,
// answers requests with ack/nack and matches acks to the requests we sent (measuring their latency). The AGV SDK
// and the platform's sessions both stand on it, so both sides follow the same rules.

export type RequestOutcome =
  | { ok: true; latencyMs: number }
  | { ok: false; code: ProtocolErrorCode | 'TIMEOUT' | 'CLOSED'; message: string; latencyMs?: number };

export interface FramePeerOptions {
  clock: Clock;
  maxFrameBytes?: number;
  /** A request with no ack after this long resolves as TIMEOUT. */
  ackTimeoutMs?: number;
  /** Wall-clock source for latency figures; real time even when the clock is virtual. */
  monotonicMs?: () => number;
  /**
   * Frames the peer may send per second. Beyond it the channel is paused (not read) until the second is over, so a
   * flooding peer is slowed by TCP flow control instead of growing our buffers or taking the event loop.
   */
  maxFramesPerSecond?: number;
}

interface PendingRequest {
  kind: string;
  sentAt: number;
  resolve: (outcome: RequestOutcome) => void;
  cancelTimer: () => void;
}

export class FramePeer {
  readonly channel: FrameChannel;
  private readonly decoder: FrameDecoder;
  private readonly clock: Clock;
  private readonly ackTimeoutMs: number;
  private readonly monotonic: () => number;
  private protector: FrameProtector | undefined;
  private seq = 0;
  private version = PROTOCOL_VERSION;
  private readonly pending = new Map<number, PendingRequest>();
  private frameHandler: (frame: Frame) => void = () => {};
  private errorHandler: (error: ProtocolError) => void = () => {};
  private readonly maxFramesPerSecond: number;
  private budgetSecondStart = 0;
  private budgetUsed = 0;
  private cancelResume: (() => void) | undefined;
  /** Frames received (good or bad), for rate figures. */
  framesIn = 0;
  framesOut = 0;
  /** Clock time of the last frame sent (-Infinity before the first): a heartbeat is only needed on a quiet link. */
  lastSentAt = Number.NEGATIVE_INFINITY;
  /** Times the peer went over its frame budget and reading was paused. */
  throttled = 0;

  constructor(channel: FrameChannel, options: FramePeerOptions) {
    this.channel = channel;
    this.clock = options.clock;
    this.decoder = new FrameDecoder({ maxFrameBytes: options.maxFrameBytes });
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.monotonic = options.monotonicMs ?? (() => performance.now());
    this.maxFramesPerSecond = options.maxFramesPerSecond ?? 0;
    channel.onData((chunk) => this.onData(chunk));
    channel.onRejectedFrame?.((error) => {
      this.framesIn++;
      this.errorHandler(error);
    });
    channel.onClose((reason) => {
      this.cancelResume?.();
      this.failPending(reason);
    });
  }

  /** Incoming frames other than acks/nacks of our own requests. */
  onFrame(handler: (frame: Frame) => void): void {
    this.frameHandler = handler;
  }

  /** Frames that could not be decoded (bad magic, CRC, field values...). */
  onError(handler: (error: ProtocolError) => void): void {
    this.errorHandler = handler;
  }

  setProtector(protector: FrameProtector | undefined): void {
    this.protector = protector;
    this.decoder.setProtector(protector);
  }

  setVersion(version: number): void {
    this.version = version;
  }

  get closed(): boolean {
    return this.channel.closed;
  }

  /** Sends a message; returns its sequence number, or undefined if the channel is gone. */
  send(message: Message, ackRequested = false): number | undefined {
    if (this.channel.closed) return undefined;
    this.seq = (this.seq + 1) >>> 0;
    const bytes = encodeFrame(message, {
      seq: this.seq,
      timestamp: Math.max(0, Math.floor(this.clock.now())),
      flags: ackRequested ? FrameFlags.ACK_REQUESTED : 0,
      version: this.version,
      protector: this.protector,
    });
    if (!this.channel.send(bytes)) return undefined;
    this.framesOut++;
    this.lastSentAt = this.clock.now();
    return this.seq;
  }

  /** Sends with ACK_REQUESTED and resolves when the peer acks or nacks it (or on timeout / close). */
  request(message: Message, timeoutMs = this.ackTimeoutMs): Promise<RequestOutcome> {
    return new Promise((resolve) => {
      const sentAt = this.monotonic();
      const seq = this.send(message, true);
      if (seq === undefined) {
        resolve({ ok: false, code: 'CLOSED', message: 'channel closed' });
        return;
      }
      const cancelTimer = this.clock.setTimeout(() => {
        if (this.pending.delete(seq)) resolve({ ok: false, code: 'TIMEOUT', message: `no ack for ${message.kind} within ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending.set(seq, { kind: message.kind, sentAt, resolve, cancelTimer });
    });
  }

  ack(frame: Frame): void {
    this.send({ kind: 'ack', ackedSeq: frame.seq, ackedType: frame.msgType });
  }

  nack(seq: number, msgType: number, code: ProtocolErrorCode, detail: string): void {
    this.send({ kind: 'nack', ackedSeq: seq, ackedType: msgType, errorCode: code, detail: truncate(detail, 255) });
  }

  /** Requests still waiting for their ack. */
  get pendingRequests(): number {
    return this.pending.size;
  }

  close(): void {
    this.channel.close();
  }

  private onData(chunk: Uint8Array): void {
    let frames = 0;
    for (const event of this.decoder.push(chunk)) {
      this.framesIn++;
      frames++;
      if (!event.ok) {
        this.errorHandler(event.error);
        // The handler may have closed the channel (too many bad frames): the rest of the chunk is not worth decoding.
        if (this.channel.closed) return;
        continue;
      }
      const frame = event.frame;
      const m = frame.message;
      if (m.kind === 'ack' || m.kind === 'nack') {
        const request = this.pending.get(m.ackedSeq);
        if (request && (m.ackedType === 0 || m.ackedType === MsgType[request.kind as keyof typeof MsgType])) {
          this.pending.delete(m.ackedSeq);
          request.cancelTimer();
          const latencyMs = this.monotonic() - request.sentAt;
          request.resolve(m.kind === 'ack' ? { ok: true, latencyMs } : { ok: false, code: m.errorCode as ProtocolErrorCode, message: m.detail, latencyMs });
          continue;
        }
      }
      this.frameHandler(frame);
      if (this.channel.closed) return;
    }
    this.spendFrameBudget(frames);
  }

  private spendFrameBudget(frames: number): void {
    if (this.maxFramesPerSecond <= 0 || this.channel.closed || !this.channel.pause) return;
    const now = this.clock.now();
    if (now - this.budgetSecondStart >= 1000) {
      this.budgetSecondStart = now;
      this.budgetUsed = 0;
    }
    this.budgetUsed += frames;
    if (this.budgetUsed < this.maxFramesPerSecond || this.cancelResume) return;
    this.channel.pause();
    this.throttled++;
    this.cancelResume = this.clock.setTimeout(() => {
      this.cancelResume = undefined;
      this.budgetSecondStart = this.clock.now();
      this.budgetUsed = 0;
      this.channel.resume?.();
    }, Math.max(1, this.budgetSecondStart + 1000 - now));
  }

  private failPending(reason: ChannelCloseReason): void {
    for (const [seq, request] of this.pending) {
      this.pending.delete(seq);
      request.cancelTimer();
      request.resolve({ ok: false, code: 'CLOSED', message: `channel closed (${reason})` });
    }
  }
}

function truncate(text: string, maxBytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}
