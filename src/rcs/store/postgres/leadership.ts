// Site leadership epochs (see SiteLeadershipRepository): the fencing token of a site's leader.

import type pg from 'pg';
import { StaleLeadershipError } from '../errors.ts';
import type { SiteLeadershipRepository } from '../types.ts';
import { inTransaction, type Queryable } from './db.ts';

export class PgSiteLeadershipRepository implements SiteLeadershipRepository {
  constructor(private readonly pool: pg.Pool) {}

  async claim(siteId: string, at: number): Promise<number> {
    const { rows } = await this.pool.query<{ epoch: number }>(
      'INSERT INTO site_leadership (site_id, epoch, acquired_at) VALUES ($1, 1, $2) ON CONFLICT (site_id) DO UPDATE SET epoch = site_leadership.epoch + 1, acquired_at = EXCLUDED.acquired_at RETURNING epoch',
      [siteId, at],
    );
    return rows[0]!.epoch;
  }

  async current(siteId: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ epoch: number }>('SELECT epoch FROM site_leadership WHERE site_id = $1', [siteId]);
    return rows[0]?.epoch;
  }

  /**
   * Runs `write` in one transaction with the check that `epoch` is still the site's; throws StaleLeadershipError
   * (nothing written) when it is not. The share lock on the epoch row orders the write against a successor's claim
   * (an UPDATE of that row): a write either commits before the claim, so the successor reads it when it restores, or
   * waits for the claim and sees the new epoch.
   */
  async fenced(siteId: string, epoch: number, write: (client: pg.PoolClient) => Promise<unknown>): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await this.check(client, siteId, epoch);
      await write(client);
    });
  }

  /** The fence check alone, on the caller's open transaction (`db`), for writes that run their own (task changes). */
  async check(db: Queryable, siteId: string, epoch: number): Promise<void> {
    const { rows } = await db.query<{ epoch: number }>('SELECT epoch FROM site_leadership WHERE site_id = $1 FOR SHARE', [siteId]);
    const current = rows[0]?.epoch;
    if (current !== epoch) throw new StaleLeadershipError(siteId, epoch, current);
  }
}
