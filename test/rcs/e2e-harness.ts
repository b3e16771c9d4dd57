import { connect } from 'node:net';
import type { Frame } from '../../src/protocol/index.ts';
import { systemClock } from '../../src/core/index.ts';
import { COMPACT_PROFILES, ScaledClock, SimAgv, Simulator, VENDOR_PROFILES, type SimAgvOptions, type VendorProfile } from '../../src/agv/sim/index.ts';
import type { PlatformConfig } from '../../src/rcs/config.ts';
import { startPlatform, type PlatformHandle, type InjectedParts } from '../../src/rcs/platform.ts';
import { readSiteMapFile, DEMO_SITE_PATH, DEMO_WAREHOUSE_PATH } from '../../src/rcs/site/index.ts';
import type { SiteMap, SiteNode } from '../../src/rcs/site/types.ts';
import type { CommandOutcome } from '../../src/rcs/fleet/types.ts';
import { TERMINAL_STATES } from '../../src/rcs/tasks/types.ts';
import { testConfig } from './test-config.ts';

// Shared set-up for end-to-end tests: a real platform (TCP + HTTP + SQLite) and a simulated fleet over real sockets,
// on accelerated time. The occupancy checker reads only what the AGVs reported, never the platform's reservations.

export const TIME_FACTOR = 20;

export function e2eConfig(overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  return testConfig({
    autoEnrol: true,
    demoKey: true,
    // Generous in virtual time: the 2-core CI machine may pause the event loop for a few hundred ms.
    heartbeatTimeoutMs: 30_000,
    webhooks: false,
    ...overrides,
  });
}

/** The fleet for the small demo warehouse (0.9 m bodies only; see src/agv/sim/profiles.ts). */
export { COMPACT_PROFILES };

/** The small demo warehouse (maps/demo-warehouse.json), for COMPACT_PROFILES fleets. */
export async function demoSite(): Promise<SiteMap> {
  return readSiteMapFile(DEMO_WAREHOUSE_PATH);
}

/** The default site (maps/demo-site.json): two floors, laid out for the three vendors' real bodies. */
export async function mixedFleetSite(): Promise<SiteMap> {
  return readSiteMapFile(DEMO_SITE_PATH);
}

/** Independent check: no two AGVs ever reported standing on the same node at the same time. */
export class OccupancyChecker {
  private readonly latest = new Map<string, string | undefined>();
  readonly violations: string[] = [];
  reports = 0;
  /** Nodes by the wire number of their map: a reported pose is matched on the map the AGV reports. */
  private readonly nodesByMap = new Map<number, { id: string; x: number; y: number }[]>();

  constructor(site: SiteMap) {
    site.maps.forEach((m, i) => this.nodesByMap.set(i + 1, site.nodes.filter((n) => n.map === m.id)));
  }

  tap = (agvId: string, frame: Frame): void => {
    const m = frame.message;
    if (m.kind !== 'statusReport') return;
    this.reports++;
    const x = m.pose.x / 1000;
    const y = m.pose.y / 1000;
    // An AGV occupies a node when its reported position is within 0.45 m of it (nodes are >= 1 m apart).
    let node: string | undefined;
    for (const n of this.nodesByMap.get(m.mapId) ?? []) {
      if (Math.abs(n.x - x) < 0.45 && Math.abs(n.y - y) < 0.45 && Math.hypot(n.x - x, n.y - y) < 0.45) node = n.id;
    }
    this.latest.set(agvId, node);
    if (node === undefined) return;
    for (const [other, otherNode] of this.latest) {
      if (other !== agvId && otherNode === node) this.violations.push(`${agvId} and ${other} both on ${node} (report ${this.reports})`);
    }
  };
}

export interface Fleet {
  platform: PlatformHandle;
  sim: Simulator;
  clock: ScaledClock;
  checker: OccupancyChecker;
}

/** Where the fleet runs: the small warehouse with compact AGVs (default), or another site and vendor mix. */
export interface FleetSite {
  site?: SiteMap;
  profiles?: readonly VendorProfile[];
  /** Start nodes in order of preference; default the site's parking spots. */
  startNodes?: readonly string[];
}

export async function startFleet(agvs: number, settings: Partial<PlatformConfig> = {}, parts: InjectedParts = {}, where: FleetSite = {}): Promise<Fleet> {
  const site = where.site ?? (await demoSite());
  const clock = new ScaledClock(TIME_FACTOR);
  const checker = new OccupancyChecker(site);
  // A test's own tap sees every frame too; the checker always does.
  const tap: InjectedParts['tap'] = parts.tap
    ? (agvId, frame) => {
        checker.tap(agvId, frame);
        parts.tap!(agvId, frame);
      }
    : checker.tap;
  const platform = await startPlatform(e2eConfig(settings), { site, clock, ...parts, tap });
  const sim = new Simulator({
    clock,
    nodes: site.nodes,
    count: agvs,
    maps: site.maps,
    startNodes: where.startNodes ?? site.parking.map((p) => p.node),
    host: '127.0.0.1',
    port: platform.rcsPort,
    profiles: where.profiles ?? COMPACT_PROFILES,
    batteryPct: () => 90,
  });
  sim.start();
  return { platform, sim, clock, checker };
}

/**
 * A lone simulated AGV (real time, its own 50 ms body tick) standing on the site node at `index`; connects over TCP
 * to the platform unless `extra` says otherwise.
 */
export function loneSimAgv(platform: PlatformHandle, id: string, index: number, extra: Partial<SimAgvOptions> = {}): SimAgv {
  const n = platform.site.nodes[index]!;
  return new SimAgv({
    id,
    profile: VENDOR_PROFILES[1]!,
    serial: `SER-${id}`,
    start: { nodeNumber: index + 1, x: n.x, y: n.y },
    mapNumber: 1,
    clock: systemClock,
    port: platform.rcsPort,
    selfTickMs: 50,
    ...extra,
  });
}

/**
 * Sends the AGV standing on the site's first node a one-hop motion order along an edge, once central traffic
 * control granted the hop (it grants in planning rounds, so the first request may be answered 'wait').
 */
export async function sendGrantedHop(platform: PlatformHandle, agvId: string, orderId: number): Promise<{ outcome: CommandOutcome; from: SiteNode; to: SiteNode }> {
  const from = platform.site.nodes[0]!;
  const edge = platform.site.edges.find((e) => e.from === from.id)!;
  const to = platform.site.nodes.find((n) => n.id === edge.to)!;
  await waitFor('the hop granted by traffic control', () => platform.traffic.request(agvId, to.id, Date.now()).kind === 'go', 10_000);
  const outcome = await platform.registry.live(agvId)!.link!.sendMotion({
    orderId,
    updateId: 0,
    released: [
      { nodeId: from.id, x: from.x, y: from.y },
      { nodeId: to.id, x: to.x, y: to.y },
    ],
    announced: [],
  });
  return { outcome, from, to };
}

export async function waitFor(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
  explain?: () => string | Promise<string>,
): Promise<void> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}${explain ? `\n${await explain()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True when nothing accepts TCP connections on the port (a platform standing by, or one that stopped listening). */
export function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Pick/drop pairs that respect station kinds, spread over the site, or over one of its maps. */
export function taskPairs(site: SiteMap, count: number, map?: string): { pick: string; drop: string }[] {
  const onMap = new Set(site.nodes.filter((n) => map === undefined || n.map === map).map((n) => n.id));
  const picks = site.stations.filter((s) => s.kind !== 'drop' && onMap.has(s.node));
  const drops = site.stations.filter((s) => s.kind !== 'pick' && onMap.has(s.node));
  return Array.from({ length: count }, (_, i) => ({ pick: picks[(i * 7) % picks.length]!.id, drop: drops[(i * 3) % drops.length]!.id }));
}

export async function submitTask(apiUrl: string, key: string, body: object, idempotencyKey?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${apiUrl}/api/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Why tasks are not done: each open task with its AGV's state, position, held nodes and traffic wait, for a failure message. */
export async function explainOpenTasks(platform: PlatformHandle): Promise<string> {
  const page = await platform.tasks.list({ limit: 500 });
  const waits = new Map(platform.traffic.waiting().map((w) => [w.agvId, w]));
  return page.items
    .filter((t) => t.state !== 'completed')
    .map((t) => {
      const agv = t.agvId ? platform.registry.live(t.agvId) : undefined;
      const s = agv?.status;
      const agvPart = t.agvId
        ? `${t.agvId} ${agv?.link ? 'linked' : 'unlinked'} state=${s?.state} at=${s?.lastNodeId} (${s?.x.toFixed(2)},${s?.y.toFixed(2)}) loaded=${s?.loaded} action=${s?.actionRunning} ` +
          `held=[${platform.traffic.held(t.agvId).join(',')}] wait=${JSON.stringify(waits.get(t.agvId) ?? null)} control=${JSON.stringify(platform.controls.state(t.agvId))}`
        : 'unassigned';
      return `${t.id} ${t.state} ${t.pick}->${t.drop}: ${agvPart}`;
    })
    .join('\n');
}

/**
 * Waits until every task of the platform is completed (the failure says where each open task's AGV is stuck), then
 * returns the terminal states each task went through, by task id: ['completed'] for a task done exactly once.
 */
export async function everyTaskCompleted(platform: PlatformHandle, timeoutMs = 120_000): Promise<Map<string, string[]>> {
  try {
    await waitFor('every task completed', async () => (await platform.tasks.list({ limit: 500 })).items.every((t) => t.state === 'completed'), timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}; open tasks:\n${await explainOpenTasks(platform)}`, { cause: err });
  }
  const endings = new Map<string, string[]>();
  for (const task of (await platform.tasks.list({ limit: 500 })).items) {
    endings.set(task.id, (await platform.tasks.get(task.id))!.history.map((h) => h.to).filter((s) => TERMINAL_STATES.has(s)));
  }
  return endings;
}
