import { BaseChannel, type FrameChannel } from './channel.ts';

// In-memory channel pair for tests: what one end sends, the other receives on a later microtask, like a socket would.

class MemoryChannel extends BaseChannel {
  other: MemoryChannel | undefined;
  constructor(readonly peer: string) {
    super();
  }

  get bufferedBytes(): number {
    return 0;
  }

  send(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    const copy = bytes.slice();
    queueMicrotask(() => this.other?.deliver(copy));
    return true;
  }

  deliver(bytes: Uint8Array): void {
    this.emitData(bytes);
  }

  protected doClose(): void {
    const other = this.other;
    this.other = undefined;
    if (other) queueMicrotask(() => other.remoteClosed());
  }

  remoteClosed(): void {
    this.finish('remote');
  }
}

export function memoryChannelPair(): [FrameChannel, FrameChannel] {
  const a = new MemoryChannel('memory:a');
  const b = new MemoryChannel('memory:b');
  a.other = b;
  b.other = a;
  return [a, b];
}
