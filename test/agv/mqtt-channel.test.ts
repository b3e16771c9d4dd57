import { describe, expect, it } from 'vitest';
import { agvKeyOf, linkTopic, MqttLinkChannel, parseUpTopic, upWildcard, type MqttPublisher } from '../../src/agv/transport/mqtt.ts';

// The link channel's own rules, with the broker client replaced by a recorder of what it is asked to publish (the
// broker path itself is tested against Mosquitto in test/rcs/mqtt-binding.test.ts).

function recorder(): MqttPublisher & { published: { topic: string; payload: Buffer }[]; ackAll(): void } {
  const pending: (() => void)[] = [];
  const published: { topic: string; payload: Buffer }[] = [];
  return {
    published,
    publish(topic, payload, _options, callback) {
      published.push({ topic, payload });
      pending.push(() => callback?.());
    },
    ackAll() {
      for (const ack of pending.splice(0)) ack();
    },
  };
}

describe('MQTT topics', () => {
  const layout = { root: 'unifleet/v1', site: 'plant 1' };

  it('keeps wildcards and separators out of topics and reads back what it writes', () => {
    expect(agvKeyOf('AGV-001')).toBe('AGV-001');
    expect(agvKeyOf('a/b+c#d:e')).toBe('a%2Fb%2Bc%23d%3Ae');
    const topic = linkTopic(layout, agvKeyOf('a/b'), 'up', '0123abcd');
    expect(topic).toBe('unifleet/v1/plant%201/a%2Fb/up/0123abcd');
    expect(parseUpTopic(layout, topic)).toEqual({ agvKey: 'a%2Fb', link: '0123abcd' });
    expect(upWildcard(layout)).toBe('unifleet/v1/plant%201/+/up/+');
  });

  it('takes only up topics of its own site', () => {
    expect(parseUpTopic(layout, 'unifleet/v1/plant%201/A/down/x')).toBeUndefined();
    expect(parseUpTopic(layout, 'unifleet/v1/other/A/up/x')).toBeUndefined();
    expect(parseUpTopic(layout, 'unifleet/v1/plant%201/A/up')).toBeUndefined();
    expect(parseUpTopic(layout, 'unifleet/v1/plant%201/A/up/x/y')).toBeUndefined();
  });
});

describe('MqttLinkChannel', () => {
  it('publishes each send on its topic and counts bytes until the broker acknowledges them', () => {
    const client = recorder();
    const channel = new MqttLinkChannel('mqtt:A/1', client, 'down/1');
    expect(channel.send(new Uint8Array([1, 2, 3]))).toBe(true);
    expect(channel.bufferedBytes).toBe(3);
    client.ackAll();
    expect(channel.bufferedBytes).toBe(0);
    expect(client.published.map((p) => [p.topic, [...p.payload]])).toEqual([['down/1', [1, 2, 3]]]);
  });

  it('ends on an empty payload from the peer, and tells the peer with one when it closes itself', () => {
    const client = recorder();
    const remote = new MqttLinkChannel('mqtt:A/1', client, 'down/1');
    const reasons: string[] = [];
    remote.onClose((r) => reasons.push(r));
    remote.receive(new Uint8Array(0));
    expect(reasons).toEqual(['remote']);
    expect(client.published).toEqual([]);

    const local = new MqttLinkChannel('mqtt:A/2', client, 'down/2');
    local.close();
    expect(client.published.map((p) => [p.topic, p.payload.length])).toEqual([['down/2', 0]]);
    expect(local.send(new Uint8Array([1]))).toBe(false);
  });

  it('holds payloads while paused and hands them over in order on resume; too much held ends the link', () => {
    const client = recorder();
    const channel = new MqttLinkChannel('mqtt:A/1', client, 'down/1', { maxBufferedBytes: 10 });
    const seen: number[] = [];
    channel.onData((chunk) => seen.push(chunk[0]!));
    channel.pause();
    channel.receive(new Uint8Array([1, 0, 0]));
    channel.receive(new Uint8Array([2, 0, 0]));
    expect(seen).toEqual([]);
    channel.resume();
    expect(seen).toEqual([1, 2]);

    const reasons: string[] = [];
    channel.onClose((r) => reasons.push(r));
    channel.pause();
    channel.receive(new Uint8Array(6));
    channel.receive(new Uint8Array(6));
    expect(reasons).toEqual(['backpressure']);
    // The peer is told, as a TCP peer would see its connection closed.
    expect(client.published.at(-1)!.payload.length).toBe(0);
  });

  it('gives up on a peer whose unacknowledged bytes pass the limit', () => {
    const client = recorder();
    const channel = new MqttLinkChannel('mqtt:A/1', client, 'down/1', { maxBufferedBytes: 8 });
    expect(channel.send(new Uint8Array(6))).toBe(true);
    expect(channel.send(new Uint8Array(6))).toBe(false);
    expect(channel.closed).toBe(true);
  });
});
