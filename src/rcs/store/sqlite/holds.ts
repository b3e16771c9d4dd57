// Traffic holds: each AGV's last released nodes per site (see TrafficHoldRepository).

import type { Database, Statement } from 'better-sqlite3';
import type { TrafficHoldRepository } from '../types.ts';
import type { SqliteSiteLeadershipRepository } from './leadership.ts';

export class SqliteTrafficHoldRepository implements TrafficHoldRepository {
  private readonly upsert: Statement<[string, string, string, number]>;
  private readonly remove: Statement<[string, string]>;
  private readonly select: Statement<[string], { agv_id: string; nodes: string }>;

  constructor(
    db: Database,
    private readonly leadership: SqliteSiteLeadershipRepository,
  ) {
    this.upsert = db.prepare(
      'INSERT INTO traffic_holds (site_id, agv_id, nodes, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (site_id, agv_id) DO UPDATE SET nodes = excluded.nodes, updated_at = excluded.updated_at',
    );
    this.remove = db.prepare('DELETE FROM traffic_holds WHERE site_id = ? AND agv_id = ?');
    this.select = db.prepare('SELECT agv_id, nodes FROM traffic_holds WHERE site_id = ? ORDER BY updated_at DESC, agv_id');
  }

  async record(siteId: string, agvId: string, nodes: readonly string[], at: number, epoch?: number): Promise<void> {
    const write = () => {
      if (nodes.length === 0) this.remove.run(siteId, agvId);
      else this.upsert.run(siteId, agvId, JSON.stringify(nodes), at);
    };
    if (epoch === undefined) write();
    else this.leadership.fenced(siteId, epoch, write);
  }

  async forSite(siteId: string): Promise<Map<string, string[]>> {
    return new Map(this.select.all(siteId).map((r) => [r.agv_id, JSON.parse(r.nodes) as string[]]));
  }
}
