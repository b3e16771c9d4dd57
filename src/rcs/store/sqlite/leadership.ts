// Site leadership epochs (see SiteLeadershipRepository): the fencing token of a site's leader.

import type { Database, Statement } from 'better-sqlite3';
import { StaleLeadershipError } from '../errors.ts';
import type { SiteLeadershipRepository } from '../types.ts';

export class SqliteSiteLeadershipRepository implements SiteLeadershipRepository {
  private readonly bump: Statement<[string, number], { epoch: number }>;
  private readonly select: Statement<[string], { epoch: number }>;

  constructor(private readonly db: Database) {
    this.bump = db.prepare(
      'INSERT INTO site_leadership (site_id, epoch, acquired_at) VALUES (?, 1, ?) ON CONFLICT (site_id) DO UPDATE SET epoch = epoch + 1, acquired_at = excluded.acquired_at RETURNING epoch',
    );
    this.select = db.prepare('SELECT epoch FROM site_leadership WHERE site_id = ?');
  }

  async claim(siteId: string, at: number): Promise<number> {
    return this.bump.get(siteId, at)!.epoch;
  }

  async current(siteId: string): Promise<number | undefined> {
    return this.select.get(siteId)?.epoch;
  }

  /**
   * Runs `write` in one transaction with the check that `epoch` is still the site's; throws StaleLeadershipError
   * (nothing written) when it is not. SQLite transactions are serialised, so no claim can come in between.
   */
  fenced(siteId: string, epoch: number, write: () => void): void {
    this.db.transaction(() => {
      this.check(siteId, epoch);
      write();
    })();
  }

  /** The fence check alone, for a caller already inside its own transaction (task changes). */
  check(siteId: string, epoch: number): void {
    const current = this.select.get(siteId)?.epoch;
    if (current !== epoch) throw new StaleLeadershipError(siteId, epoch, current);
  }
}
