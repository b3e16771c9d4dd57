// Drives the fleet benchmark's load: every connected AGV gets a new one-hop motion segment every `periodMs`, between
// the two nodes it owns (see pair-grid.ts). Each hop is reserved through the platform's traffic controller and sent
// through the session's command path (AgvLink.sendMotion), the same path dispatch uses. A request that central
// control does not grant at once is asked again every round until the planner grants it (the old benchmark dropped
// it, so it sent about one command per planning round whatever the fleet size). Counts what was sent and acked.
// A waiting AGV is asked again when central control announces that a planning round granted it more of its way
// (TrafficObserver.granted, as the platform's coordinator does), and every RETRY_MS in case a grant went unannounced
// (a round that ended inside someone else's request); asking every AGV every round made the benchmark's own polling
// a large share of the platform's CPU at 5,000 AGVs. Announced grants are sent in chunks, one event-loop turn each,
// so acks arriving meanwhile are read in between, as the coordinator's own sends are spread by sliced planning.
import type { PlatformHandle } from '../../src/rcs/platform.ts';
import { runInSlices } from '../../src/core/slices.ts';
import type { PairGrid } from './pair-grid.ts';

const ROUND_MS = 50;
const RETRY_MS = 500;
const CHUNK = 64;
const ROUND_SLICE_MS = 5;

interface AgvLoad {
  dueAt: number;
  /** When the current hop was first asked for; undefined while no hop is waiting for a grant. */
  askedAt: number | undefined;
  /** When traffic control was last asked for the waiting hop. */
  lastAskedAt: number;
  inFlight: boolean;
}

export interface LoadCounts {
  sent: number;
  /** Commands sent in the window and acknowledged (whenever the ack came). */
  acked: number;
  /** Acks that arrived inside the window (what commands_per_s is computed from). */
  ackedInWindow: number;
  failed: number;
  /** Ack latency (ms) of every acked command sent in the window. */
  latencies: number[];
  /** Time (ms) from first asking traffic control for a hop to its grant. */
  grantWaits: number[];
}

export class SegmentDriver {
  private readonly load = new Map<string, AgvLoad>();
  private timer: NodeJS.Timeout | undefined;
  private nextOrderId = 1_000_000;
  private measuring = false;
  private inFlight = 0;
  private rounding = false;
  private stopWatching: (() => void) | undefined;
  /** AGVs a planning round announced as granted, not yet asked again. */
  private announced: string[] = [];
  counts: LoadCounts = SegmentDriver.zero();

  constructor(
    private readonly platform: PlatformHandle,
    private readonly grid: PairGrid,
    private readonly periodMs: number,
  ) {}

  private static zero(): LoadCounts {
    return { sent: 0, acked: 0, ackedInWindow: 0, failed: 0, latencies: [], grantWaits: [] };
  }

  start(): void {
    this.timer = setInterval(() => this.round(performance.now()), ROUND_MS);
    this.stopWatching = this.platform.traffic.observe({
      granted: (ids) => {
        if (this.announced.length === 0) setImmediate(() => this.askAnnounced());
        this.announced.push(...ids);
      },
    });
  }

  /** Asks again for the AGVs a round granted, CHUNK per event-loop turn. */
  private askAnnounced(): void {
    const now = performance.now();
    for (const id of this.announced.splice(0, CHUNK)) {
      const load = this.load.get(id);
      if (load && !load.inFlight && load.askedAt !== undefined) this.ask(id, load, now);
    }
    if (this.announced.length > 0 && this.timer !== undefined) setImmediate(() => this.askAnnounced());
  }

  /** Starts counting afresh (commands sent before this moment are not counted). */
  beginWindow(): void {
    this.counts = SegmentDriver.zero();
    this.measuring = true;
  }

  /** Stops counting acks toward the window's rate; acks of commands already sent still count toward `acked`. */
  endWindow(): void {
    this.measuring = false;
  }

  /** Stops sending and waits (up to timeoutMs) for commands in flight to be answered. */
  async stop(timeoutMs: number): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopWatching?.();
    this.announced = [];
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** A round over the fleet, in slices (as the platform's own fleet-wide passes): at most one at a time. */
  private round(now: number): void {
    if (this.rounding) return;
    this.rounding = true;
    void runInSlices(this.roundSteps(now), ROUND_SLICE_MS, 4, () => (this.rounding = false));
  }

  private *roundSteps(now: number): Generator<void, void> {
    const { traffic } = this.platform;
    let n = 0;
    for (const agv of this.platform.registry.all()) {
      if (++n % 64 === 0) yield;
      if (!agv.link) continue;
      const id = agv.identity.id;
      let load = this.load.get(id);
      if (!load) {
        // Spread the first hops over one period so the fleet does not move in lock step.
        load = { dueAt: now + Math.random() * this.periodMs, askedAt: undefined, lastAskedAt: 0, inFlight: false };
        this.load.set(id, load);
      }
      if (load.inFlight || now < load.dueAt) continue;
      if (load.askedAt === undefined) {
        // Ask for the next hop only once the AGV stands still on one node.
        if (traffic.held(id).length !== 1 || (agv.status?.speed ?? 1) >= 0.01) continue;
        load.askedAt = now;
      } else if (now - load.lastAskedAt < RETRY_MS) {
        continue;
      }
      this.ask(id, load, now);
    }
  }

  /** Asks traffic control for the AGV's hop and sends it as a motion command once granted. */
  private ask(id: string, load: AgvLoad, now: number): void {
    const { traffic } = this.platform;
    const link = this.platform.registry.live(id)?.link;
    if (!link || load.askedAt === undefined) return;
    load.lastAskedAt = now;
    const here = traffic.held(id)[0];
    const goal = here === undefined ? undefined : this.grid.partner.get(here);
    if (!goal) return;
    const grant = traffic.request(id, goal, Date.now());
    if (grant.kind !== 'go') return;
    if (this.measuring) this.counts.grantWaits.push(now - load.askedAt);
    load.askedAt = undefined;
    load.inFlight = true;
    load.dueAt = now + this.periodMs;
    const released = grant.path.map((n) => ({ nodeId: n, ...this.grid.byId.get(n)! }));
    const counted = this.measuring;
    if (counted) this.counts.sent++;
    this.inFlight++;
    const counts = this.counts;
    void link.sendMotion({ orderId: this.nextOrderId++, updateId: 0, released, announced: [] }).then((outcome) => {
      this.inFlight--;
      load.inFlight = false;
      traffic.stop(id);
      if (!counted || counts !== this.counts) return;
      if (!outcome.ok) {
        counts.failed++;
        return;
      }
      counts.acked++;
      counts.latencies.push(outcome.latencyMs);
      if (this.measuring) counts.ackedInWindow++;
    });
  }
}
