import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { HeaderOffset, MAGIC, MsgType, readU16 } from '../../protocol/index.ts';
import type { FrameChannel } from '../../agv/transport/channel.ts';
import type { Logger } from '../logger.ts';
import { DEFAULT_MQTT_TOPIC_ROOT, disableNagle, linkTopic, MqttLinkChannel, parseUpTopic, upWildcard, type MqttTopicLayout } from '../../agv/transport/mqtt.ts';

// The platform's side of the MQTT binding: one broker connection for the whole site, subscribed to every link's up
// topic. Each new link becomes a MqttLinkChannel handed to the session server exactly as an accepted TCP socket
// is; the sessions never learn which transport carries them.

export interface MqttListenOptions extends MqttTopicLayout {
  /** Broker URL: mqtt://[user:password@]host:1883, mqtts://… */
  url: string;
  /** Outbound bytes a link may have unacknowledged by the broker, or held while paused, before it is closed. */
  maxBufferedBytes?: number;
  /** Further mqtt.js client options (TLS material...). */
  clientOptions?: IClientOptions;
  /** Broker connection lost and back. */
  logger?: Logger;
}

/**
 * Decides about a new link: `source` is what per-source limits count it under. Returns false to refuse it (the
 * listener then ends the link, telling the AGV).
 */
export type LinkAcceptor = (channel: FrameChannel, source: string) => boolean;

export class MqttListener {
  /** Open links by up topic. */
  private readonly links = new Map<string, MqttLinkChannel>();
  /** Messages not taken by any link: retained ones, foreign topics, frames of links already ended, garbage. */
  ignored = 0;
  /** Down topics of unknown links this process has told to end (endStranded). */
  private readonly stranded = new Set<string>();
  private closing = false;
  /** What per-source limits count the links under: the broker. */
  private readonly source: string;

  private constructor(
    private readonly client: MqttClient,
    private readonly options: MqttListenOptions,
    private readonly accept: LinkAcceptor,
  ) {
    this.source = `mqtt:${brokerHost(options.url)}`;
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));
    // Without the broker no link can carry anything: every session ends as if its socket closed, and the AGVs open
    // new links once the broker is back (their heartbeat notices the silence).
    client.on('close', () => {
      if (!this.closing) options.logger?.warn({ broker: options.url, links: this.links.size }, 'MQTT broker connection lost: its links ended, reconnecting');
      this.dropAll();
    });
    client.on('connect', () => {
      disableNagle(client);
      options.logger?.info({ broker: options.url }, 'MQTT broker connection back');
    });
  }

  /** Connects to the broker and subscribes to the site's up topics; resolves once links can arrive. */
  static async start(options: MqttListenOptions, accept: LinkAcceptor): Promise<MqttListener> {
    const root = options.root ?? DEFAULT_MQTT_TOPIC_ROOT;
    const client = connect(options.url, {
      // A platform never resumes an MQTT session (its sessions live in memory): clean start, a fresh client id.
      clientId: `${root}/${options.site}/platform-${randomBytes(4).toString('hex')}`,
      clean: true,
      reconnectPeriod: 1_000,
      protocolVersion: 5,
      // Every AGV's frames arrive over this one connection: let the broker keep many QoS 1 messages in flight
      // instead of the default 20, which would cap the site at 20 messages per round trip.
      properties: { receiveMaximum: 65_535 },
      ...options.clientOptions,
    });
    // A broker that does not answer (connect timeout) closes without an error: the start fails all the same.
    const notAccepted = () => fail(new Error(`MQTT broker ${options.url} did not accept the connection`));
    let fail: (err: Error) => void = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        fail = reject;
        client.once('error', reject);
        client.once('close', notAccepted);
        client.once('connect', () => {
          disableNagle(client);
          client.subscribeAsync(upWildcard(options), { qos: 1 }).then(() => resolve(), reject);
        });
      });
    } catch (err) {
      client.end(true);
      throw err;
    } finally {
      client.off('close', notAccepted);
    }
    // Later errors are followed by 'close' and a reconnect; they must not throw from the emitter.
    client.on('error', () => {});
    return new MqttListener(client, options, accept);
  }

  get linkCount(): number {
    return this.links.size;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.dropAll();
    await this.client.endAsync();
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    // Frames are never retained: a retained message is stale by definition (someone's mistake) and not replayed.
    const address = retained ? undefined : parseUpTopic(this.options, topic);
    if (!address) {
      this.ignored++;
      return;
    }
    const open = this.links.get(topic);
    if (open) {
      open.receive(payload);
      return;
    }
    // A link begins with its accessRequest. Anything else on an unknown link — frames still in flight on a link the
    // platform ended, the end marker of such a link, garbage — opens nothing.
    if (!startsWithAccessRequest(payload)) {
      this.ignored++;
      if (startsWithFrame(payload)) this.endStranded(address.agvKey, address.link);
      return;
    }
    let agvId: string;
    try {
      agvId = decodeURIComponent(address.agvKey);
    } catch {
      this.ignored++;
      return;
    }
    const channel = new MqttLinkChannel(`mqtt:${address.agvKey}/${address.link}`, this.client, linkTopic(this.options, address.agvKey, 'down', address.link), {
      maxBufferedBytes: this.options.maxBufferedBytes,
      boundAgvId: agvId,
    });
    this.links.set(topic, channel);
    channel.onClose(() => this.links.delete(topic));
    // Per-source limits count every link under the broker, as they count a fleet behind one NAT address: the limits
    // that pace a fleet's reconnect storm (key exchanges above all, SM2 work each) then pace one over MQTT too.
    if (!this.accept(channel, this.source)) {
      channel.close();
      return;
    }
    channel.receive(payload);
  }

  /**
   * Frames on a link this process never opened: most often an AGV still talking to a platform process that is gone
   * (a leader that crashed, a platform restarted) — its link has no session anywhere. Ending it at once (the end
   * marker on its down topic) lets the AGV open a new link now instead of after its heartbeat timeout. Once per
   * link, and the memory of links ended is bounded; a link this process ended itself already got its marker, so a
   * second one reaches an AGV that has moved on (harmless).
   */
  private endStranded(agvKey: string, link: string): void {
    const topic = linkTopic(this.options, agvKey, 'down', link);
    if (this.stranded.has(topic)) return;
    if (this.stranded.size >= MAX_STRANDED_REMEMBERED) this.stranded.clear();
    this.stranded.add(topic);
    this.client.publish(topic, Buffer.alloc(0), { qos: 1 }, () => {});
  }

  private dropAll(): void {
    for (const channel of [...this.links.values()]) channel.lost();
    this.links.clear();
  }
}

function brokerHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Unknown links told to end, remembered so each gets one marker; cleared when full (a few more markers at worst). */
const MAX_STRANDED_REMEMBERED = 10_000;

function startsWithFrame(payload: Uint8Array): boolean {
  return payload.length >= HeaderOffset.msgType + 2 && readU16(payload, HeaderOffset.magic) === MAGIC;
}

function startsWithAccessRequest(payload: Uint8Array): boolean {
  return payload.length >= HeaderOffset.msgType + 2 && readU16(payload, HeaderOffset.magic) === MAGIC && readU16(payload, HeaderOffset.msgType) === MsgType.accessRequest;
}
