import type { Clock } from '../../core/index.ts';
import { ERROR_CODES, formatVersion, negotiateVersion, type Frame, type Message, type ProtocolError, type ProtocolErrorCode } from '../../protocol/index.ts';
import { FramePeer, type RequestOutcome } from '../../agv/transport/frame-peer.ts';
import type { FrameChannel } from '../../agv/transport/channel.ts';
import type { Logger } from '../logger.ts';
import type { AgvRecord, Store } from '../store/types.ts';
import type { FleetRegistry } from '../fleet/registry.ts';
import type { AgvIdentity, AgvLink, AnswerOutcome, CommandOutcome, ControlCommand, LoadAction, MotionOrder, ParamResult, ParamValue, RunningDataReading, SwitchOutcome } from '../fleet/types.ts';
import { AnswerWaiters } from './answer-waiters.ts';
import { footprintFromCapabilities, motionCommandFor, statusFromReport } from './convert.ts';
import { SessionSpaceLink, type SpaceMessage } from './space-link.ts';
import type { SpaceService } from '../space/space-service.ts';
import { BlockageError } from '../traffic/space/blockages.ts';
import type { SiteNumbering } from './site-numbering.ts';
import { mapHashHex } from './site-export.ts';
import type { SecureHandshake } from './secure-handshake.ts';
import type { AuditEntry } from './audit.ts';
import { checkRegistration } from './registration-checks.ts';
import type { SecretProofCheck } from './secret-proof.ts';
import type { BusyReason, HandshakeRequest, HandshakeTicket } from './handshake-admission.ts';

// One AGV connection on the platform side: access → (key exchange) → registration → global config → active.
// Only an active session is a link the fleet runtime can drive; everything before is refused with a nack that
// says which step is missing. A peer that keeps sending garbage is cut off; other sessions never notice.

// An AGV registered on first contact but not yet approved waits in 'pending': connected and heartbeating, but no
// link for the fleet runtime, so it gets no tasks and no reservations until an operator approves it.
export type SessionPhase = 'accessing' | 'keyExchange' | 'registering' | 'configuring' | 'pending' | 'active' | 'closed';

export interface SessionSettings {
  autoEnrol: boolean;
  /** AGVs registered on first contact (autoEnrol) get work at once; otherwise they wait, pending, for an operator. */
  autoApprove: boolean;
  /** Refuse normal-mode access (every AGV must use the secure channel). */
  requireSecure: boolean;
  statusPeriodMs: number;
  heartbeatPeriodMs: number;
  heartbeatTimeoutMs: number;
  batteryLowPct: number;
  batteryCriticalPct: number;
  /** Bad frames tolerated per errorWindowMs before the session is closed. */
  maxBadFrames: number;
  errorWindowMs: number;
  ackTimeoutMs: number;
  /** A connection must be active (access, key exchange, registration, config done) this long after it opened. */
  accessTimeoutMs: number;
  /** Frames before access other than access and key exchange (each nacked) that close the connection. */
  preAccessStrikes: number;
  /** Frames one connection may send per second; beyond it the platform stops reading it until the next second. */
  maxFramesPerSecond: number;
}

export interface SessionContext {
  clock: Clock;
  store: Store;
  registry: FleetRegistry;
  numbering: SiteNumbering;
  settings: SessionSettings;
  secure: SecureHandshake | undefined;
  /** Verifies (and uses up) the proofs of secret-enrolled AGVs at normal-mode access. */
  secretProofs: SecretProofCheck;
  /** Command round trips (ms), for metrics and the fleet benchmark. */
  recordLatency(kind: string, ms: number): void;
  /** Every decoded frame from an AGV, after the session handled it (tests record positions through it). */
  tap?: (agvId: string, frame: Frame) => void;
  logger: Logger;
  nextSessionId(): number;
  /** Counts and logs a refusal or an admission decision. */
  audit(entry: AuditEntry): void;
  /** The connection completed access or closed before it did (per-source limits count connections in between). */
  leftUnaccessed(session: AgvSession): void;
  /** Whether the connection's source may start another key exchange now (SM2 work is rate-limited per source). */
  allowKeyExchange(session: AgvSession): boolean;
  /**
   * A secure access waits here for a handshake slot (handshake-admission.ts); admission pays the source's next
   * key-exchange start. The ticket is released once the key exchange is done or the connection closes.
   */
  admitHandshake(session: AgvSession, request: HandshakeRequest): HandshakeTicket;
  /** Autonomous space and blockage reports; without it every space request is refused (notOffered). */
  space?: SpaceService;
}

type MessageParamIds = Extract<Message, { kind: 'paramQuery' }>['params'];
type MessageParamValues = Extract<Message, { kind: 'paramSet' }>['params'];

export class AgvSession implements AgvLink {
  readonly peer: FramePeer;
  phase: SessionPhase = 'accessing';
  agvId: string | undefined;
  mode: 'normal' | 'secure' = 'normal';
  /** Negotiated at access; 1.1 adds the map hash at registration. */
  version = 0x10;
  lastHeard: number;
  /** When the connection opened; it must be active within accessTimeoutMs (of this, or of its handshake slot). */
  readonly openedAt: number;
  /** Secure access: whether it waits for a handshake slot, and when it got one. */
  private waitingForSlot = false;
  private admittedAt: number | undefined;
  private preAccessStrikes = 0;
  /** The handshake slot of a secure access, from admission until the key exchange is done or the connection ends. */
  private handshakeTicket: HandshakeTicket | undefined;
  /** Admission paid for one key-exchange start; a further keyExchangeInit on this connection pays its own. */
  private keyExchangePaid = false;
  private record: AgvRecord | undefined;
  private identity: AgvIdentity | undefined;
  private badFrames: number[] = [];
  private nextActionId = 1;
  private nextSwitchId = 1;
  /** Map and navigation switches sent, by request id, until their result arrives. */
  private readonly switches = new Map<number, (outcome: SwitchOutcome) => void>();
  private lastPersistedNode: string | undefined;
  private lastPersistAt = 0;
  private nextAnswerId = 1;
  private readonly paramReports: AnswerWaiters<ParamValue[]>;
  private readonly paramSetAcks: AnswerWaiters<ParamResult[]>;
  private readonly runningDataAnswers: AnswerWaiters<RunningDataReading>;

  constructor(
    channel: FrameChannel,
    private readonly ctx: SessionContext,
    private readonly onClosed: (session: AgvSession) => void,
  ) {
    this.peer = new FramePeer(channel, { clock: ctx.clock, ackTimeoutMs: ctx.settings.ackTimeoutMs, maxFramesPerSecond: ctx.settings.maxFramesPerSecond });
    this.lastHeard = ctx.clock.now();
    this.openedAt = this.lastHeard;
    this.paramReports = new AnswerWaiters(ctx.clock, 'paramReport');
    this.paramSetAcks = new AnswerWaiters(ctx.clock, 'paramSetAck');
    this.runningDataAnswers = new AnswerWaiters(ctx.clock, 'runningData');
    this.peer.onFrame((frame) => this.onFrame(frame));
    this.peer.onError((error) => this.onBadFrame(error));
    channel.onClose((reason) => this.closed(reason));
  }

  /**
   * Where the access deadline counts from: the handshake slot's admission for a secure access that waited in line,
   * else the connection's opening. Undefined while it waits: the handshake queue bounds that wait itself.
   */
  get accessDeadlineStart(): number | undefined {
    return this.waitingForSlot ? undefined : (this.admittedAt ?? this.openedAt);
  }

  get protocol(): { name: string; version: string } {
    return { name: 'unifleet', version: formatVersion(this.version) };
  }

  close(reason: string): void {
    if (this.phase === 'closed') return;
    void this.log('info', 'session.closed', reason);
    this.peer.close();
  }

  /**
   * The platform's side of the heartbeat (§6 rule 1): a ping to an AGV past access that has been sent nothing for a
   * third of the heartbeat timeout (at least a heartbeat period). Any frame is a sign of life (rule 2), so a link
   * that carries pongs or commands needs no ping, and a quiet one still hears from us well within the AGV's
   * timeout. At 5,000 AGVs each ping is a socket write (and a pong to read) that costs as much as a status report.
   */
  ping(): void {
    const { heartbeatPeriodMs, heartbeatTimeoutMs } = this.ctx.settings;
    if (this.ctx.clock.now() - this.peer.lastSentAt < Math.max(heartbeatPeriodMs, heartbeatTimeoutMs / 3)) return;
    if (this.phase === 'registering' || this.phase === 'configuring' || this.phase === 'active') {
      this.peer.send({ kind: 'heartbeat', role: 'ping', origin: 'platform', echoSeq: 0 });
    }
  }

  // ---- AgvLink: commands from the fleet runtime ----

  sendMotion(order: MotionOrder): Promise<CommandOutcome> {
    return this.command(motionCommandFor(order, this.ctx.numbering));
  }

  sendControl(command: ControlCommand): Promise<CommandOutcome> {
    const wire = ({ pause: 'pause', resume: 'resume', cancel: 'cancel', estop: 'emergencyStop', 'release-estop': 'releaseEmergencyStop' } as const)[command];
    return this.command({ kind: 'motionControl', command: wire, orderId: 0 });
  }

  sendLoadAction(action: LoadAction, stationId: string): Promise<CommandOutcome> {
    const actuator = this.actuatorType();
    return this.command({
      kind: 'actuatorCommand',
      action: {
        actionId: this.nextActionId++,
        actuator,
        actuatorIndex: 0,
        liftAdjust: actuator === 'lift' ? (action === 'pick' ? 'toTop' : 'toBottom') : 'none',
        blocking: true,
        params: [
          { param: 'direction', value: action === 'pick' ? 1 : -1 },
          { param: 'targetId', value: this.ctx.numbering.stationNumber(stationId) },
        ],
      },
    });
  }

  sendCharging(start: boolean): Promise<CommandOutcome> {
    return this.command({ kind: 'chargingCommand', action: start ? 'start' : 'stop', chargerId: 0, targetLevel: 0xffff });
  }

  queryParams(params: readonly string[]): Promise<AnswerOutcome<ParamValue[]>> {
    return this.ask(this.paramReports, (queryId) => ({ kind: 'paramQuery', queryId, params: params as MessageParamIds }));
  }

  setParams(values: readonly ParamValue[]): Promise<AnswerOutcome<ParamResult[]>> {
    return this.ask(this.paramSetAcks, (requestId) => ({ kind: 'paramSet', requestId, params: values as MessageParamValues }));
  }

  requestRunningData(): Promise<AnswerOutcome<RunningDataReading>> {
    return this.ask(this.runningDataAnswers, (requestId) => ({ kind: 'runningDataRequest', requestId, items: [], logsSince: 0, maxLogLines: 0 }));
  }

  /** Sends a request that has its own answer message and waits for that answer (ack rule 1, docs/protocol.md §3). */
  private ask<T>(waiters: AnswerWaiters<T>, build: (id: number) => Message): Promise<AnswerOutcome<T>> {
    if (this.phase !== 'active') return Promise.resolve({ ok: false, code: 'CLOSED', message: 'session is not active' });
    const id = this.nextAnswerId++;
    return waiters.wait(id, this.peer.send(build(id)), this.ctx.settings.ackTimeoutMs);
  }

  sendMapSwitch(request: { targetMap: string; switchNode: string; pose: { x: number; y: number; theta: number } }): Promise<SwitchOutcome> {
    const targetMapId = this.ctx.numbering.mapNumberOf(request.targetMap);
    if (targetMapId === 0) return Promise.resolve({ ok: false, detail: `unknown map ${request.targetMap}` });
    const pose = { x: Math.round(request.pose.x * 1000), y: Math.round(request.pose.y * 1000), theta: Math.round(request.pose.theta * 1000) };
    return this.switchRequest((requestId) => ({ kind: 'mapSwitch', requestId, targetMapId, switchNodeId: this.ctx.numbering.nodeNumber(request.switchNode), initialPose: pose }));
  }

  sendNavSwitch(request: { mode: string; node: string }): Promise<SwitchOutcome> {
    const targetMode = request.mode as Extract<Message, { kind: 'navModeSwitch' }>['targetMode'];
    return this.switchRequest((requestId) => ({ kind: 'navModeSwitch', requestId, targetMode, switchNodeId: this.ctx.numbering.nodeNumber(request.node) }));
  }

  /** Sends a switch and resolves with its result message; a refused command or a closed session resolves as failed. */
  private async switchRequest(build: (requestId: number) => Message): Promise<SwitchOutcome> {
    const requestId = this.nextSwitchId++;
    const result = new Promise<SwitchOutcome>((resolve) => this.switches.set(requestId, resolve));
    const sent = await this.command(build(requestId));
    if (!sent.ok) {
      this.switches.delete(requestId);
      return { ok: false, detail: `${sent.code}: ${sent.message}` };
    }
    return result;
  }

  private async command(message: Message): Promise<CommandOutcome> {
    if (this.phase !== 'active') return { ok: false, code: 'CLOSED', message: 'session is not active' };
    const outcome: RequestOutcome = await this.peer.request(message);
    if (outcome.latencyMs !== undefined && outcome.ok) this.ctx.recordLatency(message.kind, outcome.latencyMs);
    if (!outcome.ok) this.ctx.logger.warn({ agvId: this.agvId, command: message.kind, code: outcome.code }, `command not carried out: ${outcome.message}`);
    return outcome;
  }

  private actuatorType(): 'lift' | 'fork' | 'roller' {
    const caps = this.identity?.capabilities as { actuators?: { type: string }[] } | undefined;
    const type = caps?.actuators?.[0]?.type;
    return type === 'fork' || type === 'roller' ? type : 'lift';
  }

  // ---- incoming frames ----

  private onFrame(frame: Frame): void {
    this.lastHeard = this.ctx.clock.now();
    const m = frame.message;
    if (this.beforeAccess && m.kind !== 'accessRequest' && m.kind !== 'keyExchangeInit' && m.kind !== 'keyExchangeConfirm' && m.kind !== 'ack' && m.kind !== 'nack') {
      // Before access only access and key exchange count; anything else (a heartbeat included: no pong) is a strike.
      this.peer.nack(frame.seq, frame.msgType, 'NOT_ACCESSED', 'send accessRequest first');
      this.strikeBeforeAccess();
    } else if (m.kind === 'heartbeat') {
      if (m.role === 'ping') this.peer.send({ kind: 'heartbeat', role: 'pong', origin: 'platform', echoSeq: frame.seq });
    } else if (m.kind === 'accessRequest') {
      void this.onAccess(frame, m);
    } else if (m.kind === 'keyExchangeInit' || m.kind === 'keyExchangeConfirm') {
      this.onKeyExchange(frame, m);
    } else if (m.kind === 'registerRequest') {
      void this.onRegister(frame, m);
    } else if (this.phase === 'registering') {
      this.refuseFrame(frame, 'NOT_REGISTERED', 'send registerRequest first');
    } else {
      this.onActiveFrame(frame, m);
    }
    if (this.agvId !== undefined) this.ctx.tap?.(this.agvId, frame);
  }

  private onActiveFrame(frame: Frame, m: Message): void {
    switch (m.kind) {
      case 'globalConfigAck':
        if (this.phase === 'configuring') {
          if (this.record?.admission === 'pending') this.holdPending();
          else this.activate();
        }
        return;
      case 'statusReport': {
        if (this.phase !== 'active' || this.agvId === undefined) return;
        const status = statusFromReport(m, this.ctx.numbering, this.ctx.clock.now());
        this.ctx.registry.updateStatus(this.agvId, status);
        this.persistSighting(status.lastNodeId);
        return;
      }
      case 'alarmReport':
        void this.log(m.severity === 'fatal' || m.severity === 'error' ? 'error' : m.severity === 'warning' ? 'warning' : 'info', 'agv.alarm', `${m.transition} alarm ${m.code}: ${m.text}`, { alarmId: m.alarmId, code: m.code, transition: m.transition });
        if (frame.flags & 0x04) this.peer.ack(frame);
        return;
      case 'spaceRequest':
      case 'spaceRenew':
      case 'spaceRelease':
      case 'blockageReport':
        this.onSpaceFrame(frame, m);
        return;
      case 'paramReport':
        this.paramReports.answer(m.queryId, m.params.map((p) => ({ param: p.param, value: p.value })));
        return;
      case 'paramSetAck':
        this.paramSetAcks.answer(m.requestId, m.results.map((r) => ({ param: r.param, result: r.result })));
        return;
      case 'runningData':
        this.runningDataAnswers.answer(m.requestId, {
          odometerM: m.odometer, operatingS: m.operatingTime, drivingS: m.drivingTime, liftCycles: m.liftCycles, chargeCycles: m.chargeCycles,
          batteryHealth: m.batteryHealth, batteryTemperature: m.batteryTemperature, diagnostics: m.diagnostics.map((d) => ({ key: d.key, value: d.value })),
        });
        return;
      case 'vendorData':
        if (frame.flags & 0x04) this.peer.ack(frame);
        return;
      case 'mapSwitchResult':
      case 'navModeSwitchResult': {
        const answer = this.switches.get(m.requestId);
        this.switches.delete(m.requestId);
        answer?.({ ok: m.result === 'success', detail: m.result === 'success' ? '' : `${m.result}${m.detail ? `: ${m.detail}` : ''}` });
        if (frame.flags & 0x04) this.peer.ack(frame);
        return;
      }
      case 'nack':
        // A refused parameter or running-data request: its waiter learns why at once instead of timing out.
        for (const waiters of [this.paramReports, this.paramSetAcks, this.runningDataAnswers]) if (waiters.nacked(m.ackedSeq, m.errorCode, m.detail)) return;
        return;
      case 'ack':
        return;
      default:
        this.refuseFrame(frame, 'INVALID_STATE', `${m.kind} is not a message an AGV sends`);
    }
  }

  private onSpaceFrame(frame: Frame, m: SpaceMessage): void {
    const space = this.ctx.space;
    const agvId = this.agvId;
    if (this.phase !== 'active' || agvId === undefined) {
      this.refuseFrame(frame, 'INVALID_STATE', `${m.kind} needs an active session`);
      return;
    }
    if ((m.kind === 'spaceRenew' || m.kind === 'blockageReport') && this.version < 0x12) {
      this.refuseFrame(frame, 'UNKNOWN_TYPE', `${m.kind} is protocol 1.2; this session speaks ${formatVersion(this.version)}`);
      return;
    }
    if (!space) {
      if (m.kind === 'spaceRequest') {
        this.spaceLink().spaceResponse({ requestId: m.requestId, decision: 'refused', leaseId: 0, leaseMs: 0, queuePosition: 0, refusal: 'notOffered', onLeaseLoss: 'stop', detail: 'autonomous space is not offered by this platform' });
      } else if (m.kind === 'blockageReport') {
        this.peer.nack(frame.seq, frame.msgType, 'UNSUPPORTED_ACTION', 'blockage reports are not taken by this platform');
      } else if (frame.flags & 0x04) this.peer.ack(frame);
      return;
    }
    switch (m.kind) {
      case 'spaceRequest':
        space.request(agvId, this.spaceLink().askOf(m), this.spaceLink());
        return;
      case 'spaceRenew':
        space.renew(agvId, m.leaseId, this.spaceLink());
        return;
      case 'spaceRelease':
        space.release(agvId, m.leaseId);
        if (frame.flags & 0x04) this.peer.ack(frame);
        return;
      case 'blockageReport':
        try {
          space.reportBlockage(agvId, this.spaceLink().blockageOf(m));
          this.peer.ack(frame);
        } catch (err) {
          if (!(err instanceof BlockageError)) throw err;
          this.peer.nack(frame.seq, frame.msgType, 'UNKNOWN_NODE', err.message);
        }
        return;
    }
  }

  private spaceLinkValue: SessionSpaceLink | undefined;

  private spaceLink(): SessionSpaceLink {
    this.spaceLinkValue ??= new SessionSpaceLink(this.peer, this.ctx.numbering, () => this.version, (command) => this.sendControl(command));
    return this.spaceLinkValue;
  }

  private async onAccess(frame: Frame, m: Extract<Message, { kind: 'accessRequest' }>): Promise<void> {
    if (this.phase !== 'accessing' || this.agvId !== undefined) {
      this.refuseFrame(frame, 'INVALID_STATE', 'access already requested on this connection');
      return;
    }
    this.agvId = m.agvId;
    const refuse = (result: 'unknownAgv' | 'secureRequired' | 'refused' | 'unsupportedVersion' | 'duplicateSession', detail: string, reason: string = result) => {
      this.peer.send({ kind: 'accessResponse', result, version: 0, sessionId: 0, serverTime: this.ctx.clock.now(), detail });
      this.audit(result === 'duplicateSession' ? 'takeover_refused' : 'access_refused', reason, `${m.agvId}: ${detail}`);
      this.peer.close();
    };
    const bound = this.peer.channel.boundAgvId;
    if (bound !== undefined && bound !== m.agvId) return refuse('refused', `this connection belongs to AGV ${bound}, not ${m.agvId}`, 'wrong_link');
    const version = negotiateVersion(m.versionMin, m.versionMax);
    if (version === undefined) return refuse('unsupportedVersion', 'this platform speaks protocol 1.x');
    let record: AgvRecord | undefined;
    try {
      record = await this.ctx.store.agvs.get(m.agvId);
    } catch (err) {
      this.ctx.logger.error({ err, agvId: m.agvId }, 'access refused: AGV registry not readable');
      return refuse('refused', 'registry unavailable');
    }
    if ((this.phase as SessionPhase) === 'closed') return;
    this.record = record;
    if (!record && !this.ctx.settings.autoEnrol) return refuse('unknownAgv', `AGV ${m.agvId} is not enrolled and auto-enrolment is off`);
    if (record?.admission === 'rejected') return refuse('refused', `AGV ${m.agvId} was rejected by an operator`);
    if (m.mode === 'normal' && (this.ctx.settings.requireSecure || record?.publicKeyHex)) {
      return refuse('secureRequired', 'this AGV must use secure mode');
    }
    if (m.mode === 'secure') {
      if (!record?.publicKeyHex) return refuse('refused', 'secure access needs an enrolled SM2 public key');
      if (!this.ctx.secure) return refuse('refused', 'secure mode is not available on this platform');
      this.mode = 'secure';
    } else if (record?.secretVerifierHex) {
      // A 1.0 peer cannot carry the proof fields: for it they are absent, which is "no proof".
      const wrong = this.ctx.secretProofs.verify(m.agvId, record.secretVerifierHex, m, this.ctx.clock.now());
      if (wrong !== undefined) return refuse('refused', wrong, 'secret_proof');
    }
    // A normal-mode newcomer proves nothing the live session has not: it may not replace it. A secure newcomer
    // takes over once its key exchange proves the enrolled key (the registry closes the old link then).
    if (this.mode === 'normal' && this.liveRival()) return refuse('duplicateSession', `AGV ${m.agvId} already has a live session; a new one is accepted after it ends or times out`);
    this.version = version;
    this.peer.setVersion(version);
    if (this.mode === 'secure') this.waitForHandshakeSlot(m.agvId);
    else this.acceptAccess('registering');
  }

  private acceptAccess(next: 'keyExchange' | 'registering'): void {
    this.peer.send({ kind: 'accessResponse', result: 'accepted', version: this.version, sessionId: this.ctx.nextSessionId(), serverTime: this.ctx.clock.now(), detail: '' });
    this.phase = next;
  }

  /**
   * Secure access is answered once a handshake slot is free (or refused as busy with a retry hint), so the key
   * exchanges a platform runs at once stay bounded however many AGVs connect together.
   */
  private waitForHandshakeSlot(agvId: string): void {
    this.waitingForSlot = true;
    const ticket = this.ctx.admitHandshake(this, {
      admit: () => {
        this.waitingForSlot = false;
        if (this.phase !== 'accessing') return;
        // Heard just now, as far as the sweep is concerned: the wait was the platform's, not the AGV's silence.
        this.admittedAt = this.lastHeard = this.ctx.clock.now();
        this.keyExchangePaid = true;
        this.acceptAccess('keyExchange');
      },
      refuse: (retryAfterMs, reason) => {
        this.waitingForSlot = false;
        this.refuseBusy(agvId, retryAfterMs, reason);
      },
      expire: () => {
        this.audit('access_refused', 'handshake_timeout', `${agvId}: key exchange not completed in time after access, closed`);
        this.peer.close();
      },
    });
    // Admission or refusal may have run (and closed the connection) before the ticket came back.
    if (this.phase === 'closed') ticket.release();
    else this.handshakeTicket = ticket;
  }

  /**
   * accessResponse(busy): its sessionId carries the retry hint in ms (docs/protocol.md §6, "Admission rules"), so
   * the AGV comes back when a slot is likely free instead of at once.
   */
  private refuseBusy(agvId: string, retryAfterMs: number, reason: BusyReason): void {
    if (this.phase === 'closed') return;
    const detail = `${reason === 'key_exchange_rate' ? 'too many key exchanges from this source' : 'too many AGVs connecting'}; retry after ${retryAfterMs} ms`;
    this.peer.send({ kind: 'accessResponse', result: 'busy', version: 0, sessionId: retryAfterMs, serverTime: this.ctx.clock.now(), detail });
    this.audit('access_refused', `busy_${reason}`, `${agvId}: ${detail}`);
    this.peer.close();
  }

  private onKeyExchange(frame: Frame, m: Extract<Message, { kind: 'keyExchangeInit' | 'keyExchangeConfirm' }>): void {
    if (this.phase !== 'keyExchange' || !this.ctx.secure || !this.record?.publicKeyHex) {
      this.refuseFrame(frame, 'INVALID_STATE', 'no key exchange in progress');
      return;
    }
    // The first init was paid for at admission; any further one on this connection takes its own start.
    const paid = m.kind === 'keyExchangeInit' && this.keyExchangePaid;
    if (paid) this.keyExchangePaid = false;
    if (m.kind === 'keyExchangeInit' && !paid && !this.ctx.allowKeyExchange(this)) {
      this.audit('source_limited', 'key_exchange_rate', `${this.agvId}: key exchange refused, too many from ${this.peer.channel.peer}`);
      this.peer.nack(frame.seq, frame.msgType, 'BUSY', 'too many key exchanges from this source; retry later');
      this.peer.close();
      return;
    }
    const outcome = this.ctx.secure.handle(this.peer, this.record.publicKeyHex, m);
    if (outcome === 'done') {
      this.phase = 'registering';
      this.handshakeTicket?.release();
      this.handshakeTicket = undefined;
      // The first protected frame: tells the AGV the platform now has the keys.
      if (frame.flags & 0x04) this.peer.ack(frame);
    } else if (outcome !== 'continue') {
      this.audit('access_refused', 'KEY_EXCHANGE_FAILED', `${this.agvId}: key exchange failed: ${outcome.error}`);
      this.peer.nack(frame.seq, frame.msgType, 'KEY_EXCHANGE_FAILED', outcome.error);
      this.peer.close();
    }
  }

  private async onRegister(frame: Frame, m: Extract<Message, { kind: 'registerRequest' }>): Promise<void> {
    if (this.phase !== 'registering') {
      this.refuseFrame(frame, 'INVALID_STATE', 'already registered');
      return;
    }
    const id = this.agvId!;
    const rec = this.record;
    const refuse = (result: 'rejectedIdentity' | 'rejectedCapabilities' | 'refused', detail: string) => {
      this.peer.send({ kind: 'registerAck', result, detail });
      this.audit('registration_refused', result, `${id}: ${detail}`);
      this.peer.close();
    };
    if (rec && rec.serial !== '' && rec.serial !== m.serial) return refuse('rejectedIdentity', `serial ${m.serial} does not match the enrolled AGV ${id}`);
    const { mapHash } = this.ctx.numbering;
    // A 1.0 AGV sends no hash and is not checked; one that holds another map would misread every node number.
    if (m.mapHash !== undefined && m.mapHash !== mapHash) {
      this.peer.send({ kind: 'registerAck', result: 'staleMap', detail: `map hash ${mapHashHex(m.mapHash)} is not the site's ${mapHashHex(mapHash)}: load GET /api/v1/site/export`, mapHash });
      this.audit('registration_refused', 'staleMap', `${id}: stale map ${mapHashHex(m.mapHash)} (protocol ${formatVersion(this.version)})`);
      this.peer.close();
      return;
    }
    const sense = checkRegistration(m);
    if (!sense.ok) return refuse('rejectedCapabilities', sense.detail);
    const body = footprintFromCapabilities(m.capabilities);
    if (!body.ok) return refuse('rejectedCapabilities', body.detail);
    // Two normal-mode connections may both have passed access before either was active: the first one wins.
    if (this.mode === 'normal' && this.liveRival()) {
      this.audit('takeover_refused', 'duplicateSession', `${id}: another session came up first`);
      this.peer.send({ kind: 'registerAck', result: 'refused', detail: `AGV ${id} already has a live session` });
      this.peer.close();
      return;
    }
    const capabilities = { ...m.capabilities, kinematics: m.capabilities.kinematics } as Record<string, unknown>;
    try {
      const admission = this.ctx.settings.autoApprove ? 'approved' : 'pending';
      this.record = await this.ctx.store.agvs.upsertSeen({ id, at: this.ctx.clock.now(), vendor: m.vendor, model: m.model, serial: m.serial, type: m.agvType, capabilities, mode: this.mode, admission });
    } catch (err) {
      this.ctx.logger.error({ err, agvId: id }, 'registration refused: AGV registry not writable');
      this.peer.send({ kind: 'registerAck', result: 'refused', detail: 'registry unavailable, retry later' });
      this.peer.close();
      return;
    }
    if (this.phase !== 'registering') return;
    this.identity = { id, vendor: m.vendor, model: m.model, serial: m.serial, type: m.agvType, softwareVersion: m.softwareVersion, capabilities, footprint: body.footprint };
    this.peer.send({ kind: 'registerAck', result: 'accepted', detail: '', mapHash: this.version >= 0x11 ? mapHash : undefined });
    this.phase = 'configuring';
    const s = this.ctx.settings;
    this.peer.send({
      kind: 'globalConfig',
      statusPeriod: s.statusPeriodMs,
      heartbeatPeriod: s.heartbeatPeriodMs,
      heartbeatTimeout: s.heartbeatTimeoutMs,
      runningDataPeriod: 0,
      batteryLow: Math.round(s.batteryLowPct * 10),
      batteryCritical: Math.round(s.batteryCriticalPct * 10),
      localisationScoreMin: 50,
      maxClockSkew: 30_000,
    });
  }

  /** An operator approved this AGV while it waited: it joins the fleet now. */
  approve(): void {
    if (this.phase !== 'pending') return;
    if (this.record) this.record = { ...this.record, admission: 'approved' };
    this.activate();
  }

  private holdPending(): void {
    this.phase = 'pending';
    this.ctx.leftUnaccessed(this);
    this.audit('admission', 'pending', `${this.agvId} (${this.identity!.vendor} ${this.identity!.model}) registered and waits for an operator's approval`);
  }

  private activate(): void {
    this.phase = 'active';
    this.ctx.leftUnaccessed(this);
    this.ctx.registry.connect(this.identity!, this, this.ctx.clock.now());
    void this.log('info', 'agv.online', `${this.agvId} online (${this.identity!.vendor} ${this.identity!.model}, ${this.mode} mode)`);
  }

  private refuseFrame(frame: Frame, code: ProtocolErrorCode, detail: string): void {
    this.peer.nack(frame.seq, frame.msgType, code, detail);
    this.countBadFrame();
  }

  private onBadFrame(error: ProtocolError): void {
    if (error.skippable) return;
    this.peer.nack(error.seq ?? 0, error.msgType ?? 0, error.code, error.message);
    if (ERROR_CODES[error.code] >> 8 === 0x01) this.audit('secure_frame_rejected', error.code, `${this.agvId ?? this.peer.channel.peer}: ${error.message}`);
    if (this.beforeAccess) this.strikeBeforeAccess();
    else this.countBadFrame();
  }

  /** Access not yet granted: only access and key-exchange frames are expected. */
  private get beforeAccess(): boolean {
    return this.phase === 'accessing' || this.phase === 'keyExchange';
  }

  private strikeBeforeAccess(): void {
    if (++this.preAccessStrikes < this.ctx.settings.preAccessStrikes) return;
    this.audit('access_refused', 'pre_access_frames', `${this.peer.channel.peer}: ${this.preAccessStrikes} frames before access, closed`);
    this.peer.close();
  }

  /** Another session of this AGV that is active and still heard from. */
  private liveRival(): boolean {
    const current = this.agvId === undefined ? undefined : this.ctx.registry.live(this.agvId)?.link;
    if (!(current instanceof AgvSession) || current === this || current.phase !== 'active') return false;
    if (this.ctx.clock.now() - current.lastHeard <= this.ctx.settings.heartbeatTimeoutMs) return true;
    // Silent past the heartbeat timeout: dead even if the sweep has not closed it yet.
    current.close('heartbeat timeout');
    return false;
  }

  private audit(kind: AuditEntry['kind'], reason: string, detail: string): void {
    this.ctx.audit({ kind, reason, detail, agvId: this.agvId, peer: this.peer.channel.peer });
  }

  private countBadFrame(): void {
    const now = this.ctx.clock.now();
    const window = this.ctx.settings.errorWindowMs;
    this.badFrames = this.badFrames.filter((t) => now - t < window);
    this.badFrames.push(now);
    if (this.badFrames.length > this.ctx.settings.maxBadFrames) {
      void this.log('warning', 'session.bad_frames', `closing: ${this.badFrames.length} bad frames within ${window} ms`);
      this.peer.close();
    }
  }

  private persistSighting(node: string | undefined): void {
    const now = this.ctx.clock.now();
    if (node === this.lastPersistedNode && now - this.lastPersistAt < 60_000) return;
    if (now - this.lastPersistAt < 5_000) return;
    this.lastPersistedNode = node;
    this.lastPersistAt = now;
    void this.ctx.store.agvs.upsertSeen({ id: this.agvId!, at: now, lastNode: node ?? null }).catch((err: unknown) => this.storeFailed(err, 'last position not stored'));
  }

  private closed(reason: string): void {
    if (this.phase === 'closed') return;
    const wasActive = this.phase === 'active';
    this.phase = 'closed';
    this.handshakeTicket?.release();
    this.handshakeTicket = undefined;
    for (const waiters of [this.paramReports, this.paramSetAcks, this.runningDataAnswers]) waiters.failAll(`session closed (${reason})`);
    for (const answer of this.switches.values()) answer({ ok: false, detail: `connection closed (${reason})` });
    this.switches.clear();
    if (!wasActive) this.ctx.leftUnaccessed(this);
    // A socket error or a peer too slow to read its frames is worth a line; an ordinary close is not.
    if (reason === 'error' || reason === 'backpressure') this.ctx.logger.warn({ agvId: this.agvId, reason }, 'AGV connection lost');
    if (wasActive && this.agvId !== undefined) {
      this.ctx.registry.disconnect(this.agvId, this, reason);
      if (this.spaceLinkValue) this.ctx.space?.disconnected(this.agvId, this.spaceLinkValue);
      void this.ctx.store.agvs.upsertSeen({ id: this.agvId, at: this.lastHeard }).catch((err: unknown) => this.storeFailed(err, 'last sighting not stored'));
    }
    this.onClosed(this);
  }

  private async log(severity: 'info' | 'warning' | 'error', type: string, message: string, data?: unknown): Promise<void> {
    try {
      await this.ctx.store.events.append({ at: this.ctx.clock.now(), severity, type, message, agvId: this.agvId ?? null, data });
    } catch (err) {
      // The event log must never take a session down.
      this.storeFailed(err, `event ${type} not stored`);
    }
  }

  private storeFailed(err: unknown, what: string): void {
    this.ctx.logger.error({ err, agvId: this.agvId }, what);
  }
}
