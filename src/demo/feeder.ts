import type { SiteMap } from '../rcs/site/types.ts';

// Feeds the demo a steady stream of transport tasks through the public HTTP API, exactly as an upper system
// (WMS/MES) would, so the demo exercises the same path integrators use.

export interface DemoFeederOptions {
  apiUrl: string;
  apiKey: string;
  site: SiteMap;
  tasksPerMinute: number;
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
      const picks = this.o.site.stations.filter((s) => s.kind !== 'drop');
      const drops = this.o.site.stations.filter((s) => s.kind !== 'pick');
      const pick = picks[Math.floor(Math.random() * picks.length)]!;
      const drop = drops.filter((d) => d.id !== pick.id)[Math.floor(Math.random() * Math.max(1, drops.length - 1))] ?? drops[0]!;
      const n = ++this.submitted;
      const res = await fetch(`${this.o.apiUrl}/api/v1/tasks`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': `demo-${Date.now()}-${n}` },
        body: JSON.stringify({ pick: pick.id, drop: drop.id, priority: Math.floor(Math.random() * 10), externalRef: `DEMO-${n}` }),
      });
      if (res.status >= 300) this.o.onError?.(`demo task refused: ${res.status} ${await res.text()}`);
    } catch (err) {
      this.o.onError?.(`demo feeder: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
