import type { SpaceService } from '../space/space-service.ts';
import { createServer, type Server } from 'node:net';
import type { Clock } from '../../core/index.ts';
import type { Frame } from '../../protocol/index.ts';
import type { FrameChannel } from '../../agv/transport/channel.ts';
import { TcpChannel } from '../../agv/transport/tcp.ts';
import { DEFAULT_CONFIG } from '../config.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import type { FleetRegistry } from '../fleet/registry.ts';
import { AgvSession, type SessionContext, type SessionSettings } from './agv-session.ts';
import type { SecureHandshake } from './secure-handshake.ts';
import type { SiteNumbering } from './site-numbering.ts';
import { LatencyRecorder } from './latency.ts';
import { SessionAudit, type AuditEntry } from './audit.ts';
import { SourceLimits, type SourceLimitSettings } from './source-limits.ts';
import { HandshakeAdmission, type HandshakeAdmissionSettings } from './handshake-admission.ts';
import { SecretProofCheck } from './secret-proof.ts';
import { MqttListener, type MqttListenOptions } from './mqtt-listener.ts';

// Accepts AGV connections (TCP, MQTT links through a broker, or any FrameChannel handed to attach()) and runs one
// AgvSession per connection; admission limits apply the same to every transport (accept()).
// One sweep timer checks every session's heartbeat, instead of one timer per AGV, so 10,000 sessions stay cheap.

export interface SessionServerOptions {
  clock: Clock;
  store: Store;
  registry: FleetRegistry;
  numbering: SiteNumbering;
  settings?: Partial<SessionSettings>;
  secure?: SecureHandshake;
  /** Outbound bytes a slow AGV may have queued before its session is dropped. */
  maxBufferedBytes?: number;
  /** Per-source limits on TCP connections (see source-limits.ts). */
  sourceLimits?: Partial<SourceLimitSettings>;
  /** Secure handshakes in flight and waiting (see handshake-admission.ts). */
  handshakes?: Partial<HandshakeAdmissionSettings>;
  tap?: (agvId: string, frame: Frame) => void;
  /**
   * The connection tier (protocol gateways in other processes): accepts on the bound listener instead of this
   * process. Without it sockets are accepted and read here.
   */
  connectionTier?: ConnectionTier;
  /** Failed commands and store errors, with the AGV they concern. */
  logger?: Logger;
  /** Autonomous space and blockage reports (refused when absent). */
  space?: SpaceService;
}

/** A connection accepted elsewhere and not read yet: admit() starts reading it, close() refuses it. */
export interface AdmittableChannel extends FrameChannel {
  admit(): void;
}

export interface ConnectionTier {
  /** Takes over accepting on the bound `server`; every new connection comes to `onConnection` with its source. */
  serve(server: Server, onConnection: (channel: AdmittableChannel, source: string) => void): Promise<void>;
  /** The platform takes no more connections: the tier stops accepting (its connections are closed by their sessions). */
  unserve(): void;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  autoEnrol: DEFAULT_CONFIG.autoEnrol,
  autoApprove: DEFAULT_CONFIG.autoApprove,
  requireSecure: DEFAULT_CONFIG.requireSecure,
  statusPeriodMs: DEFAULT_CONFIG.statusPeriodMs,
  heartbeatPeriodMs: DEFAULT_CONFIG.heartbeatPeriodMs,
  heartbeatTimeoutMs: DEFAULT_CONFIG.heartbeatTimeoutMs,
  batteryLowPct: 20,
  batteryCriticalPct: 10,
  maxBadFrames: 20,
  errorWindowMs: 10_000,
  ackTimeoutMs: 10_000,
  accessTimeoutMs: DEFAULT_CONFIG.accessTimeoutMs,
  preAccessStrikes: DEFAULT_CONFIG.preAccessStrikes,
  maxFramesPerSecond: DEFAULT_CONFIG.maxFramesPerSecond,
};

export const DEFAULT_SOURCE_LIMITS: SourceLimitSettings = {
  maxUnaccessedPerSource: DEFAULT_CONFIG.maxUnaccessedPerSource,
  connectionsPerSecond: DEFAULT_CONFIG.connectionsPerSecond,
  connectionBurst: DEFAULT_CONFIG.connectionBurst,
  keyExchangesPerSecond: DEFAULT_CONFIG.keyExchangesPerSecond,
  keyExchangeBurst: DEFAULT_CONFIG.keyExchangeBurst,
};

export const DEFAULT_HANDSHAKE_ADMISSION: HandshakeAdmissionSettings = {
  maxHandshakes: DEFAULT_CONFIG.maxHandshakes,
  maxQueued: DEFAULT_CONFIG.handshakeQueue,
  maxWaitMs: DEFAULT_CONFIG.handshakeWaitMs,
  handshakeTimeoutMs: DEFAULT_CONFIG.handshakeTimeoutMs,
};

export class SessionServer {
  readonly latency = new LatencyRecorder();
  readonly audit: SessionAudit;
  private readonly limits: SourceLimits;
  private readonly handshakes: HandshakeAdmission;
  /** Source of each connection still counted as unaccessed. */
  private readonly unaccessedSource = new WeakMap<AgvSession, string>();
  /** Source of each accepted connection (IP address, or the broker of an MQTT link), for the key-exchange limit. */
  private readonly sources = new WeakMap<AgvSession, string>();
  private closedFramesIn = 0;
  private readonly latencyListeners = new Set<(command: string, ms: number) => void>();
  private readonly sessions = new Set<AgvSession>();
  private readonly ctx: SessionContext;
  private tcp: Server | undefined;
  private mqtt: MqttListener | undefined;
  private cancelSweep: (() => void) | undefined;
  private cancelHeartbeat: (() => void) | undefined;
  private sessionCounter = 0;
  private stopped = false;

  constructor(private readonly options: SessionServerOptions) {
    const settings = { ...DEFAULT_SESSION_SETTINGS, ...options.settings };
    const logger = options.logger ?? silentLogger();
    this.audit = new SessionAudit(options.clock, options.store.events, logger);
    this.limits = new SourceLimits({ ...DEFAULT_SOURCE_LIMITS, ...options.sourceLimits });
    // The wait for a slot does not count against the access deadline (that restarts at admission): it has its own.
    this.handshakes = new HandshakeAdmission({ ...DEFAULT_HANDSHAKE_ADMISSION, ...options.handshakes }, options.clock, {
      take: (source, now) => this.limits.admitKeyExchange(source, now),
      waitMs: (source, now) => this.limits.keyExchangeWaitMs(source, now),
    });
    this.ctx = {
      clock: options.clock,
      store: options.store,
      registry: options.registry,
      numbering: options.numbering,
      settings,
      secure: options.secure,
      secretProofs: new SecretProofCheck(),
      recordLatency: (kind, ms) => {
        this.latency.record(kind, ms);
        for (const listener of this.latencyListeners) listener(kind, ms);
      },
      tap: options.tap,
      space: options.space,
      logger,
      nextSessionId: () => (this.sessionCounter = (this.sessionCounter % 0xffffffff) + 1),
      audit: (entry) => this.audit.record(entry),
      leftUnaccessed: (session) => {
        const source = this.unaccessedSource.get(session);
        if (source === undefined) return;
        this.unaccessedSource.delete(session);
        this.limits.leftUnaccessed(source, this.ctx.clock.now());
      },
      allowKeyExchange: (session) => this.limits.admitKeyExchange(this.sourceOfSession(session), this.ctx.clock.now()),
      admitHandshake: (session, request) => this.handshakes.request(this.sourceOfSession(session), request),
    };
    this.sweep();
    this.heartbeat();
  }

  get settings(): SessionSettings {
    return this.ctx.settings;
  }

  /** Observes refusals and admission decisions (counted in metrics). */
  onAudit(listener: (entry: AuditEntry) => void): () => void {
    return this.audit.onEntry(listener);
  }

  /** Observes every acknowledged command's round trip (command kind, ms), e.g. for metrics. */
  onCommandLatency(listener: (command: string, ms: number) => void): () => void {
    this.latencyListeners.add(listener);
    return () => this.latencyListeners.delete(listener);
  }

  /** Listens for AGVs on TCP; port 0 picks a free port. Resolves with the bound port. */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    const tier = this.options.connectionTier;
    const bound = await new Promise<number>((resolve, reject) => {
      // Paused on connect: a connection refused by a source limit is closed without ever being read (no read buffer).
      const server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => {
        const channel = () => new TcpChannel(socket, { maxBufferedBytes: this.options.maxBufferedBytes });
        this.accept(socket.remoteAddress ?? '?', channel, () => socket.resume(), () => socket.destroy());
      });
      server.maxConnections = 50_000;
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        this.tcp = server;
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
    // With a connection tier this process stops accepting: the tier's processes accept from the same socket.
    if (tier && this.tcp) await tier.serve(this.tcp, (channel, source) => this.accept(source, () => channel, () => channel.admit(), () => channel.close()));
    return bound;
  }

  /**
   * Listens for AGV links through an MQTT broker (docs/protocol.md "MQTT binding"), beside or instead of TCP. Resolves
   * once subscribed.
   */
  async listenMqtt(options: MqttListenOptions): Promise<void> {
    this.mqtt = await MqttListener.start({ maxBufferedBytes: this.options.maxBufferedBytes, logger: this.ctx.logger, ...options }, (channel, source) => this.accept(source, () => channel) !== undefined);
  }

  /**
   * A new connection from `source` (TCP, a gateway's or an MQTT link): per-source limits first, then a session on the
   * channel `open` makes. Refused: the refusal is recorded, `refuse` drops the connection unread, and the answer is
   * undefined. Admitted: `startReading` lets its bytes in (sockets arrive paused), and the answer is the session.
   */
  accept(source: string, open: () => FrameChannel, startReading: () => void = () => {}, refuse: () => void = () => {}): AgvSession | undefined {
    const now = this.ctx.clock.now();
    const refusal = this.limits.admitConnection(source, now);
    if (refusal) {
      // Dropped before any frame is read: a flood from one source costs an accept and a close.
      refuse();
      this.audit.record({ kind: 'source_limited', reason: refusal, peer: source, detail: `connection from ${source} refused: ${refusal.replace(/_/g, ' ')} limit` });
      return undefined;
    }
    const session = this.attach(open());
    this.sources.set(session, source);
    if (session.phase === 'closed') this.limits.leftUnaccessed(source, now);
    else {
      this.unaccessedSource.set(session, source);
      startReading();
    }
    return session;
  }

  /** Runs a session over any channel (in-memory pair...), outside the per-source limits. */
  attach(channel: FrameChannel): AgvSession {
    const session = new AgvSession(channel, this.ctx, (s) => {
      // Keep the closed session's frames in the total so framesIn() never goes down when AGVs drop.
      if (this.sessions.delete(s)) this.closedFramesIn += s.peer.framesIn;
    });
    this.sessions.add(session);
    if (this.stopped) session.close('server stopping');
    return session;
  }

  /** An operator approved or rejected an AGV: a session waiting for that decision joins the fleet or is closed. */
  admissionDecided(agvId: string, decision: 'approved' | 'rejected', by: string): void {
    this.audit.record({ kind: 'admission', reason: decision, agvId, detail: `AGV ${agvId} ${decision} by ${by}` });
    for (const session of this.sessions) {
      if (session.agvId !== agvId) continue;
      if (decision === 'approved') session.approve();
      else if (session.phase !== 'closed') session.close('rejected by an operator');
    }
  }

  private sourceOfSession(session: AgvSession): string {
    return this.sources.get(session) ?? sourceOf(session.peer.channel.peer);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Frames received by every session since start, closed ones included (monotonic counter for rates). */
  framesIn(): number {
    let n = this.closedFramesIn;
    for (const s of this.sessions) n += s.peer.framesIn;
    return n;
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.cancelSweep?.();
    this.cancelHeartbeat?.();
    for (const session of [...this.sessions]) session.close('platform shutting down');
    this.handshakes.close();
    const server = this.tcp;
    this.tcp = undefined;
    const mqtt = this.mqtt;
    this.mqtt = undefined;
    await mqtt?.close();
    const tier = this.options.connectionTier;
    if (server && tier) {
      // The tier's connections live in its processes, not on this server: nothing to wait for here.
      tier.unserve();
      server.close();
    } else if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** One timer offers every session a ping at the heartbeat period (each pings only a quiet link), so an AGV can tell a dead platform from a quiet one. */
  private heartbeat(): void {
    this.cancelHeartbeat = this.ctx.clock.setTimeout(() => {
      for (const session of this.sessions) session.ping();
      if (!this.stopped) this.heartbeat();
    }, this.ctx.settings.heartbeatPeriodMs);
  }

  private sweep(): void {
    const { heartbeatTimeoutMs, accessTimeoutMs } = this.ctx.settings;
    const period = Math.max(100, Math.floor(Math.min(heartbeatTimeoutMs, accessTimeoutMs) / 5));
    this.cancelSweep = this.ctx.clock.setTimeout(() => {
      const now = this.ctx.clock.now();
      const { heartbeatTimeoutMs, accessTimeoutMs } = this.ctx.settings;
      for (const session of [...this.sessions]) {
        const deadlineStart = session.accessDeadlineStart;
        // Waiting in the handshake queue, an AGV may send nothing; the queue bounds that wait itself.
        if (deadlineStart === undefined) continue;
        if (now - session.lastHeard > heartbeatTimeoutMs) session.close('heartbeat timeout');
        else if (session.phase !== 'active' && session.phase !== 'pending' && now - deadlineStart > accessTimeoutMs) {
          // Whatever it sends (heartbeats keep lastHeard fresh), a connection that never completes access goes.
          const since = deadlineStart === session.openedAt ? 'connecting' : 'its handshake slot';
          this.audit.record({ kind: 'access_refused', reason: 'access_timeout', agvId: session.agvId, peer: session.peer.channel.peer, detail: `not active ${accessTimeoutMs} ms after ${since}, closed` });
          session.close('access timeout');
        }
      }
      this.limits.prune(now);
      if (!this.stopped) this.sweep();
    }, period);
  }
}

/** The address part of a channel's peer label ("10.0.0.7:51234" → "10.0.0.7", "[::1]:5" → "[::1]"). */
function sourceOf(peer: string): string {
  const colon = peer.lastIndexOf(':');
  return colon > 0 ? peer.slice(0, colon) : peer;
}
