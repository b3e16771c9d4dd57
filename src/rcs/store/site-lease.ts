import type { SiteLease, StoreLocation } from './types.ts';
import { PgSiteLease } from './postgres/site-lease.ts';
import { splitPostgresUrl } from './open-at.ts';

/** A SQLite file belongs to one process: it leads its site from the start and never loses it. */
class SoleLease implements SiteLease {
  held = true;
  async acquire(): Promise<void> {}
  onLost(): void {}
  async close(): Promise<void> {
    this.held = false;
  }
}

/** Leadership of site `siteId` among the processes sharing the store at `location`. */
export function openSiteLease(location: StoreLocation, siteId: string, timing: { pollMs?: number; checkMs?: number } = {}): SiteLease {
  if ('path' in location) return new SoleLease();
  const { connectionString, schema } = splitPostgresUrl(location.url);
  return new PgSiteLease({ connectionString, key: `${schema ?? 'public'}/${siteId}`, ...timing });
}
