// Traffic holds: each AGV's last released nodes per site (see TrafficHoldRepository).

import type pg from 'pg';
import type { TrafficHoldRepository } from '../types.ts';
import type { Queryable } from './db.ts';
import type { PgSiteLeadershipRepository } from './leadership.ts';

export class PgTrafficHoldRepository implements TrafficHoldRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly leadership: PgSiteLeadershipRepository,
  ) {}

  async record(siteId: string, agvId: string, nodes: readonly string[], at: number, epoch?: number): Promise<void> {
    const write = async (db: Queryable) => {
      if (nodes.length === 0) {
        await db.query('DELETE FROM traffic_holds WHERE site_id = $1 AND agv_id = $2', [siteId, agvId]);
        return;
      }
      await db.query(
        'INSERT INTO traffic_holds (site_id, agv_id, nodes, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (site_id, agv_id) DO UPDATE SET nodes = EXCLUDED.nodes, updated_at = EXCLUDED.updated_at',
        [siteId, agvId, JSON.stringify(nodes), at],
      );
    };
    if (epoch === undefined) await write(this.pool);
    else await this.leadership.fenced(siteId, epoch, write);
  }

  async forSite(siteId: string): Promise<Map<string, string[]>> {
    const { rows } = await this.pool.query<{ agv_id: string; nodes: string[] }>('SELECT agv_id, nodes FROM traffic_holds WHERE site_id = $1 ORDER BY updated_at DESC, agv_id', [siteId]);
    return new Map(rows.map((r) => [r.agv_id, r.nodes]));
  }
}
