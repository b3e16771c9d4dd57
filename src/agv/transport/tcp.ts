import { connect, type Socket } from 'node:net';
import { BaseChannel, type FrameChannel } from './channel.ts';

export interface TcpChannelOptions {
  /** Outbound bytes allowed to pile up for a slow peer before the channel gives up on it. */
  maxBufferedBytes?: number;
}

const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;

/** FrameChannel over a connected TCP socket. */
export class TcpChannel extends BaseChannel {
  readonly peer: string;
  private readonly maxBuffered: number;

  constructor(
    private readonly socket: Socket,
    options: TcpChannelOptions = {},
  ) {
    super();
    this.maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    // Status frames are small and latency matters more than packet count.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.emitData(chunk));
    socket.on('error', () => this.finish('error'));
    socket.on('close', () => this.finish('remote'));
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  send(bytes: Uint8Array): boolean {
    if (this.closed || this.socket.destroyed) return false;
    if (this.socket.writableLength + bytes.length > this.maxBuffered) {
      this.finish('backpressure');
      return false;
    }
    this.socket.write(bytes);
    return true;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (!this.closed) this.socket.resume();
  }

  protected doClose(): void {
    this.socket.destroy();
  }
}

/** Opens a TCP connection and resolves once it is established. */
export function connectTcp(host: string, port: number, options: TcpChannelOptions = {}): Promise<FrameChannel> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const onError = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(new TcpChannel(socket, options));
    });
  });
}
