// A FrameChannel is an ordered byte pipe between one AGV and the platform. Sessions and the SDK speak frames over it
// without knowing whether the bytes travel over TCP, an MQTT link (mqtt.ts) or an in-memory pair in tests.
// Chunk boundaries carry no meaning: the receiver reassembles frames with the protocol's stream decoder.
import type { ProtocolError } from '../../protocol/index.ts';

export type ChannelCloseReason = 'local' | 'remote' | 'error' | 'backpressure';

export interface FrameChannel {
  /** Human-readable peer label for logs (e.g. "127.0.0.1:50312"). */
  readonly peer: string;
  /**
   * The AGV the transport already ties this link to, if any: an MQTT link's topic names its AGV and the broker's
   * ACL lets only that AGV publish there, so access for another id on it is refused.
   */
  readonly boundAgvId?: string;
  /**
   * Queues bytes for the peer. Returns false when the channel is closed or the peer is too slow and its outbound
   * buffer passed the channel's limit; in the latter case the channel closes itself with reason 'backpressure' so a
   * stuck reader cannot grow our memory without bound.
   */
  send(bytes: Uint8Array): boolean;
  /** Bytes queued but not yet handed to the transport. */
  readonly bufferedBytes: number;
  readonly closed: boolean;
  onData(listener: (chunk: Uint8Array) => void): void;
  onClose(listener: (reason: ChannelCloseReason) => void): void;
  close(): void;
  /** Stops reading from the peer (flow control pushes back on it) until resume(); channels without flow control omit it. */
  pause?(): void;
  resume?(): void;
  /**
   * Frames the far end of the channel rejected itself. Only a channel whose other end decodes frames (a protocol
   * gateway that runs the secure channel) has it; the receiver treats them as its own decoder's errors.
   */
  onRejectedFrame?(listener: (error: ProtocolError) => void): void;
}

/** Shared listener bookkeeping for channel implementations. */
export abstract class BaseChannel implements FrameChannel {
  abstract readonly peer: string;
  abstract readonly bufferedBytes: number;
  private dataListeners: ((chunk: Uint8Array) => void)[] = [];
  private closeListeners: ((reason: ChannelCloseReason) => void)[] = [];
  private isClosed = false;

  get closed(): boolean {
    return this.isClosed;
  }

  abstract send(bytes: Uint8Array): boolean;
  protected abstract doClose(): void;

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(listener: (reason: ChannelCloseReason) => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    this.finish('local');
  }

  protected emitData(chunk: Uint8Array): void {
    if (this.isClosed) return;
    for (const listener of this.dataListeners) listener(chunk);
  }

  protected finish(reason: ChannelCloseReason): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.doClose();
    const listeners = this.closeListeners;
    this.closeListeners = [];
    this.dataListeners = [];
    for (const listener of listeners) listener(reason);
  }
}
