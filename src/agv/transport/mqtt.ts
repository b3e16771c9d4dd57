import { randomBytes } from 'node:crypto';
import { BaseChannel, type ChannelCloseReason, type FrameChannel } from './channel.ts';

// The MQTT binding of the protocol (docs/protocol.md "MQTT binding"): the same binary frames as MQTT payloads. One
// MQTT connection of an AGV carries one link, and one link is one FrameChannel (one session), like one TCP
// connection. A link has its own topic pair, named by a random link id the AGV draws per connection:
//   {root}/{site}/{agvKey}/up/{link}    AGV → platform
//   {root}/{site}/{agvKey}/down/{link}  platform → AGV
// An empty payload on either topic ends the link (frames are never empty); the AGV's last will is exactly that
// empty message on its up topic, so a vanished AGV ends its link like a closed socket. QoS 1, never retained.

export const DEFAULT_MQTT_TOPIC_ROOT = 'unifleet/v1';

/** Where a site's links live: `{root}/{site}/…`. */
export interface MqttTopicLayout {
  /** Topic root, default 'unifleet/v1'; tests use a random one so runs sharing a broker never meet. */
  root?: string;
  /** The site id (the site map's `id`). */
  site: string;
}

/** The topic segment of an AGV id: percent-encoded, so '/', '+', '#' and ':' never reach a topic. */
export function agvKeyOf(agvId: string): string {
  return encodeURIComponent(agvId);
}

export function linkTopic(layout: MqttTopicLayout, agvKey: string, direction: 'up' | 'down', link: string): string {
  return `${siteTopic(layout)}/${agvKey}/${direction}/${link}`;
}

/** The platform's subscription: every link's up topic of the site. */
export function upWildcard(layout: MqttTopicLayout): string {
  return `${siteTopic(layout)}/+/up/+`;
}

/** Splits an up topic of the site into its AGV key and link id; undefined for any other topic. */
export function parseUpTopic(layout: MqttTopicLayout, topic: string): { agvKey: string; link: string } | undefined {
  const prefix = `${siteTopic(layout)}/`;
  if (!topic.startsWith(prefix)) return undefined;
  const parts = topic.slice(prefix.length).split('/');
  if (parts.length !== 3 || parts[1] !== 'up' || parts[0] === '' || parts[2] === '') return undefined;
  return { agvKey: parts[0]!, link: parts[2]! };
}

function siteTopic(layout: MqttTopicLayout): string {
  return `${layout.root ?? DEFAULT_MQTT_TOPIC_ROOT}/${encodeURIComponent(layout.site)}`;
}

const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;

/**
 * Turns Nagle's algorithm off on an MQTT client's socket (mqtt.js leaves it on and has no option for it): a frame
 * and its PUBACK are small writes, and with Nagle and delayed ACKs each hop can wait some 40 ms for an ACK.
 * Call it from the client's 'connect' event; a WebSocket stream has no such switch and is left as it is.
 */
export function disableNagle(client: { stream?: unknown }): void {
  (client.stream as { setNoDelay?: (noDelay: boolean) => void } | undefined)?.setNoDelay?.(true);
}
const END_OF_LINK = Buffer.alloc(0);

/**
 * The part of an MQTT client a link channel publishes through: one client per AGV link, or one shared by all of a
 * platform's links (an mqtt.js MqttClient). Declared here so the SDK's types do not need the mqtt package.
 */
export interface MqttPublisher {
  publish(topic: string, payload: Buffer, options: { qos: 1; retain: false }, callback?: (error?: Error) => void): unknown;
}

/**
 * One link as a FrameChannel: sends to its outgoing topic through `client`; the owner hands it the payloads of its
 * incoming topic (receive) and tells it when the MQTT connection is gone (lost).
 */
export class MqttLinkChannel extends BaseChannel {
  private buffered = 0;
  private paused = false;
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private readonly maxBuffered: number;
  readonly boundAgvId: string | undefined;

  constructor(
    readonly peer: string,
    private readonly client: MqttPublisher,
    private readonly outTopic: string,
    options: { maxBufferedBytes?: number; boundAgvId?: string } = {},
  ) {
    super();
    this.maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.boundAgvId = options.boundAgvId;
  }

  /** Bytes published but not yet acknowledged by the broker (PUBACK). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  send(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    if (this.buffered + bytes.length > this.maxBuffered) {
      this.finish('backpressure');
      return false;
    }
    this.buffered += bytes.length;
    this.client.publish(this.outTopic, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { qos: 1, retain: false }, (err) => {
      this.buffered -= bytes.length;
      if (err) this.finish('error');
    });
    return true;
  }

  /** A payload from the incoming topic: frames, or the empty end-of-link marker. */
  receive(payload: Uint8Array): void {
    if (this.closed) return;
    if (payload.length === 0) {
      this.finish('remote');
      return;
    }
    if (!this.paused) {
      this.emitData(payload);
      return;
    }
    // The broker connection may be shared by every link, so one link cannot be left unread the way a socket can: its
    // messages wait here (flow control of the frame budget) and a link that piles up more than the limit is closed.
    this.held.push(payload);
    this.heldBytes += payload.length;
    if (this.heldBytes > this.maxBuffered) this.finish('backpressure');
  }

  /** The MQTT connection under the link is gone. */
  lost(): void {
    this.finish('error');
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const payload of held) {
      if (this.paused || this.closed) {
        this.held.push(payload);
        this.heldBytes += payload.length;
      } else this.emitData(payload);
    }
  }

  protected override finish(reason: ChannelCloseReason): void {
    if (this.closed) return;
    // Tell the other end, as closing a socket would; after a remote end or a lost connection there is no one to tell.
    if (reason === 'local' || reason === 'backpressure') this.client.publish(this.outTopic, END_OF_LINK, { qos: 1, retain: false });
    this.held = [];
    super.finish(reason);
  }

  protected doClose(): void {}
}

export interface MqttLinkOptions extends MqttTopicLayout {
  /** Broker URL: mqtt://host:1883, mqtts://… (credentials may be given in the URL or below). */
  url: string;
  agvId: string;
  username?: string;
  password?: string;
  /**
   * MQTT keepalive (s): the broker publishes the last will after 1.5× this without a packet. A closed connection
   * publishes it at once; this only bounds how long a silent one is kept. Default 15.
   */
  keepaliveS?: number;
  connectTimeoutMs?: number;
  /** Outbound bytes not yet acknowledged by the broker before the link gives up (as TCP's maxBufferedBytes). */
  maxBufferedBytes?: number;
  /** Further mqtt.js client options (TLS material: ca, cert, key...), passed as they are. */
  clientOptions?: Record<string, unknown>;
}

/**
 * Opens a link to the platform through the broker: one MQTT connection with a fresh link id, the last will set to
 * end the link, subscribed to the link's down topic. Resolves once frames can flow.
 */
export async function connectMqtt(options: MqttLinkOptions): Promise<FrameChannel> {
  // Loaded on first use: an AGV on TCP needs no MQTT library installed.
  const { connect } = await import('mqtt');
  const key = agvKeyOf(options.agvId);
  const link = randomBytes(8).toString('hex');
  const up = linkTopic(options, key, 'up', link);
  const down = linkTopic(options, key, 'down', link);
  const client = connect(options.url, {
    // One client id per AGV: a reconnecting AGV takes over from its own stale connection at the broker, whose last
    // will then ends the old link at once instead of after the heartbeat timeout.
    clientId: `${options.root ?? DEFAULT_MQTT_TOPIC_ROOT}/${options.site}/${key}`,
    clean: true,
    reconnectPeriod: 0,
    keepalive: options.keepaliveS ?? 15,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    username: options.username,
    password: options.password,
    will: { topic: up, payload: END_OF_LINK, qos: 1, retain: false },
    ...options.clientOptions,
  });
  let fail: (err: Error) => void = () => {};
  const failed = (err?: Error) => fail(err ?? new Error(`MQTT connection to ${options.url} closed`));
  try {
    await new Promise<void>((resolve, reject) => {
      fail = reject;
      client.on('error', failed);
      client.on('close', failed);
      // Subscribed before the first frame goes out, or the platform's answer could arrive before anyone listens.
      client.once('connect', () => {
        disableNagle(client);
        client.subscribeAsync(down, { qos: 1 }).then(() => resolve(), reject);
      });
    });
  } catch (err) {
    client.end(true);
    throw err;
  } finally {
    // mqtt.js keeps its own 'close' handling (timers): only ours go.
    client.off('error', failed);
    client.off('close', failed);
  }
  const channel = new MqttLinkChannel(`mqtt:${key}/${link}`, client, up, { maxBufferedBytes: options.maxBufferedBytes });
  client.on('message', (topic, payload, packet) => {
    if (topic === down && !packet.retain) channel.receive(payload);
  });
  client.on('error', () => channel.lost());
  client.on('close', () => channel.lost());
  // After a local close the end marker is queued: end() without force sends it before DISCONNECT.
  channel.onClose((reason) => client.end(reason === 'error'));
  return channel;
}
