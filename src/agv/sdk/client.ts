import { systemClock, type Clock } from '../../core/index.ts';
import { accessProof, createSecureProtector, enrolmentSecretKey, PROTOCOL_VERSION, type Frame, type Message, type ProtocolError, type ProtocolErrorCode } from '../../protocol/index.ts';
import { KeyExchangeInitiator, SecureSession, Sm2Signer } from '../../protocol/secure/index.ts';
import type { FrameChannel } from '../transport/channel.ts';
import { FramePeer, type RequestOutcome } from '../transport/frame-peer.ts';
import { connectTcp } from '../transport/tcp.ts';
import { connectMqtt } from '../transport/mqtt.ts';
import type {
  ActuatorCommand, AgvClientOptions, AlarmFields, ChargingCommand, ClientState, CommandResult, GlobalConfig, Handler, MapSwitch,
  MotionCommand, MotionControl, NavModeSwitch, ParamQuery, ParamResult, ParamSet, ParamValue, RunningDataFields, RunningDataRequest, SpaceRequest, SpaceResponse, SpaceLeaseEnd, BlockageFields,
} from './types.ts';

// The AGV SDK: what a vendor embeds to join a UniFleet site. It connects, asks for access, registers with its
// capability sheet, applies the platform's global config, reports status at the configured period, keeps the
// heartbeat, hands each command to a typed handler (acking or nacking it), and reconnects with exponential
// backoff whenever the link drops.

export interface ClientEvents {
  state: (state: ClientState) => void;
  refused: (stage: 'access' | 'registration', reason: string) => void;
  protocolError: (error: ProtocolError) => void;
  /**
   * An active link ended: the platform fell silent for the heartbeat timeout (a dead or hung platform, or a dead
   * network path), or the connection closed. The client reconnects on its own; the vehicle must not drive beyond
   * what was released and should stop at its next node.
   */
  linkLost: (reason: 'heartbeatTimeout' | 'closed') => void;
}

export type MapSwitchOutcome = { result: 'success' | 'failed' | 'rejected' | 'notAtSwitchPoint'; localisationScore?: number; detail?: string };
export type NavSwitchOutcome = { result: 'success' | 'failed' | 'rejected' | 'notAtSwitchPoint'; detail?: string };

export class AgvClient {
  private readonly clock: Clock;
  /** HMAC key derived from the enrolment secret, when the AGV has one. */
  private readonly secretKey: Uint8Array | undefined;
  private peer: FramePeer | undefined;
  private stateValue: ClientState = 'idle';
  private config: GlobalConfig | undefined;
  private backoffMs: number;
  /** The platform's retry hint from accessResponse(busy), used for the next reconnect only. */
  private retryAfterMs: number | undefined;
  private timers: (() => void)[] = [];
  private lastHeard = 0;
  /** Index into options.endpoints of the instance that accepted last (tried first next time). */
  private endpointIndex = 0;
  /** Negotiated at access. */
  private version = PROTOCOL_VERSION;

  /** The protocol version agreed at access (the highest both sides speak). */
  get protocolVersion(): number {
    return this.version;
  }
  private stopped = false;
  private nextRequestId = 1;
  private initiator: KeyExchangeInitiator | undefined;
  /** Signs with the AGV's key on every secure link: checked and loaded once, not at every reconnect. */
  private signer: Sm2Signer | undefined;
  private spaceWaiters = new Map<number, (r: SpaceResponse) => void>();
  private listeners: { [K in keyof ClientEvents]: ClientEvents[K][] } = { state: [], refused: [], protocolError: [], linkLost: [] };
  private handlers: {
    motion?: Handler<MotionCommand>;
    control?: Handler<MotionControl>;
    actuator?: Handler<ActuatorCommand>;
    charging?: Handler<ChargingCommand>;
    mapSwitch?: Handler<MapSwitch, MapSwitchOutcome>;
    navSwitch?: Handler<NavModeSwitch, NavSwitchOutcome>;
    paramQuery?: (q: ParamQuery) => ParamValue[];
    paramSet?: Handler<ParamSet, ParamResult[]>;
    runningData?: (r: RunningDataRequest) => RunningDataFields;
    space?: (r: SpaceResponse) => void;
    leaseEnd?: (m: SpaceLeaseEnd) => void;
  } = {};

  constructor(
    private readonly options: AgvClientOptions,
    clock: Clock = systemClock,
  ) {
    this.clock = clock;
    this.backoffMs = options.initialBackoffMs ?? 500;
    if ((options.mode ?? 'normal') === 'secure' && !options.secure) throw new Error('secure mode needs the AGV key pair (options.secure)');
    if (options.transport === 'mqtt' && !options.connect && !options.mqtt?.url) throw new Error('transport mqtt needs the broker (options.mqtt.url and site)');
    if (options.enrolmentSecret !== undefined) {
      if (!/^[0-9a-fA-F]{64}$/.test(options.enrolmentSecret)) throw new Error('enrolmentSecret must be 64 hex characters (32 bytes)');
      this.secretKey = enrolmentSecretKey(Buffer.from(options.enrolmentSecret, 'hex'));
    }
  }

  get state(): ClientState {
    return this.stateValue;
  }

  get agvId(): string {
    return this.options.agvId;
  }

  /** The global config the platform pushed, once registered. */
  get globalConfig(): GlobalConfig | undefined {
    return this.config;
  }

  onMotion(handler: Handler<MotionCommand>): this {
    this.handlers.motion = handler;
    return this;
  }
  onControl(handler: Handler<MotionControl>): this {
    this.handlers.control = handler;
    return this;
  }
  onActuator(handler: Handler<ActuatorCommand>): this {
    this.handlers.actuator = handler;
    return this;
  }
  onCharging(handler: Handler<ChargingCommand>): this {
    this.handlers.charging = handler;
    return this;
  }
  onMapSwitch(handler: Handler<MapSwitch, MapSwitchOutcome>): this {
    this.handlers.mapSwitch = handler;
    return this;
  }
  onNavModeSwitch(handler: Handler<NavModeSwitch, NavSwitchOutcome>): this {
    this.handlers.navSwitch = handler;
    return this;
  }
  /**
   * Applies a paramSet, all or nothing; return one result per parameter (answered as paramSetAck). Without a handler
   * every parameter is answered readOnly.
   */
  onParamSet(handler: Handler<ParamSet, ParamResult[]>): this {
    this.handlers.paramSet = handler;
    return this;
  }
  /** Answers the platform's parameter reads; return the values asked for (all when the query lists none). */
  onParamQuery(handler: (query: ParamQuery) => ParamValue[]): this {
    this.handlers.paramQuery = handler;
    return this;
  }
  /** Answers runningDataRequest (odometry, counters, diagnostics, logs); without a handler the request is nacked. */
  onRunningDataRequest(handler: (request: RunningDataRequest) => RunningDataFields): this {
    this.handlers.runningData = handler;
    return this;
  }
  onSpaceResponse(handler: (r: SpaceResponse) => void): this {
    this.handlers.space = handler;
    return this;
  }
  /** A lease ended without a release (protocol 1.2): the frame is acked, then the handler acts on it. */
  onSpaceLeaseEnd(handler: (m: SpaceLeaseEnd) => void): this {
    this.handlers.leaseEnd = handler;
    return this;
  }

  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): this {
    (this.listeners[event] as ClientEvents[K][]).push(listener);
    return this;
  }

  /** Starts connecting; keeps the AGV connected until stop(). */
  start(): void {
    this.stopped = false;
    void this.connectOnce();
  }

  stop(): void {
    this.stopped = true;
    this.teardown();
    this.setState('stopped');
  }

  /** Drops the link as if the network failed; the client reconnects with backoff (fault injection). */
  dropConnection(): void {
    this.peer?.close();
  }

  /** Sends a status report now (e.g. on a state change), besides the periodic ones. */
  reportStatus(): void {
    if (this.stateValue !== 'active') return;
    this.peer?.send({ kind: 'statusReport', ...this.options.status() });
  }

  reportAlarm(alarm: AlarmFields): Promise<RequestOutcome> {
    if (!this.peer || this.stateValue !== 'active') return Promise.resolve({ ok: false, code: 'CLOSED', message: 'not connected' });
    return this.peer.request({ kind: 'alarmReport', ...alarm });
  }

  /** Asks the platform for an autonomous space; resolves with its first answer (granted, queued or refused). */
  requestSpace(request: Omit<SpaceRequest, 'requestId'>): Promise<SpaceResponse> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      if (!this.peer || this.stateValue !== 'active') {
        reject(new Error('not connected'));
        return;
      }
      this.spaceWaiters.set(requestId, resolve);
      this.peer.send({ kind: 'spaceRequest', requestId, ...request });
    });
  }

  releaseSpace(leaseId: number): Promise<RequestOutcome> {
    if (!this.peer || this.stateValue !== 'active') return Promise.resolve({ ok: false, code: 'CLOSED', message: 'not connected' });
    return this.peer.request({ kind: 'spaceRelease', leaseId });
  }

  /** Keeps a lease (protocol 1.2; the answer comes as a spaceResponse). False when it cannot be sent. */
  renewSpace(leaseId: number): boolean {
    if (!this.peer || this.stateValue !== 'active' || this.version < 0x12) return false;
    this.peer.send({ kind: 'spaceRenew', leaseId });
    return true;
  }

  /** Reports the way blocked and asks to be re-routed (protocol 1.2). */
  reportBlockage(report: BlockageFields): Promise<RequestOutcome> {
    if (!this.peer || this.stateValue !== 'active') return Promise.resolve({ ok: false, code: 'CLOSED', message: 'not connected' });
    if (this.version < 0x12) return Promise.resolve({ ok: false, code: 'UNKNOWN_TYPE', message: 'blockage reports need protocol 1.2' });
    return this.peer.request({ kind: 'blockageReport', ...report });
  }

  private setState(state: ClientState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    for (const l of this.listeners.state) l(state);
  }

  private async connectOnce(): Promise<void> {
    if (this.stopped) return;
    this.setState('connecting');
    let channel: FrameChannel;
    try {
      channel = await this.openChannel();
    } catch {
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      channel.close();
      return;
    }
    const peer = new FramePeer(channel, { clock: this.clock });
    this.peer = peer;
    this.lastHeard = this.clock.now();
    peer.onFrame((frame) => this.onFrame(frame));
    peer.onError((error) => {
      for (const l of this.listeners.protocolError) l(error);
    });
    channel.onClose(() => {
      if (this.peer !== peer) return;
      if (this.stateValue === 'active') this.loseLink('closed');
      this.teardown();
      this.scheduleReconnect();
    });
    this.setState('accessing');
    const { agvId, mode = 'normal' } = this.options;
    const proofTime = this.clock.now();
    const proof = mode === 'normal' && this.secretKey ? { proofTime, proof: accessProof(this.secretKey, agvId, proofTime) } : {};
    peer.send({ kind: 'accessRequest', agvId, mode, versionMin: 0x10, versionMax: this.options.protocolVersionMax ?? PROTOCOL_VERSION, vendor: this.options.registration.vendor, ...proof });
    this.watchLiveness(peer);
  }

  private openChannel(): Promise<FrameChannel> {
    const o = this.options;
    if (o.connect) return o.connect();
    if (o.transport === 'mqtt') return connectMqtt({ ...o.mqtt!, agvId: o.agvId });
    return this.connectToPlatform();
  }

  /** TCP to the platform: the one address configured, or the first endpoint in failover order that accepts. */
  private async connectToPlatform(): Promise<FrameChannel> {
    const endpoints = this.options.endpoints?.length ? this.options.endpoints : [{ host: this.options.host ?? '127.0.0.1', port: this.options.port ?? 7700 }];
    let lastError: unknown;
    for (let i = 0; i < endpoints.length; i++) {
      const index = (this.endpointIndex + i) % endpoints.length;
      const { host, port } = endpoints[index]!;
      try {
        const channel = await connectTcp(host, port);
        this.endpointIndex = index;
        return channel;
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  private teardown(): void {
    for (const cancel of this.timers) cancel();
    this.timers = [];
    const peer = this.peer;
    this.peer = undefined;
    peer?.close();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setState('idle');
    const hint = this.retryAfterMs;
    this.retryAfterMs = undefined;
    let delay: number;
    if (hint !== undefined) {
      // A busy platform said when to come back: after its hint, spread over half as much again so that a crowd it
      // refused together does not return together. The backoff is left as it was: the hint already paces us.
      delay = Math.round(hint * (1 + Math.random() * 0.5));
    } else {
      delay = Math.round(this.backoffMs * (0.8 + Math.random() * 0.4));
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    }
    const cancel = this.clock.setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== cancel);
      void this.connectOnce();
    }, delay);
    this.timers.push(cancel);
  }

  /** Runs fn every periodMs while this link lasts; one cancel entry per loop, however long it runs. */
  private every(periodMs: number, fn: () => boolean | void): void {
    let cancel: () => void = () => {};
    const tick = () => {
      if (fn() === false) return;
      cancel = this.clock.setTimeout(tick, periodMs);
    };
    cancel = this.clock.setTimeout(tick, periodMs);
    this.timers.push(() => cancel());
  }

  private watchLiveness(peer: FramePeer): void {
    const timeout = () => this.config?.heartbeatTimeout ?? this.options.defaultHeartbeatTimeoutMs ?? 10_000;
    // A quarter of the timeout is precise enough and keeps thousands of simulated AGVs cheap.
    this.every(Math.max(100, Math.floor(timeout() / 4)), () => {
      if (this.peer !== peer) return false;
      if (this.clock.now() - this.lastHeard > timeout()) {
        if (this.stateValue === 'active') this.loseLink('heartbeatTimeout');
        peer.close();
        return false;
      }
    });
  }

  /** Reported once per link: the state leaves 'active' here, so the close that follows does not report again. */
  private loseLink(reason: 'heartbeatTimeout' | 'closed'): void {
    this.setState('idle');
    for (const l of this.listeners.linkLost) l(reason);
  }

  private onFrame(frame: Frame): void {
    this.lastHeard = this.clock.now();
    const m = frame.message;
    const peer = this.peer!;
    switch (m.kind) {
      case 'accessResponse':
        if (m.result !== 'accepted') {
          // busy carries the platform's retry hint (ms) in sessionId: the reconnect waits at least that long.
          if (m.result === 'busy' && m.sessionId > 0) this.retryAfterMs = m.sessionId;
          for (const l of this.listeners.refused) l('access', `${m.result}: ${m.detail}`);
          peer.close();
          return;
        }
        peer.setVersion(m.version);
        this.version = m.version;
        if ((this.options.mode ?? 'normal') === 'secure') {
          this.setState('keyExchange');
          const creds = this.options.secure!;
          this.initiator = new KeyExchangeInitiator({ id: this.options.agvId, keyPair: creds, responderPublicKey: creds.platformPublicKey });
          peer.send({ kind: 'keyExchangeInit', ...this.initiator.start() });
          return;
        }
        this.register(peer);
        return;
      case 'keyExchangeReply':
        void this.finishKeyExchange(peer, m);
        return;
      case 'nack':
        if (this.stateValue !== 'active') {
          // Refused during set-up (e.g. key exchange failed): say why, the link closes and backoff applies.
          const stage = this.stateValue === 'registering' || this.stateValue === 'configuring' ? 'registration' : 'access';
          for (const l of this.listeners.refused) l(stage, `${m.errorCode}: ${m.detail}`);
        }
        return;
      case 'registerAck':
        if (m.result !== 'accepted') {
          for (const l of this.listeners.refused) l('registration', `${m.result}: ${m.detail}`);
          peer.close();
          return;
        }
        this.setState('configuring');
        return;
      case 'globalConfig':
        // Ack first: the platform counts the session active from the ack, and the first status follows it.
        peer.send({ kind: 'globalConfigAck', result: 'ok' });
        if (frame.flags & 0x04) peer.ack(frame);
        this.applyConfig(m);
        return;
      case 'heartbeat':
        if (m.role === 'ping') peer.send({ kind: 'heartbeat', role: 'pong', origin: 'agv', echoSeq: frame.seq });
        return;
      case 'motionCommand':
        void this.runCommand(frame, this.handlers.motion, m);
        return;
      case 'motionControl':
        void this.runCommand(frame, this.handlers.control, m);
        return;
      case 'actuatorCommand':
        void this.runCommand(frame, this.handlers.actuator, m);
        return;
      case 'chargingCommand':
        void this.runCommand(frame, this.handlers.charging, m);
        return;
      case 'paramSet':
        void this.runParamSet(m);
        return;
      case 'mapSwitch':
        void this.runSwitch(frame, m);
        return;
      case 'navModeSwitch':
        void this.runNavSwitch(frame, m);
        return;
      case 'paramQuery': {
        const params = this.handlers.paramQuery?.(m) ?? [];
        peer.send({ kind: 'paramReport', queryId: m.queryId, params });
        return;
      }
      case 'runningDataRequest': {
        const data = this.handlers.runningData?.(m);
        if (data) peer.send({ kind: 'runningData', requestId: m.requestId, ...data });
        else peer.nack(frame.seq, frame.msgType, 'UNSUPPORTED_ACTION', 'running data not provided by this AGV');
        return;
      }
      case 'spaceResponse': {
        const waiter = this.spaceWaiters.get(m.requestId);
        this.spaceWaiters.delete(m.requestId);
        waiter?.(m);
        this.handlers.space?.(m);
        return;
      }
      case 'spaceLeaseEnd':
        if (frame.flags & 0x04) peer.ack(frame);
        this.handlers.leaseEnd?.(m);
        return;
      default:
        if (frame.flags & 0x04) peer.nack(frame.seq, frame.msgType, 'INVALID_STATE', `${m.kind} is not expected by an AGV`);
    }
  }

  private register(peer: FramePeer): void {
    this.setState('registering');
    // The map hash is a 1.1 field: a 1.0 platform gets the registration it knows.
    const mapHash = this.version >= 0x11 ? this.options.mapHash : undefined;
    peer.send({ kind: 'registerRequest', ...this.options.registration, mapHash });
  }

  /**
   * Checks the platform's reply (pinned key, confirmation S_B), switches to protected frames and confirms. The
   * confirmation asks for an ack and registration waits for it: the ack is the platform's first protected frame,
   * so nothing encrypted is sent before the platform holds the keys.
   */
  private async finishKeyExchange(peer: FramePeer, m: Extract<Message, { kind: 'keyExchangeReply' }>): Promise<void> {
    const initiator = this.initiator;
    this.initiator = undefined;
    if (!initiator || this.stateValue !== 'keyExchange') {
      peer.nack(0, 0, 'INVALID_STATE', 'unexpected keyExchangeReply');
      return;
    }
    let confirm;
    try {
      const outcome = initiator.handleReply({ ...m, confirmation: m.confirmation ?? new Uint8Array(0) });
      this.signer ??= new Sm2Signer(this.options.secure!);
      const session = SecureSession.fromKeyExchange(outcome.result, { localKeyPair: this.options.secure!, localSigner: this.signer, clock: this.clock });
      peer.setProtector(createSecureProtector(session));
      confirm = outcome.confirm;
    } catch (err) {
      for (const l of this.listeners.refused) l('access', `key exchange failed: ${err instanceof Error ? err.message : String(err)}`);
      peer.close();
      return;
    }
    const acked = await peer.request({ kind: 'keyExchangeConfirm', ...confirm });
    if (this.peer !== peer) return;
    if (!acked.ok) {
      for (const l of this.listeners.refused) l('access', `key confirmation refused: ${acked.code} ${acked.message}`);
      peer.close();
      return;
    }
    this.register(peer);
  }

  private applyConfig(config: GlobalConfig): void {
    const first = this.stateValue !== 'active';
    this.config = config;
    this.backoffMs = this.options.initialBackoffMs ?? 500;
    if (!first) return;
    this.setState('active');
    const peer = this.peer!;
    this.reportStatus();
    this.every(config.statusPeriod, () => this.reportStatus());
    // §6 rule 1: ping only a link quiet for a heartbeat period. Status reports are signs of life already; with a
    // status period shorter than the heartbeat period they keep the link alive on their own.
    this.every(config.heartbeatPeriod, () => {
      if (this.clock.now() - peer.lastSentAt >= config.heartbeatPeriod) peer.send({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 });
    });
  }

  private async runCommand<C>(frame: Frame, handler: Handler<C> | undefined, command: C): Promise<void> {
    const peer = this.peer;
    if (!peer) return;
    if (this.stateValue !== 'active') {
      peer.nack(frame.seq, frame.msgType, 'NOT_REGISTERED', 'AGV is not active yet');
      return;
    }
    if (!handler) {
      peer.nack(frame.seq, frame.msgType, 'UNSUPPORTED_ACTION', `this AGV does not handle ${frame.message.kind}`);
      return;
    }
    let result: CommandResult;
    try {
      result = await handler(command);
    } catch (err) {
      result = { ok: false, code: 'INTERNAL', detail: err instanceof Error ? err.message : String(err) };
    }
    if (result && !result.ok) peer.nack(frame.seq, frame.msgType, result.code as ProtocolErrorCode, result.detail ?? '');
    else peer.ack(frame);
  }

  /** paramSet is answered by paramSetAck only (ack rule 1); a handler that throws rejects every parameter. */
  private async runParamSet(m: ParamSet): Promise<void> {
    let results: ParamResult[];
    try {
      results = this.handlers.paramSet ? await this.handlers.paramSet(m) : m.params.map((p) => ({ param: p.param, result: 'readOnly' as const }));
    } catch {
      results = m.params.map((p) => ({ param: p.param, result: 'rejected' as const }));
    }
    this.peer?.send({ kind: 'paramSetAck', requestId: m.requestId, results });
  }

  private async runSwitch(frame: Frame, m: MapSwitch): Promise<void> {
    const outcome = this.handlers.mapSwitch ? await this.handlers.mapSwitch(m) : { result: 'rejected' as const, detail: 'map switching not supported' };
    this.peer?.send({
      kind: 'mapSwitchResult',
      requestId: m.requestId,
      result: outcome.result,
      currentMapId: outcome.result === 'success' ? m.targetMapId : this.options.status().mapId,
      localisationScore: outcome.localisationScore ?? 100,
      detail: outcome.detail ?? '',
    });
    if (frame.flags & 0x04) this.peer?.ack(frame);
  }

  private async runNavSwitch(frame: Frame, m: NavModeSwitch): Promise<void> {
    const outcome = this.handlers.navSwitch ? await this.handlers.navSwitch(m) : { result: 'rejected' as const, detail: 'navigation switching not supported' };
    this.peer?.send({
      kind: 'navModeSwitchResult',
      requestId: m.requestId,
      result: outcome.result,
      currentMode: outcome.result === 'success' ? m.targetMode : this.options.status().navMode,
      detail: outcome.detail ?? '',
    });
    if (frame.flags & 0x04) this.peer?.ack(frame);
  }
}
