// Lifts and doors over MQTT: the platform side (MqttLift, MqttDoor: LiftController / DoorController that talk to a
// gateway) and the gateway side (serveLift, serveDoor: put any controller, e.g. the simulated one, behind the
// topics). Both follow the JSON contract in contract.ts and docs/lifts-and-doors.md.

import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Clock } from '../../core/clock.ts';
import {
  doorTopics, liftTopics, parseDoorCommand, parseDoorState, parseLiftCommand, parseLiftState, parseReply,
  type DoorCommand, type LiftCommand,
} from './contract.ts';
import { Listeners } from './listeners.ts';
import type { CommandReply, DoorController, DoorState, LiftController, LiftState, Unsubscribe } from './types.ts';

export interface MqttBindingOptions {
  client: MqttClient;
  /** Topic prefix of the site, e.g. `unifleet/site-1`; tests use a random one. */
  prefix: string;
  clock: Clock;
  /** A command the gateway has not answered in this time counts as refused (default 5 s). */
  replyTimeoutMs?: number;
  /** Told about every malformed message received (then ignored). */
  onInvalid?: (topic: string, error: string) => void;
}

type Topics = ReturnType<typeof liftTopics>;
type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** State subscription plus command/reply correlation, shared by remote lifts and doors. */
class RemoteEquipment<S> {
  protected current: S;
  protected readonly listeners = new Listeners<S>();
  private readonly pending = new Map<string, { resolve: (reply: CommandReply) => void; cancel: () => void }>();
  private readonly requestPrefix = randomUUID().slice(0, 8);
  private counter = 0;
  private readonly handler = (topic: string, payload: Buffer) => this.onMessage(topic, payload);

  constructor(
    private readonly options: MqttBindingOptions,
    private readonly topics: Topics,
    private readonly parseState: (payload: Buffer) => Parsed<S>,
    initial: S,
  ) {
    this.current = initial;
    options.client.on('message', this.handler);
    options.client.subscribe([topics.state, topics.reply], { qos: 1 });
  }

  state(): S {
    return { ...this.current };
  }

  onState(listener: (state: S) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  /** Stops listening; commands still waiting resolve as refused. */
  dispose(): void {
    this.options.client.off('message', this.handler);
    this.options.client.unsubscribe([this.topics.state, this.topics.reply]);
    for (const [requestId, p] of this.pending) this.settle(requestId, p, { accepted: false, reason: 'binding closed' });
  }

  protected send(command: Record<string, string>): Promise<CommandReply> {
    const requestId = `${this.requestPrefix}-${++this.counter}`;
    return new Promise((resolve) => {
      const timeoutMs = this.options.replyTimeoutMs ?? 5000;
      const entry = {
        resolve,
        cancel: this.options.clock.setTimeout(() => this.settle(requestId, entry, { accepted: false, reason: `no reply within ${timeoutMs} ms` }), timeoutMs),
      };
      this.pending.set(requestId, entry);
      this.options.client.publish(this.topics.command, JSON.stringify({ requestId, ...command }), { qos: 1 }, (err) => {
        if (err) this.settle(requestId, entry, { accepted: false, reason: `publish failed: ${err.message}` });
      });
    });
  }

  private settle(requestId: string, entry: { resolve: (r: CommandReply) => void; cancel: () => void }, reply: CommandReply): void {
    if (this.pending.get(requestId) !== entry) return;
    this.pending.delete(requestId);
    entry.cancel();
    entry.resolve(reply);
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.topics.state) {
      const parsed = this.parseState(payload);
      if (!parsed.ok) return this.options.onInvalid?.(topic, parsed.error);
      this.current = parsed.value;
      this.listeners.emit(this.state());
    } else if (topic === this.topics.reply) {
      const parsed = parseReply(payload);
      if (!parsed.ok) return this.options.onInvalid?.(topic, parsed.error);
      const { requestId, ...reply } = parsed.value;
      const entry = this.pending.get(requestId);
      if (entry) this.settle(requestId, entry, reply);
    }
  }
}

/**
 * A lift behind a gateway. Until its first state message arrives it reads as out of service with fault `noState`:
 * the platform never schedules a ride on a lift it has not heard from.
 */
export class MqttLift extends RemoteEquipment<LiftState> implements LiftController {
  constructor(options: MqttBindingOptions, readonly liftId: string) {
    super(options, liftTopics(options.prefix, liftId), (p) => parseLiftState(p), {
      liftId, floor: '', door: 'closed', motion: 'idle', mode: 'outOfService', sessionId: null, fault: 'noState',
    });
  }

  call(sessionId: string, floor: string): Promise<CommandReply> {
    return this.send({ command: 'call', sessionId, floor });
  }

  release(sessionId: string): Promise<CommandReply> {
    return this.send({ command: 'release', sessionId });
  }
}

/** A door behind a gateway; reads as closed with fault `noState` until its first state message. */
export class MqttDoor extends RemoteEquipment<DoorState> implements DoorController {
  constructor(options: MqttBindingOptions, readonly doorId: string) {
    super(options, doorTopics(options.prefix, doorId), (p) => parseDoorState(p), { doorId, position: 'closed', fault: 'noState' });
  }

  open(): Promise<CommandReply> {
    return this.send({ command: 'open' });
  }

  close(): Promise<CommandReply> {
    return this.send({ command: 'close' });
  }
}

export interface GatewayOptions {
  client: MqttClient;
  prefix: string;
  onInvalid?: (topic: string, error: string) => void;
}

/** The gateway side for one piece of equipment: publishes its state (retained) and answers its commands. */
function serve<S, C>(
  options: GatewayOptions,
  topics: Topics,
  equipment: { state(): S; onState(l: (s: S) => void): Unsubscribe },
  parseCommand: (payload: Buffer) => Parsed<C & { requestId: string }>,
  run: (command: C) => Promise<CommandReply>,
): () => void {
  const { client } = options;
  const publishState = (state: S) => client.publish(topics.state, JSON.stringify(state), { qos: 1, retain: true });
  const handler = (topic: string, payload: Buffer) => {
    if (topic !== topics.command) return;
    const parsed = parseCommand(payload);
    if (!parsed.ok) {
      options.onInvalid?.(topic, parsed.error);
      // A command we cannot read is answered when it at least names its request, so the platform is not left waiting.
      const requestId = requestIdOf(payload);
      if (requestId) client.publish(topics.reply, JSON.stringify({ requestId, accepted: false, reason: parsed.error }), { qos: 1 });
      return;
    }
    void run(parsed.value).then((reply) => client.publish(topics.reply, JSON.stringify({ requestId: parsed.value.requestId, ...reply }), { qos: 1 }));
  };
  client.on('message', handler);
  client.subscribe(topics.command, { qos: 1 });
  const unsubscribeState = equipment.onState(publishState);
  publishState(equipment.state());
  return () => {
    unsubscribeState();
    client.off('message', handler);
    client.unsubscribe(topics.command);
  };
}

function requestIdOf(payload: Buffer): string | undefined {
  try {
    const o = JSON.parse(payload.toString()) as { requestId?: unknown };
    return typeof o.requestId === 'string' && o.requestId.length <= 128 ? o.requestId : undefined;
  } catch {
    return undefined;
  }
}

/** Puts a lift controller (a simulated one, or a vendor's driver) behind the MQTT contract. Returns a stop function. */
export function serveLift(options: GatewayOptions, lift: LiftController): () => void {
  return serve<LiftState, LiftCommand>(options, liftTopics(options.prefix, lift.liftId), lift, parseLiftCommand, (c) =>
    c.command === 'call' ? lift.call(c.sessionId, c.floor) : lift.release(c.sessionId),
  );
}

/** Puts a door controller behind the MQTT contract. Returns a stop function. */
export function serveDoor(options: GatewayOptions, door: DoorController): () => void {
  return serve<DoorState, DoorCommand>(options, doorTopics(options.prefix, door.doorId), door, parseDoorCommand, (c) =>
    c.command === 'open' ? door.open() : door.close(),
  );
}
