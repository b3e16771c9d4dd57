import mqtt, { type MqttClient } from 'mqtt';
import { MasterControlClient, type Vda5050Object } from 'vda-5050-lib';
import type { Clock } from '../../core/index.ts';
import type { FleetRegistry } from '../fleet/registry.ts';
import type { AgvIdentity } from '../fleet/types.ts';
import type { Logger } from '../logger.ts';
import type { AuditEntry } from '../session/audit.ts';
import type { SiteMap } from '../site/types.ts';
import type { AgvRecord, EventSeverity, Store } from '../store/types.ts';
import { orderSiteOf, readFactsheet, statusFromState } from './convert.ts';
import { orderTimeoutAlarm, VdaAgvLink, type VdaAgvAddress, type VdaLinkContext } from './vda-link.ts';
import { VdaSpaceLink, type VdaSpaceService } from './vda-space.ts';
import type { VdaConnection, VdaFactsheet, VdaHeader, VdaState } from './wire.ts';

// The platform's VDA 5050 master control: one MQTT connection for every VDA AGV of the site. It reads each AGV's
// `connection` (online/offline, last will), `factsheet` (registration through the same admission rules as the guide
// protocol) and `state` (status into the registry, command outcomes), and gives the fleet runtime one VdaAgvLink
// per admitted AGV. Whatever arrives is checked before use: topic, JSON, vda-5050-lib's schema, header identity,
// header order; anything else is counted, logged (rate-limited) and dropped, never a crash.

export interface VdaBridgeSettings {
  brokerUrl: string;
  /** First topic level; one namespace per site (VDA `interfaceName`). */
  interfaceName: string;
  autoEnrol: boolean;
  autoApprove: boolean;
  requireSecure: boolean;
  /** An order or instant action not visible in the AGV's state after this long is ignored (alarm). */
  commandTimeoutMs: number;
  /** An AGV silent this long is offline even without a last will (broker down, AGV hung). */
  staleAfterMs: number;
  /** Header timestamps further than this from the platform's wall clock are counted as clock skew. */
  maxClockSkewMs: number;
  /** `loadType` sent with pick/drop. */
  loadType: string;
  /** How long start() waits for the broker before it gives up. */
  connectTimeoutMs: number;
}

export interface VdaBridgeOptions {
  clock: Clock;
  /** Wall clock for judging the AGVs' header timestamps (the platform clock may be virtual in simulations). */
  wallClock?: () => number;
  store: Store;
  registry: FleetRegistry;
  site: SiteMap;
  logger: Logger;
  settings: VdaBridgeSettings;
  audit(entry: AuditEntry): void;
  recordLatency(kind: string, ms: number): void;
  /** Every state accepted from an admitted AGV (tests and benchmarks). */
  tapState?: (agvId: string, state: VdaState) => void;
  /** Answers 3.0 AGVs' zone and edge requests; without it they are ignored. */
  space?: VdaSpaceOptions;
}

export interface VdaSpaceOptions {
  service: VdaSpaceService;
  /** Nodes a zone of the platform's zone set covers; undefined for an unknown zone id. */
  zoneNodes(zoneId: string): readonly string[] | undefined;
  /** Window asked for each request (a lease is renewed up to this long). */
  windowMs: number;
}

export class VdaBridgeError extends Error {}

/** vda-5050-lib's client, used only for its schema validators: it is never started, so it never connects. */
class SchemaCheck extends MasterControlClient {
  check(topic: string, message: object, vdaVersion: '1.1.0' | '2.0.0'): void {
    this.validateTopicObject(topic, message as Vda5050Object, vdaVersion);
  }
}

type Phase = 'new' | 'admitting' | 'pending' | 'active' | 'refused' | 'closed' | 'offline';

interface VdaAgvEntry {
  agvId: string;
  address: VdaAgvAddress;
  version: string;
  phase: Phase;
  online: boolean;
  link: VdaAgvLink | undefined;
  /** 3.0 AGVs only: their zone and edge requests. */
  space: VdaSpaceLink | undefined;
  factsheet: VdaFactsheet | undefined;
  factsheetAskedAt: number;
  /** Last headerId per topic: an older or repeated one is a duplicate. */
  lastHeader: Map<string, number>;
  /** Header counter per outbound topic. */
  outHeader: Map<string, number>;
  lastHeard: number;
  lastPersistAt: number;
  lastPersistedNode: string | undefined;
  skewReported: boolean;
  identity: AgvIdentity | undefined;
}

export interface VdaCounters {
  messages: number;
  states: number;
  duplicates: number;
  clockSkew: number;
  ordersIgnored: number;
  /** Dropped inbound messages by reason: topic, json, schema, identity, version. */
  invalid: Record<string, number>;
}

const INBOUND = new Set(['connection', 'state', 'factsheet', 'visualization']);
const FACTSHEET_RETRY_MS = 5_000;
const INVALID_LOG_WINDOW_MS = 10_000;

export class VdaBridge {
  readonly counters: VdaCounters = { messages: 0, states: 0, duplicates: 0, clockSkew: 0, ordersIgnored: 0, invalid: {} };
  private client: MqttClient | undefined;
  private readonly agvs = new Map<string, VdaAgvEntry>();
  private readonly validator: SchemaCheck;
  private readonly orderSite;
  private readonly linkCtx: VdaLinkContext;
  private readonly invalidLoggedAt = new Map<string, number>();
  private cancelSweep: (() => void) | undefined;
  private stopped = false;
  private wasConnected = false;

  constructor(private readonly opts: VdaBridgeOptions) {
    const s = opts.settings;
    this.validator = new SchemaCheck({ interfaceName: s.interfaceName, transport: { brokerUrl: s.brokerUrl }, vdaVersion: '2.0.0' });
    this.orderSite = orderSiteOf(opts.site);
    this.linkCtx = {
      clock: opts.clock,
      site: this.orderSite,
      loadType: s.loadType,
      commandTimeoutMs: s.commandTimeoutMs,
      publish: (link, topic, body) => this.publish(link.address, topic, body),
      recordLatency: (kind, ms) => opts.recordLatency(kind, ms),
      ignored: (link, what) => this.commandIgnored(link, what),
      closed: (link, reason) => this.linkClosed(link, reason),
    };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects and subscribes; rejects with a clear message if no broker answers within connectTimeoutMs. */
  async start(): Promise<void> {
    const s = this.opts.settings;
    const client = mqtt.connect(s.brokerUrl, {
      clientId: `unifleet-${s.interfaceName}-${Math.random().toString(16).slice(2, 10)}`,
      clean: true,
      reconnectPeriod: 1_000,
      connectTimeout: s.connectTimeoutMs,
      resubscribe: true,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no answer within ${s.connectTimeoutMs} ms`)), s.connectTimeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        client.end(true);
        reject(new VdaBridgeError(`VDA 5050: no MQTT broker answers at ${s.brokerUrl} (${err.message}); start one (e.g. mosquitto) or set --vda-broker-url`));
      };
      client.once('connect', () => {
        clearTimeout(timer);
        client.removeListener('error', fail);
        resolve();
      });
      client.once('error', fail);
    });
    const topics = ['connection', 'state', 'factsheet'].map((t) => `${s.interfaceName}/+/+/+/${t}`);
    await client.subscribeAsync(topics, { qos: 1 });
    this.wasConnected = true;
    client.on('connect', () => this.reconnected());
    client.on('offline', () => this.opts.logger.warn({ broker: s.brokerUrl }, 'VDA 5050: broker connection lost; retrying'));
    client.on('error', (err) => this.opts.logger.warn({ err: err.message }, 'VDA 5050: broker error'));
    this.scheduleSweep();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelSweep?.();
    for (const entry of this.agvs.values()) if (entry.link) this.goOffline(entry, 'platform shutting down');
    await this.client?.endAsync();
  }

  /** An operator's admission decision (the API calls this next to the guide protocol's sessions). */
  admissionDecided(agvId: string, decision: 'approved' | 'rejected'): void {
    for (const entry of this.agvs.values()) {
      if (entry.agvId !== agvId) continue;
      if (decision === 'approved' && entry.phase === 'pending') this.activate(entry);
      else if (decision === 'rejected') {
        if (entry.link) this.goOffline(entry, 'rejected by an operator');
        entry.phase = 'refused';
      }
    }
  }

  /** VDA AGVs the bridge has heard of, with their phase (for tests and the status line). */
  list(): { agvId: string; manufacturer: string; version: string; phase: Phase; online: boolean }[] {
    return [...this.agvs.values()].map((e) => ({ agvId: e.agvId, manufacturer: e.address.manufacturer, version: e.version, phase: e.phase, online: e.online }));
  }

  // ---- inbound ----

  private onMessage(topic: string, payload: Buffer): void {
    this.counters.messages++;
    // An empty retained message clears a retained topic; it carries nothing to read.
    if (payload.length === 0) return;
    const parts = topic.split('/');
    if (parts.length !== 5 || parts[0] !== this.opts.settings.interfaceName || !INBOUND.has(parts[4]!)) return this.invalid('topic', topic, 'unexpected topic');
    const [, major, manufacturer, serialNumber, name] = parts as [string, string, string, string, string];
    if (major !== 'v1' && major !== 'v2' && major !== 'v3') return this.invalid('version', topic, `major version ${major} is not supported`);
    let message: VdaHeader;
    try {
      message = JSON.parse(payload.toString('utf8')) as VdaHeader;
    } catch (err) {
      return this.invalid('json', topic, (err as Error).message);
    }
    try {
      // 3.0 messages are checked against the 2.0 schema (vda-5050-lib has none for 3.0; 3.0 only adds fields), under
      // a 2.0 version, which the library's check otherwise refuses as incompatible.
      this.validator.check(name, major === 'v3' ? { ...message, version: '2.0.0' } : message, major === 'v1' ? '1.1.0' : '2.0.0');
    } catch (err) {
      return this.invalid('schema', topic, (err as Error).message);
    }
    if (message.manufacturer !== manufacturer || message.serialNumber !== serialNumber) return this.invalid('identity', topic, 'header manufacturer/serialNumber differ from the topic');
    const entry = this.entryFor({ manufacturer, serialNumber, major }, message.version);
    if (!entry) return;
    if (name === 'connection' && (message as VdaConnection).connectionState === 'ONLINE') entry.lastHeader.clear();
    const last = entry.lastHeader.get(name);
    if (last !== undefined && message.headerId <= last) {
      this.counters.duplicates++;
      return;
    }
    entry.lastHeader.set(name, message.headerId);
    this.checkSkew(entry, message.timestamp);
    entry.lastHeard = this.opts.clock.now();
    if (name === 'connection') this.onConnection(entry, message as VdaConnection);
    else if (name === 'factsheet') this.onFactsheet(entry, message as VdaFactsheet);
    else if (name === 'state') this.onState(entry, message as VdaState);
  }

  private entryFor(address: VdaAgvAddress, version: string): VdaAgvEntry | undefined {
    const key = `${address.manufacturer}/${address.serialNumber}`;
    let entry = this.agvs.get(key);
    if (!entry) {
      entry = {
        agvId: address.serialNumber,
        address,
        version,
        phase: 'new',
        online: false,
        link: undefined,
        space: undefined,
        factsheet: undefined,
        factsheetAskedAt: -Infinity,
        lastHeader: new Map(),
        outHeader: new Map(),
        lastHeard: this.opts.clock.now(),
        lastPersistAt: 0,
        lastPersistedNode: undefined,
        skewReported: false,
        identity: undefined,
      };
      this.agvs.set(key, entry);
    }
    // Version per AGV: the topic's major version, the message's full version.
    entry.address = address;
    entry.version = version;
    return entry;
  }

  private onConnection(entry: VdaAgvEntry, message: VdaConnection): void {
    if (message.connectionState === 'ONLINE') {
      entry.online = true;
      if (entry.phase === 'closed' || entry.phase === 'offline' || entry.phase === 'refused') entry.phase = 'new';
      this.advance(entry);
    } else {
      entry.online = false;
      if (entry.link) this.goOffline(entry, message.connectionState === 'CONNECTIONBROKEN' ? 'connection broken (last will)' : 'went offline');
      if (entry.phase !== 'refused') entry.phase = 'offline';
    }
  }

  private onFactsheet(entry: VdaAgvEntry, message: VdaFactsheet): void {
    entry.factsheet = message;
    if (entry.phase === 'refused') entry.phase = 'new';
    this.advance(entry);
  }

  private onState(entry: VdaAgvEntry, state: VdaState): void {
    this.counters.states++;
    entry.online = true;
    if (entry.phase === 'offline') entry.phase = 'new';
    const link = entry.link;
    if (entry.phase !== 'active' || !link) {
      this.advance(entry, state);
      return;
    }
    link.onState(state);
    const status = statusFromState(state, this.opts.clock.now(), this.orderSite.has, link.alarms());
    this.opts.registry.updateStatus(entry.agvId, status);
    this.persistSighting(entry, status.lastNodeId);
    // After the status: space decisions read where traffic control has the AGV standing.
    entry.space?.onState(state);
    this.opts.tapState?.(entry.agvId, state);
  }

  /** Moves an AGV that is not active toward admission: ask for its factsheet, or admit it with the one it sent. */
  private advance(entry: VdaAgvEntry, state?: VdaState): void {
    if (entry.phase !== 'new' || !entry.online) return;
    if (!entry.factsheet) {
      const now = this.opts.clock.now();
      if (now - entry.factsheetAskedAt < FACTSHEET_RETRY_MS) return;
      entry.factsheetAskedAt = now;
      this.publish(entry.address, 'instantActions', { instantActions: [{ actionType: 'factsheetRequest', actionId: `uf-factsheet-${now}`, blockingType: 'NONE' }] }, entry);
      return;
    }
    void this.admit(entry, state);
  }

  /** The guide protocol's admission rules for an AGV that can prove nothing but its name (VDA has no secure mode). */
  private async admit(entry: VdaAgvEntry, state?: VdaState): Promise<void> {
    entry.phase = 'admitting';
    const id = entry.agvId;
    const refuse = (kind: AuditEntry['kind'], reason: string, detail: string) => {
      entry.phase = 'refused';
      this.opts.audit({ kind, reason, agvId: id, peer: `vda5050:${entry.address.manufacturer}`, detail: `${id}: ${detail}` });
    };
    const reading = readFactsheet(entry.factsheet!, entry.version);
    if (!reading.ok) return refuse('registration_refused', 'rejectedCapabilities', reading.detail);
    let record: AgvRecord | undefined;
    try {
      record = await this.opts.store.agvs.get(id);
    } catch (err) {
      entry.phase = 'new';
      this.opts.logger.error({ err, agvId: id }, 'VDA 5050 admission postponed: AGV registry not readable');
      return;
    }
    const s = this.opts.settings;
    if (!record && !s.autoEnrol) return refuse('access_refused', 'unknownAgv', `AGV ${id} is not enrolled and auto-enrolment is off`);
    if (record?.admission === 'rejected') return refuse('access_refused', 'refused', `AGV ${id} was rejected by an operator`);
    if (s.requireSecure || record?.publicKeyHex || record?.secretVerifierHex) return refuse('access_refused', 'secureRequired', 'this AGV must prove an enrolled credential, which VDA 5050 cannot carry');
    if (record && record.serial !== '' && record.vendor !== '' && record.vendor !== entry.address.manufacturer) return refuse('registration_refused', 'rejectedIdentity', `manufacturer ${entry.address.manufacturer} does not match the enrolled AGV's ${record.vendor}`);
    const live = this.opts.registry.live(id)?.link;
    if (live && !(live instanceof VdaAgvLink)) return refuse('takeover_refused', 'duplicateSession', `AGV ${id} is already connected over the guide protocol`);
    const { reading: r } = reading;
    try {
      record = await this.opts.store.agvs.upsertSeen({ id, at: this.opts.clock.now(), vendor: entry.address.manufacturer, model: r.model, serial: entry.address.serialNumber, type: r.type, capabilities: r.capabilities, mode: 'normal', admission: s.autoApprove ? 'approved' : 'pending' });
    } catch (err) {
      entry.phase = 'new';
      this.opts.logger.error({ err, agvId: id }, 'VDA 5050 admission postponed: AGV registry not writable');
      return;
    }
    if (entry.phase !== 'admitting') return;
    entry.identity = { id, vendor: entry.address.manufacturer, model: r.model, serial: entry.address.serialNumber, type: r.type, softwareVersion: `vda5050 ${entry.version}`, capabilities: r.capabilities, footprint: r.footprint };
    if (record.admission === 'pending') {
      entry.phase = 'pending';
      this.opts.audit({ kind: 'admission', reason: 'pending', agvId: id, detail: `${id} (${entry.address.manufacturer} ${r.model}, VDA 5050 ${entry.version}) registered and waits for an operator's approval` });
      return;
    }
    this.activate(entry, state);
  }

  private activate(entry: VdaAgvEntry, state?: VdaState): void {
    if (!entry.identity) return;
    entry.phase = 'active';
    const link = new VdaAgvLink(entry.agvId, entry.address, entry.version, this.linkCtx);
    entry.link = link;
    entry.space = this.spaceLinkFor(entry);
    this.opts.registry.connect(entry.identity, link, this.opts.clock.now());
    void this.log('info', 'agv.online', `${entry.agvId} online (${entry.address.manufacturer} ${entry.identity.model}, VDA 5050 ${entry.version})`, entry.agvId);
    if (state) this.onState(entry, state);
    else link.request('stateRequest');
  }

  /** Zone and edge requests are 3.0's: only an AGV on `v3` topics or with a 3.x version gets them answered. */
  private spaceLinkFor(entry: VdaAgvEntry): VdaSpaceLink | undefined {
    const space = this.opts.space;
    if (!space || (entry.address.major !== 'v3' && !entry.version.startsWith('3.'))) return undefined;
    const edges = new Map(this.opts.site.edges.map((e) => [e.id, [e.from, e.to]]));
    return new VdaSpaceLink(entry.agvId, {
      service: space.service,
      zoneNodes: (id) => space.zoneNodes(id),
      edgeNodes: (id) => edges.get(id),
      publish: (body) => this.publish(entry.address, 'responses', body, entry),
      now: () => this.opts.clock.now(),
      wallNow: () => this.wallNow(),
      windowMs: space.windowMs,
    });
  }

  private dropSpace(entry: VdaAgvEntry): void {
    entry.space?.close();
    entry.space = undefined;
  }

  private goOffline(entry: VdaAgvEntry, reason: string): void {
    const link = entry.link;
    if (!link) return;
    this.dropSpace(entry);
    entry.link = undefined;
    entry.phase = 'offline';
    link.close(reason);
    this.opts.registry.disconnect(entry.agvId, link, reason);
    void this.log('warning', 'agv.offline', `${entry.agvId} offline: ${reason}`, entry.agvId);
    void this.opts.store.agvs.upsertSeen({ id: entry.agvId, at: entry.lastHeard }).catch((err: unknown) => this.opts.logger.error({ err, agvId: entry.agvId }, 'last sighting not stored'));
  }

  /** The registry replaced the link, or an operator or shutdown closed it. */
  private linkClosed(link: VdaAgvLink, reason: string): void {
    const entry = this.agvs.get(`${link.address.manufacturer}/${link.address.serialNumber}`);
    if (!entry || entry.link !== link) return;
    this.dropSpace(entry);
    entry.link = undefined;
    entry.phase = 'closed';
    this.opts.registry.disconnect(entry.agvId, link, reason);
  }

  private commandIgnored(link: VdaAgvLink, what: string): void {
    this.counters.ordersIgnored++;
    if (what.startsWith('order')) link.orderTimeoutAlarm = orderTimeoutAlarm(what, this.opts.settings.commandTimeoutMs);
    void this.log('error', 'vda.command_timeout', `${link.agvId} did not take up ${what} within ${this.opts.settings.commandTimeoutMs} ms`, link.agvId);
  }

  // ---- outbound ----

  private publish(address: VdaAgvAddress, topic: 'order' | 'instantActions' | 'responses', body: Record<string, unknown>, known?: VdaAgvEntry): void {
    const entry = known ?? this.agvs.get(`${address.manufacturer}/${address.serialNumber}`);
    if (!entry || !this.client) return;
    const headerId = entry.outHeader.get(topic) ?? 0;
    entry.outHeader.set(topic, headerId + 1);
    const header = { headerId, timestamp: new Date(this.wallNow()).toISOString(), version: entry.version, manufacturer: address.manufacturer, serialNumber: address.serialNumber };
    // 3.0 renamed instantActions' list to `actions`; a 3.0 AGV gets both names.
    const payload = address.major === 'v3' && 'instantActions' in body ? { ...header, ...body, actions: body.instantActions } : { ...header, ...body };
    // QoS 1: while the broker is away mqtt.js keeps it queued and sends it after reconnecting.
    this.client.publish(`${this.opts.settings.interfaceName}/${address.major}/${address.manufacturer}/${address.serialNumber}/${topic}`, JSON.stringify(payload), { qos: 1 }, (err) => {
      if (err) this.opts.logger.warn({ err: err.message, agvId: entry.agvId, topic }, 'VDA 5050 publish failed');
    });
  }

  // ---- housekeeping ----

  /** The broker is back: what an AGV has not shown in its state goes out again, and every AGV is asked for its state. */
  private reconnected(): void {
    if (!this.wasConnected) return;
    this.opts.logger.info({ broker: this.opts.settings.brokerUrl }, 'VDA 5050: broker connection back; re-sending pending commands');
    for (const entry of this.agvs.values()) {
      if (!entry.link) continue;
      entry.link.resendPending();
      entry.link.request('stateRequest');
    }
  }

  private scheduleSweep(): void {
    if (this.stopped) return;
    this.cancelSweep = this.opts.clock.setTimeout(() => {
      this.sweep();
      this.scheduleSweep();
    }, 500);
  }

  private sweep(): void {
    const now = this.opts.clock.now();
    for (const entry of this.agvs.values()) {
      if (entry.link) {
        entry.link.sweep(now);
        if (now - entry.lastHeard > this.opts.settings.staleAfterMs) this.goOffline(entry, `no message for ${this.opts.settings.staleAfterMs} ms`);
      } else if (entry.phase === 'new') {
        this.advance(entry);
      }
    }
  }

  private checkSkew(entry: VdaAgvEntry, timestamp: string): void {
    const skew = Date.parse(timestamp) - this.wallNow();
    if (!(Math.abs(skew) > this.opts.settings.maxClockSkewMs)) return;
    // The platform never acts on the AGVs' timestamps (arrival time counts), so skew is reported, not refused.
    this.counters.clockSkew++;
    if (entry.skewReported) return;
    entry.skewReported = true;
    void this.log('warning', 'vda.clock_skew', `${entry.agvId}'s clock is ${Math.round(skew)} ms off the platform's; its timestamps are ignored`, entry.agvId);
  }

  private invalid(reason: string, topic: string, detail: string): void {
    this.counters.invalid[reason] = (this.counters.invalid[reason] ?? 0) + 1;
    const now = this.wallNow();
    if (now - (this.invalidLoggedAt.get(reason) ?? -Infinity) < INVALID_LOG_WINDOW_MS) return;
    this.invalidLoggedAt.set(reason, now);
    this.opts.logger.warn({ topic, reason, detail, dropped: this.counters.invalid[reason] }, 'VDA 5050 message dropped');
  }

  private persistSighting(entry: VdaAgvEntry, node: string | undefined): void {
    const now = this.opts.clock.now();
    if (now - entry.lastPersistAt < 5_000 || (node === entry.lastPersistedNode && now - entry.lastPersistAt < 60_000)) return;
    entry.lastPersistAt = now;
    entry.lastPersistedNode = node;
    void this.opts.store.agvs.upsertSeen({ id: entry.agvId, at: now, lastNode: node ?? null }).catch((err: unknown) => this.opts.logger.error({ err, agvId: entry.agvId }, 'last position not stored'));
  }

  private wallNow(): number {
    return (this.opts.wallClock ?? Date.now)();
  }

  private async log(severity: EventSeverity, type: string, message: string, agvId: string): Promise<void> {
    try {
      await this.opts.store.events.append({ at: this.opts.clock.now(), severity, type, message, agvId, data: undefined });
    } catch (err) {
      this.opts.logger.error({ err, agvId }, `event ${type} not stored`);
    }
  }
}
