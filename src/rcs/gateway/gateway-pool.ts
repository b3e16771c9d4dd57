// The coordinator's side of the protocol gateways: forks N gateway processes, shares the platform's bound listening
// socket with them (sent over IPC; each gateway accepts from it), and gives the session server a FrameChannel
// for every connection a gateway accepted, to admit (the gateway then reads it) or refuse. It supervises them: a
// gateway that dies takes only its own connections (their sessions end as on a dropped link) and is started again
// with backoff, at most a capped number of times a minute (restart-budget.ts).
// Sessions (src/rcs/session) stay here, in the one process that writes the site's state; per-frame work on the
// wire (socket reads and writes, and in secure mode SM2/SM4) runs in the gateways, over as many cores as there are.
import { fork, type ChildProcess } from 'node:child_process';
import type { Server, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BaseChannel } from '../../agv/transport/channel.ts';
import { ProtocolError } from '../../protocol/index.ts';
import type { Sm2KeyPair } from '../../protocol/secure/index.ts';
import type { Logger } from '../logger.ts';
import type { SecureSessionKeys, SecureTerminatingChannel } from '../session/secure-handshake.ts';
import { DEFAULT_RESTART_BUDGET, RestartBudget, type RestartBudgetOptions } from './restart-budget.ts';
import { TurnBatch, type FromGateway, type GatewayEvent, type GatewayOp, type GatewayUsage, type ToGateway } from './wire.ts';

export interface GatewayPoolOptions {
  /** Gateway processes (≥ 1). */
  readonly count: number;
  readonly platformKeys: Sm2KeyPair;
  readonly maxBufferedBytes: number;
  readonly logger?: Logger;
  /** How fast and how often dead gateways are started again (default DEFAULT_RESTART_BUDGET). */
  readonly restarts?: RestartBudgetOptions;
}

/** The tier's state for metrics and readiness. */
export interface GatewayPoolStatus {
  /** Gateways configured (--gateways). */
  readonly configured: number;
  /** Gateway processes running now. */
  readonly up: number;
  /** Gateways started again after dying, since the platform started. */
  readonly restarts: number;
  /** A dead gateway waits for the per-minute restart cap (a crash loop was stopped). */
  readonly capped: boolean;
}

// From TypeScript sources (tsx) the entry is the .ts file, from a build the emitted .js next to this one.
const ENTRY = fileURLToPath(new URL(`./gateway-process.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));

/** One gateway process and the channels of the connections it holds. */
class GatewayLink {
  readonly channels = new Map<number, GatewayChannel>();
  private readonly ops: TurnBatch<GatewayOp>;
  private usageWaiters: ((usage: GatewayUsage) => void)[] = [];

  /** Called with each connection the gateway accepted; set by GatewayPool.serve. */
  onConnection: (channel: GatewayChannel, source: string) => void = (channel) => channel.close();
  private listeningWaiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess, logger: Logger | undefined) {
    this.ops = new TurnBatch((ops) => this.post({ t: 'ops', ops }));
    child.on('message', (message: FromGateway) => {
      if (message.t === 'events') for (const event of message.events) this.event(event);
      else if (message.t === 'listening') for (const waiter of this.listeningWaiters.splice(0)) waiter();
      else for (const waiter of this.usageWaiters.splice(0)) waiter(message);
    });
    // A send to a gateway that just died fails with EPIPE, reported here; its 'exit' closes its connections.
    child.on('error', (error) => logger?.error({ err: error }, 'protocol gateway IPC failed'));
    child.on('exit', (code, signal) => {
      if (this.channels.size > 0) logger?.error({ code, signal, connections: this.channels.size }, 'protocol gateway exited; its connections are closed');
      for (const channel of [...this.channels.values()]) channel.deliver([0, 'closed', 'error']);
      for (const waiter of this.usageWaiters.splice(0)) waiter({ t: 'usage', cpuUs: 0, rss: 0 });
      for (const waiter of this.listeningWaiters.splice(0)) waiter();
    });
  }

  private event(event: GatewayEvent): void {
    if (event[1] !== 'connected') {
      this.channels.get(event[0])?.deliver(event);
      return;
    }
    const { address, port } = event[2];
    const channel = new GatewayChannel(`${address}:${port}`, event[0], this);
    this.channels.set(event[0], channel);
    this.onConnection(channel, address);
  }

  /** Shares the listening socket; resolves once the gateway accepts from it (or is gone). */
  listen(server: Server): Promise<void> {
    return new Promise((resolve) => {
      if (!this.child.connected) return resolve();
      this.listeningWaiters.push(resolve);
      this.post({ t: 'listen' }, server);
    });
  }

  post(message: ToGateway, handle?: Server): void {
    if (this.child.connected) this.child.send(message, handle);
  }

  get running(): boolean {
    return this.child.connected && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Gives the gateway a connection this process accepted, unread; it comes back as 'connected' like its own. */
  adopt(socket: Socket): void {
    this.child.send({ t: 'adopt' } satisfies ToGateway, socket, (err) => {
      if (err) socket.destroy();
    });
  }

  op(op: GatewayOp): void {
    this.ops.push(op);
  }

  usage(): Promise<GatewayUsage> {
    if (!this.child.connected) return Promise.resolve({ t: 'usage', cpuUs: 0, rss: 0 });
    return new Promise((resolve) => {
      this.usageWaiters.push(resolve);
      if (this.usageWaiters.length === 1) this.post({ t: 'usage' });
    });
  }
}

/** The session server's view of a connection a gateway holds: plain frames in, plain frames out. */
export class GatewayChannel extends BaseChannel implements SecureTerminatingChannel {
  private readonly rejectedListeners: ((error: ProtocolError) => void)[] = [];
  private remotelyClosed = false;

  constructor(
    readonly peer: string,
    private readonly id: number,
    private readonly link: GatewayLink,
  ) {
    super();
  }

  /** Queued in the gateway, where the socket is; the gateway enforces the limit and closes with 'backpressure'. */
  get bufferedBytes(): number {
    return 0;
  }

  /** The platform admitted the connection: the gateway starts reading it. */
  admit(): void {
    if (!this.closed) this.link.op([this.id, 'admit']);
  }

  send(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    this.link.op([this.id, 'send', bytes]);
    return true;
  }

  pause(): void {
    if (!this.closed) this.link.op([this.id, 'pause']);
  }

  resume(): void {
    if (!this.closed) this.link.op([this.id, 'resume']);
  }

  installSecureSession(keys: SecureSessionKeys): void {
    if (!this.closed) this.link.op([this.id, 'secure', keys]);
  }

  onRejectedFrame(listener: (error: ProtocolError) => void): void {
    this.rejectedListeners.push(listener);
  }

  deliver(event: GatewayEvent): void {
    if (event[1] === 'data') this.emitData(event[2]);
    else if (event[1] === 'rejected') {
      const { code, message, ...details } = event[2];
      const error = new ProtocolError(code, message, details);
      for (const listener of this.rejectedListeners) listener(error);
    } else if (event[1] === 'closed') {
      this.remotelyClosed = true;
      this.finish(event[2]);
    }
  }

  protected doClose(): void {
    this.link.channels.delete(this.id);
    if (!this.remotelyClosed) this.link.op([this.id, 'close']);
  }
}

export class GatewayPool {
  private readonly links: GatewayLink[];
  private readonly budget: RestartBudget;
  /** The bound listening socket once serving: kept open so a replacement gateway can be given it. */
  private listener: Server | undefined;
  private onConnection: ((channel: GatewayChannel, source: string) => void) | undefined;
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private cappedSlots = 0;
  private restartCount = 0;
  private nextAdopter = 0;
  private closing = false;

  private constructor(private readonly o: GatewayPoolOptions) {
    this.budget = new RestartBudget(o.restarts ?? DEFAULT_RESTART_BUDGET);
    this.links = Array.from({ length: o.count }, (_, slot) => this.spawn(slot));
  }

  static start(options: GatewayPoolOptions): GatewayPool {
    if (!Number.isInteger(options.count) || options.count < 1) throw new RangeError('a gateway pool needs at least one gateway');
    return new GatewayPool(options);
  }

  private spawn(slot: number): GatewayLink {
    // Running from TypeScript sources (tsx), the children need the same loader.
    const execArgv = ENTRY.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = fork(ENTRY, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const link = new GatewayLink(child, this.o.logger);
    link.post({ t: 'init', platformKeys: this.o.platformKeys, maxBufferedBytes: this.o.maxBufferedBytes });
    child.once('exit', (code, signal) => this.exited(slot, child.pid, code, signal));
    return link;
  }

  /** A gateway ended: unless the pool is closing, a replacement is scheduled within the restart budget. */
  private exited(slot: number, pid: number | undefined, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.closing) return;
    const { delayMs, capped } = this.budget.next(Date.now());
    if (capped) {
      this.cappedSlots++;
      this.o.logger?.error({ slot, pid, code, signal, delayMs }, 'protocol gateway died; restarts are capped per minute, the next one waits');
    } else {
      this.o.logger?.error({ slot, pid, code, signal, delayMs }, 'protocol gateway died; starting a replacement');
    }
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (capped) this.cappedSlots--;
      void this.restart(slot);
    }, delayMs);
    this.restartTimers.add(timer);
  }

  private async restart(slot: number): Promise<void> {
    if (this.closing) return;
    this.budget.record(Date.now());
    this.restartCount++;
    const link = this.spawn(slot);
    this.links[slot] = link;
    if (this.listener && this.onConnection) {
      link.onConnection = this.onConnection;
      await link.listen(this.listener);
    }
    if (link.running) this.o.logger?.info({ slot, pid: link.child.pid, restarts: this.restartCount }, 'protocol gateway restarted');
  }

  get size(): number {
    return this.links.length;
  }

  /**
   * Lets every gateway accept from the bound `server`. This process keeps its copy open (a replacement gateway is
   * given it), so it may accept a connection now and then itself: that one is handed to a running gateway unread.
   * Each accepted connection comes to `onConnection` unread, with its source address: admit() it or close().
   */
  async serve(server: Server, onConnection: (channel: GatewayChannel, source: string) => void): Promise<void> {
    this.listener = server;
    this.onConnection = onConnection;
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => this.handOver(socket));
    for (const link of this.links) link.onConnection = onConnection;
    await Promise.all(this.links.map((link) => link.listen(server)));
  }

  /**
   * The session server stops taking connections (shutdown, leadership lost): the gateways close their copies of the
   * listening socket too, so a platform that stopped serving takes no AGV connections through them, and no
   * replacement listens again.
   */
  unserve(): void {
    this.listener = undefined;
    for (const link of this.links) link.post({ t: 'unlisten' });
  }

  /** A connection this process accepted goes to the next running gateway; with none running it is dropped unread. */
  private handOver(socket: Socket): void {
    for (let i = 0; i < this.links.length; i++) {
      const link = this.links[(this.nextAdopter + i) % this.links.length]!;
      if (!link.running) continue;
      this.nextAdopter = (this.nextAdopter + i + 1) % this.links.length;
      link.adopt(socket);
      return;
    }
    socket.destroy();
  }

  /** Each gateway's process id and the connections it holds (operations, tests). */
  processes(): { pid: number | undefined; connections: number; running: boolean }[] {
    return this.links.map((link) => ({ pid: link.child.pid, connections: link.channels.size, running: link.running }));
  }

  status(): GatewayPoolStatus {
    return { configured: this.links.length, up: this.links.filter((l) => l.running).length, restarts: this.restartCount, capped: this.cappedSlots > 0 };
  }

  /** CPU (ms since start) and RSS of each gateway process, for benchmarks and metrics. */
  async usage(): Promise<{ cpuMs: number; rss: number }[]> {
    const all = await Promise.all(this.links.map((link) => link.usage()));
    return all.map((u) => ({ cpuMs: u.cpuUs / 1000, rss: u.rss }));
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    await Promise.all(this.links.map((link) => new Promise<void>((resolve) => {
      if (link.child.exitCode !== null || link.child.signalCode !== null) return resolve();
      link.child.once('exit', () => resolve());
      link.child.kill();
    })));
  }
}
