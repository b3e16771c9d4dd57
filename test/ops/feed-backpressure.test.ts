import { afterEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../src/rcs/ops/index.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.close());

/** A socket whose send buffer the test controls, to play a browser that stops reading. */
class SlowSocket {
  bufferedAmount = 0;
  readonly received: ServerMessage[] = [];
  send(data: string): void {
    this.received.push(JSON.parse(data) as ServerMessage);
  }
}

describe('live feed backpressure', () => {
  it('skips a client that stopped reading and resynchronises it with a snapshot once it drains', async () => {
    h = await startHarness({ agvs: 20 });
    const slow = new SlowSocket();
    const fast = new SlowSocket();
    h.ops.feed.attach(slow);
    h.ops.feed.attach(fast);
    expect(slow.received.map((m) => m.type)).toEqual(['snapshot']);

    slow.bufferedAmount = 10 * 2 ** 20; // the browser stopped reading
    h.clock.advance(1000);
    const fastDeltas = fast.received.filter((m) => m.type === 'delta').length;
    expect(fastDeltas).toBeGreaterThan(3);
    expect(slow.received.filter((m) => m.type === 'delta')).toHaveLength(0);

    slow.bufferedAmount = 0; // it caught up
    h.clock.advance(200);
    const after = slow.received.slice(1).map((m) => m.type);
    expect(after[0]).toBe('snapshot');
    expect(after).toContain('delta');
  });

  it('sends nothing and diffs nothing while nobody watches', async () => {
    h = await startHarness({ agvs: 20 });
    const seq = h.ops.feed.sequence;
    h.clock.advance(5000);
    expect(h.ops.feed.sequence).toBe(seq);
    expect(h.ops.feed.bytesSent).toBe(0);
  });
});
