import type { SiteMap } from '../rcs/site/types.ts';

// Feeds the demo a steady stream of transport tasks through the public HTTP API, exactly as an upper system
// (WMS/MES) would, so the demo exercises the same path integrators use.

export interface DemoFeederOptions {
  apiUrl: string;
  apiKey: string;
  site: SiteMap;
  tasksPerMinute: number;
  /**
   * Share (0–1) of tasks whose drop is on another map (floor) than the pick, so they ride a lift; the others stay
   * on the pick's floor. Ignored on a site of one map.
   */
  crossFloorShare?: number;
  /** Random source (tests); default Math.random. */
  random?: () => number;
  /** Stop adding while this many tasks are still queued (keeps the backlog bounded). */
  maxQueued: number;
  onError?: (message: string) => void;
}

export class DemoFeeder {
  private timer: NodeJS.Timeout | undefined;
  private submitted = 0;

  constructor(private readonly o: DemoFeederOptions) {}

  start(): void {
    if (this.o.tasksPerMinute <= 0) return;
    const period = 60_000 / this.o.tasksPerMinute;
    this.timer = setInterval(() => void this.submitOne(), period);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async submitOne(): Promise<void> {
    const headers = { 'content-type': 'application/json', 'x-api-key': this.o.apiKey };
    try {
      const queued = await fetch(`${this.o.apiUrl}/api/v1/tasks?state=queued&limit=500`, { headers });
      const page = (await queued.json()) as { items?: unknown[] };
      if ((page.items?.length ?? 0) >= this.o.maxQueued) return;
      const { pick, drop } = demoTaskStations(this.o.site, this.o.crossFloorShare ?? 0, this.o.random ?? Math.random);
      const n = ++this.submitted;
      const res = await fetch(`${this.o.apiUrl}/api/v1/tasks`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': `demo-${Date.now()}-${n}` },
        body: JSON.stringify({ pick, drop, priority: Math.floor(Math.random() * 10), externalRef: `DEMO-${n}` }),
      });
      if (res.status >= 300) this.o.onError?.(`demo task refused: ${res.status} ${await res.text()}`);
    } catch (err) {
      this.o.onError?.(`demo feeder: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/**
 * A random pick and drop station for one demo task: the drop is on the pick's map, or with probability
 * `crossFloorShare` on another map (when the site has one).
 */
export function demoTaskStations(site: SiteMap, crossFloorShare: number, random: () => number): { pick: string; drop: string } {
  const mapOf = new Map(site.nodes.map((n) => [n.id, n.map]));
  const picks = site.stations.filter((s) => s.kind !== 'drop');
  const pick = picks[Math.floor(random() * picks.length)]!;
  const cross = site.maps.length > 1 && random() < crossFloorShare;
  const drops = site.stations.filter((s) => s.kind !== 'pick' && s.id !== pick.id);
  const wanted = drops.filter((d) => (mapOf.get(d.node) !== mapOf.get(pick.node)) === cross);
  const from = wanted.length > 0 ? wanted : drops;
  return { pick: pick.id, drop: from[Math.floor(random() * from.length)]!.id };
}
