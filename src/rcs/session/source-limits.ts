// Per-source admission limits for AGV connections, as pure bookkeeping over a clock (no sockets): the session
// server asks before it accepts a connection or starts a key exchange, and reports when a connection completes
// access or closes.
//
// Why these limits and not a cap on connections per address: a whole fleet often reaches the platform from one
// address (a NAT gateway, or the simulator on 127.0.0.1), so "AGVs per IP" cannot be bounded. What a legitimate
// fleet never does for long is sit unaccessed or run key exchanges: each AGV does both once, within a second, per
// connection. So the limits are on connections that have not completed access yet, on the rate of new
// connections and on the rate of key exchanges (SM2 work each), with bursts large enough for a fleet of thousands
// restarting at once; an AGV refused by them simply retries with its reconnect backoff. A secure access waits in
// the handshake queue (handshake-admission.ts) for its source's next key exchange instead of being refused, unless
// that is further away than the queue's wait.

export interface SourceLimitSettings {
  /** Connections from one source that have not completed access, at once. */
  maxUnaccessedPerSource: number;
  /** New connections per second from one source (sustained) ... */
  connectionsPerSecond: number;
  /** ... and in a burst. */
  connectionBurst: number;
  /** Key-exchange starts per second from one source (sustained) ... */
  keyExchangesPerSecond: number;
  /** ... and in a burst. */
  keyExchangeBurst: number;
}

/** A token bucket: `burst` tokens, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until take() would succeed (0: now; Infinity when the bucket never refills). */
  waitMs(now: number): number {
    const tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    if (tokens >= 1) return 0;
    return this.perSecond > 0 ? Math.ceil(((1 - tokens) / this.perSecond) * 1000) : Infinity;
  }

  /** Full again: nothing to remember about this source. */
  full(now: number): boolean {
    return this.tokens + ((now - this.at) / 1000) * this.perSecond >= this.burst;
  }
}

interface SourceState {
  unaccessed: number;
  connections: TokenBucket;
  keyExchanges: TokenBucket;
}

export type SourceRefusal = 'connection_rate' | 'unaccessed_connections' | 'key_exchange_rate';

export class SourceLimits {
  private readonly sources = new Map<string, SourceState>();

  constructor(private readonly settings: SourceLimitSettings) {}

  /** A new connection from `source`: undefined when it may proceed (then counted as unaccessed), else why not. */
  admitConnection(source: string, now: number): SourceRefusal | undefined {
    const state = this.state(source, now);
    if (state.unaccessed >= this.settings.maxUnaccessedPerSource) return 'unaccessed_connections';
    if (!state.connections.take(now)) return 'connection_rate';
    state.unaccessed++;
    return undefined;
  }

  /** An admitted connection completed access or closed before it: it no longer counts as unaccessed. */
  leftUnaccessed(source: string, now: number): void {
    const state = this.sources.get(source);
    if (!state) return;
    state.unaccessed = Math.max(0, state.unaccessed - 1);
    this.forgetIfIdle(source, state, now);
  }

  admitKeyExchange(source: string, now: number): boolean {
    return this.state(source, now).keyExchanges.take(now);
  }

  /** Milliseconds until `source` may start a key exchange (0: now); the handshake queue waits this long for it. */
  keyExchangeWaitMs(source: string, now: number): number {
    return this.sources.get(source)?.keyExchanges.waitMs(now) ?? 0;
  }

  /** Sources with state (for tests and memory checks). */
  get trackedSources(): number {
    return this.sources.size;
  }

  /** Drops sources with nothing to remember; the server calls this from its periodic sweep. */
  prune(now: number): void {
    for (const [source, state] of this.sources) this.forgetIfIdle(source, state, now);
  }

  private state(source: string, now: number): SourceState {
    let state = this.sources.get(source);
    if (!state) {
      const s = this.settings;
      state = { unaccessed: 0, connections: new TokenBucket(s.connectionsPerSecond, s.connectionBurst, now), keyExchanges: new TokenBucket(s.keyExchangesPerSecond, s.keyExchangeBurst, now) };
      this.sources.set(source, state);
    }
    return state;
  }

  private forgetIfIdle(source: string, state: SourceState, now: number): void {
    if (state.unaccessed === 0 && state.connections.full(now) && state.keyExchanges.full(now)) this.sources.delete(source);
  }
}
