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

// Accepts AGV connections (TCP, or any FrameChannel handed to attach()) and runs one AgvSession per connection.
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
  tap?: (agvId: string, frame: Frame) => void;
  /** Failed commands and store errors, with the AGV they concern. */
  logger?: Logger;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  autoEnrol: DEFAULT_CONFIG.autoEnrol,
  requireSecure: DEFAULT_CONFIG.requireSecure,
  statusPeriodMs: DEFAULT_CONFIG.statusPeriodMs,
  heartbeatPeriodMs: DEFAULT_CONFIG.heartbeatPeriodMs,
  heartbeatTimeoutMs: DEFAULT_CONFIG.heartbeatTimeoutMs,
  batteryLowPct: 20,
  batteryCriticalPct: 10,
  maxBadFrames: 20,
  errorWindowMs: 10_000,
  ackTimeoutMs: 10_000,
};

export class SessionServer {
  readonly latency = new LatencyRecorder();
  private closedFramesIn = 0;
  private readonly latencyListeners = new Set<(command: string, ms: number) => void>();
  private readonly sessions = new Set<AgvSession>();
  private readonly ctx: SessionContext;
  private tcp: Server | undefined;
  private cancelSweep: (() => void) | undefined;
  private cancelHeartbeat: (() => void) | undefined;
  private sessionCounter = 0;
  private stopped = false;

  constructor(private readonly options: SessionServerOptions) {
    const settings = { ...DEFAULT_SESSION_SETTINGS, ...options.settings };
    this.ctx = {
      clock: options.clock,
      store: options.store,
      registry: options.registry,
      numbering: options.numbering,
      settings,
      secure: options.secure,
      recordLatency: (kind, ms) => {
        this.latency.record(kind, ms);
        for (const listener of this.latencyListeners) listener(kind, ms);
      },
      tap: options.tap,
      logger: options.logger ?? silentLogger(),
      nextSessionId: () => (this.sessionCounter = (this.sessionCounter % 0xffffffff) + 1),
    };
    this.sweep();
    this.heartbeat();
  }

  get settings(): SessionSettings {
    return this.ctx.settings;
  }

  /** Observes every acknowledged command's round trip (command kind, ms), e.g. for metrics. */
  onCommandLatency(listener: (command: string, ms: number) => void): () => void {
    this.latencyListeners.add(listener);
    return () => this.latencyListeners.delete(listener);
  }

  /** Listens for AGVs on TCP; port 0 picks a free port. Resolves with the bound port. */
  listen(port: number, host = '0.0.0.0'): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true }, (socket) => {
        this.attach(new TcpChannel(socket, { maxBufferedBytes: this.options.maxBufferedBytes }));
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
  }

  /** Runs a session over any channel (in-memory pair, MQTT topic pair...). */
  attach(channel: FrameChannel): AgvSession {
    const session = new AgvSession(channel, this.ctx, (s) => {
      // Keep the closed session's frames in the total so framesIn() never goes down when AGVs drop.
      if (this.sessions.delete(s)) this.closedFramesIn += s.peer.framesIn;
    });
    this.sessions.add(session);
    if (this.stopped) session.close('server stopping');
    return session;
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
    const server = this.tcp;
    this.tcp = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** One timer pings every session at the heartbeat period, so an AGV can tell a dead platform from a quiet one. */
  private heartbeat(): void {
    this.cancelHeartbeat = this.ctx.clock.setTimeout(() => {
      for (const session of this.sessions) session.ping();
      if (!this.stopped) this.heartbeat();
    }, this.ctx.settings.heartbeatPeriodMs);
  }

  private sweep(): void {
    const period = Math.max(100, Math.floor(this.ctx.settings.heartbeatTimeoutMs / 5));
    this.cancelSweep = this.ctx.clock.setTimeout(() => {
      const now = this.ctx.clock.now();
      for (const session of [...this.sessions]) {
        if (now - session.lastHeard > this.ctx.settings.heartbeatTimeoutMs) session.close('heartbeat timeout');
      }
      if (!this.stopped) this.sweep();
    }, period);
  }
}
