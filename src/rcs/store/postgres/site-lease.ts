// Site leadership on PostgreSQL: a session-level advisory lock taken on a connection of its own. The server drops
// the lock the moment that connection ends, so a killed leader (its socket closed by the kernel) frees the site at
// once; a leader cut off from the server notices within checkMs + a query timeout and gives up before the server's
// TCP keepalives (set short on this connection) end its session and let another process take over.

import { createHash } from 'node:crypto';
import pg from 'pg';
import type { SiteLease } from '../types.ts';

export interface PgSiteLeaseOptions {
  connectionString: string;
  /** What the lock is named after: schema and site id, so sites sharing a database never contend. */
  key: string;
  /** How often a standby tries to take the lock. */
  pollMs?: number;
  /** How often the leader checks its lock connection still answers. */
  checkMs?: number;
}

// Two-int advisory lock: the first int marks the lock as UniFleet's site leadership, the second names the site.
const LEASE_CLASS = 0x55465354;

/** A stable 32-bit signed number for the site key (sha-256 prefix; a collision only makes two sites take turns). */
export function siteLockId(key: string): number {
  return createHash('sha256').update(key).digest().readInt32BE(0);
}

export class PgSiteLease implements SiteLease {
  private client: pg.Client | undefined;
  private holding = false;
  private closed = false;
  private lostListeners: ((reason: string) => void)[] = [];
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly lockId: number;

  constructor(private readonly o: PgSiteLeaseOptions) {
    this.lockId = siteLockId(o.key);
  }

  get held(): boolean {
    return this.holding;
  }

  onLost(listener: (reason: string) => void): void {
    this.lostListeners.push(listener);
  }

  async acquire(): Promise<void> {
    while (!this.closed) {
      try {
        const client = this.client ?? (await this.connect());
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LEASE_CLASS, this.lockId]);
        if (rows[0]?.ok) {
          this.holding = true;
          this.watch(client);
          return;
        }
      } catch {
        // Server unreachable or the connection broke: start over with a new connection on the next round.
        await this.dropClient();
      }
      await new Promise((resolve) => setTimeout(resolve, this.o.pollMs ?? 500));
    }
    throw new Error('site lease closed before it was acquired');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.checkTimer);
    const client = this.client;
    this.client = undefined;
    this.holding = false;
    // Ending the session releases the lock; no explicit unlock needed.
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.o.connectionString,
      connectionTimeoutMillis: 3_000,
      keepAlive: true,
      // The server side notices a vanished leader within about 5 + 2 × 3 s instead of its default two hours.
      options: '-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3',
      query_timeout: 2_000,
    });
    client.on('error', () => this.lose('lock connection failed'));
    client.on('end', () => this.lose('lock connection ended'));
    await client.connect();
    this.client = client;
    return client;
  }

  private watch(client: pg.Client): void {
    this.checkTimer = setInterval(() => {
      client.query('SELECT 1').catch(() => this.lose('lock connection stopped answering'));
    }, this.o.checkMs ?? 1_000);
    this.checkTimer.unref();
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private lose(reason: string): void {
    if (!this.holding || this.closed) return;
    this.holding = false;
    clearInterval(this.checkTimer);
    void this.dropClient();
    for (const l of this.lostListeners.splice(0)) l(reason);
  }
}
