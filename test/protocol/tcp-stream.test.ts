// Frames over a real TCP connection: the kernel decides the segmentation, and the stream decoder must get every
// frame back, in order, with garbage and a corrupted frame in between costing only themselves.
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, type DecodeEvent, type Message } from '../../src/protocol/index.ts';
import { EXAMPLE_MESSAGES, exampleMotionCommand } from '../../src/protocol/examples.ts';

const T0 = 1_764_018_000_000;
let server: ReturnType<typeof createServer>;
let received: Promise<DecodeEvent[]>;
let port = 0;

beforeAll(async () => {
  let resolveEvents: (events: DecodeEvent[]) => void;
  received = new Promise((resolve) => (resolveEvents = resolve));
  server = createServer((socket: Socket) => {
    const decoder = new FrameDecoder();
    const events: DecodeEvent[] = [];
    socket.on('data', (chunk: Buffer) => events.push(...decoder.push(chunk)));
    socket.on('end', () => resolveEvents(events));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.close();
});

describe('frames over TCP', () => {
  it('every frame arrives decoded and in order; garbage and a corrupt frame cost only themselves', async () => {
    const messages: Message[] = [];
    for (let round = 0; round < 40; round++) messages.push(...(Object.values(EXAMPLE_MESSAGES) as Message[]), exampleMotionCommand(50, 20));
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    let seq = 0;
    for (const m of messages) {
      const frame = encodeFrame(m, { seq: ++seq, timestamp: T0 });
      if (seq % 100 === 0) client.write(Buffer.from('line noise'));
      // Small random writes so frames straddle segments.
      for (let at = 0; at < frame.length; ) {
        const n = 1 + ((seq * 7919 + at) % 700);
        client.write(frame.subarray(at, at + n));
        at += n;
      }
    }
    const corrupt = encodeFrame(EXAMPLE_MESSAGES.heartbeat, { seq: ++seq, timestamp: T0 });
    corrupt[30]! ^= 0xff;
    client.write(corrupt);
    client.end(encodeFrame(EXAMPLE_MESSAGES.heartbeat, { seq: ++seq, timestamp: T0 }));

    const events = await received;
    const frames = events.filter((e) => e.ok).map((e) => (e.ok ? e.frame : undefined)!);
    const errors = events.filter((e) => !e.ok).map((e) => (e.ok ? '' : e.error.code));
    expect(frames.map((f) => f.message)).toEqual([...messages, EXAMPLE_MESSAGES.heartbeat]);
    expect(frames.map((f) => f.seq)).toEqual([...messages.map((_, i) => i + 1), seq]);
    expect(errors).toEqual([...Array(Math.floor(messages.length / 100)).fill('BAD_MAGIC'), 'BAD_CHECKSUM']);
  });
});
