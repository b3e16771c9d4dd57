import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/index.ts';
import type { Logger } from '../logger.ts';
import type { SiteMap } from '../site/types.ts';
import type { EventRepository, EventSeverity, ZoneRepository } from '../store/types.ts';
import type { OccupancyLimitedTraffic } from '../traffic/occupancy-limits.ts';
import type { TrafficController } from '../traffic/types.ts';
import { checkZone, definitionOf, zoneOf, type Zone, type ZoneInput } from './zone.ts';

// The operator zones in force: kept in the store (loaded at start), applied to traffic control and to orders, and
// every change recorded in the event log with who made it.
//
// - blocked: a traffic block over the covered nodes and edges; traffic re-plans at once. Mode 'stop' also pauses the
//   AGVs holding nodes inside (they resume when the zone is removed); mode 'leave' lets them finish leaving.
// - speedLimit: speedLimit(from, to) gives the lowest limit over the zones covering the edge; orders carry it.
// - oneWay: traffic control is built from the site with these edges made one-way, at start; a zone created while
//   running takes effect at the next start and says so (`effective`).
// - maxOccupancy: limits on the traffic controller in front of the central one (OccupancyLimitedTraffic).

export class ZoneError extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly code: 'invalid_request' | 'not_found',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface ZoneView extends Zone {
  /** 'now', or 'nextStart' for a one-way zone created (or removed) while the platform runs. */
  effective: 'now' | 'nextStart';
  /** AGVs inside a maxOccupancy zone now. */
  occupants?: string[];
}

export interface ZoneServiceOptions {
  site: SiteMap;
  zones: ZoneRepository;
  events: EventRepository;
  /** Blocks go to the controller all planning sees; occupancy limits to the one in front of it. */
  traffic: TrafficController;
  occupancy: OccupancyLimitedTraffic;
  clock: Clock;
  logger?: Logger;
  /** Pauses AGVs caught inside a 'stop' block; resolves with those it paused. */
  pause(agvIds: readonly string[], by: string): Promise<string[]>;
  resume(agvIds: readonly string[], by: string): Promise<void>;
}

const blockId = (zoneId: string) => `zone:${zoneId}`;

/** The zones in the store, read before traffic control is built: one-way zones shape its graph (withOneWayZones). */
export async function storedZones(zones: ZoneRepository, site: SiteMap): Promise<Zone[]> {
  return (await zones.list()).map((r) => zoneOf(r, site));
}

export class ZoneService {
  private readonly zones = new Map<string, Zone>();
  /** One-way zones the running traffic control was built with. */
  private readonly oneWayAtStart = new Set<string>();
  private speeds = new Map<string, number>();

  constructor(private readonly o: ZoneServiceOptions) {}

  /** Applies the stored zones (call once, with what storedZones returned). */
  load(zones: readonly Zone[]): void {
    for (const zone of zones) {
      this.zones.set(zone.id, zone);
      if (zone.type === 'oneWay') this.oneWayAtStart.add(zone.id);
      try {
        this.applyBlock(zone);
      } catch (err) {
        // A zone naming nodes the current map no longer has must not stop the platform.
        this.o.logger?.error({ err, zoneId: zone.id }, 'zone not applied');
      }
    }
    this.refresh();
  }

  list(): ZoneView[] {
    return [...this.zones.values()].map((z) => this.view(z));
  }

  get(id: string): ZoneView {
    const zone = this.zones.get(id);
    if (!zone) throw new ZoneError(404, 'not_found', `zone '${id}' not found`);
    return this.view(zone);
  }

  async create(input: ZoneInput, by: string): Promise<ZoneView> {
    const problems = checkZone(input, this.o.site);
    if (problems.length > 0) throw new ZoneError(400, 'invalid_request', `zone refused: ${problems.join('; ')}`, problems.map((message) => ({ field: 'body', message })));
    const record = { id: `zone-${randomBytes(6).toString('hex')}`, type: input.type, name: input.name, definition: definitionOf(input), createdBy: by, createdAt: this.o.clock.now() };
    let zone = zoneOf(record, this.o.site);
    // Blocked and its AGVs stopped before it is stored, so the stored zone knows whom to resume when it goes.
    this.applyBlock(zone);
    const paused = zone.type === 'blocked' && zone.mode === 'stop' ? await this.o.pause(this.crossing(zone), by) : [];
    if (paused.length > 0) record.definition = { ...record.definition, paused };
    try {
      await this.o.zones.create(record);
    } catch (err) {
      if (zone.type === 'blocked') this.o.traffic.unblockResources(blockId(zone.id));
      await this.o.resume(paused, by);
      throw err;
    }
    zone = zoneOf(record, this.o.site);
    this.zones.set(zone.id, zone);
    this.refresh();
    await this.record('info', 'zone.created', `${zone.type} zone '${zone.name}' (${zone.id}) created by ${by}${paused.length > 0 ? `; paused inside: ${paused.join(', ')}` : ''}`, by, { zoneId: zone.id, type: zone.type, covered: zone.covered, paused });
    return this.view(zone);
  }

  async remove(id: string, by: string): Promise<void> {
    const zone = this.zones.get(id);
    if (!zone) throw new ZoneError(404, 'not_found', `zone '${id}' not found`);
    await this.o.zones.delete(id);
    this.zones.delete(id);
    if (zone.type === 'blocked') this.o.traffic.unblockResources(blockId(id));
    this.refresh();
    const paused = zone.paused ?? [];
    if (paused.length > 0) await this.o.resume(paused, by);
    await this.record('info', 'zone.removed', `${zone.type} zone '${zone.name}' (${id}) removed by ${by}`, by, { zoneId: id, type: zone.type, resumed: paused });
  }

  /** The lowest operator limit (m/s) on the edge from → to, either direction; undefined when no zone sets one. */
  speedLimit(from: string, to: string): number | undefined {
    return this.speeds.get(from < to ? `${from}\u0000${to}` : `${to}\u0000${from}`);
  }

  private view(zone: Zone): ZoneView {
    const effective = zone.type === 'oneWay' && !this.oneWayAtStart.has(zone.id) ? 'nextStart' : 'now';
    return zone.type === 'maxOccupancy' ? { ...zone, effective, occupants: this.o.occupancy.occupants(zone.id) } : { ...zone, effective };
  }

  private applyBlock(zone: Zone): void {
    if (zone.type !== 'blocked') return;
    this.o.traffic.blockResources({ id: blockId(zone.id), nodes: zone.covered.nodes, edges: zone.covered.edges });
  }

  /** AGVs holding nodes inside the zone (or an edge into it). */
  private crossing(zone: Zone): string[] {
    const nodes = new Set(zone.covered.nodes);
    const ends = new Map(this.o.site.edges.map((e) => [e.id, [e.from, e.to]]));
    for (const edge of zone.covered.edges) for (const n of ends.get(edge) ?? []) nodes.add(n);
    const result: string[] = [];
    for (const [agvId, held] of this.o.traffic.holdings()) if (held.some((n) => nodes.has(n))) result.push(agvId);
    return result;
  }

  /** Speed table and occupancy limits from the zones in force. */
  private refresh(): void {
    const ends = new Map(this.o.site.edges.map((e) => [e.id, e]));
    const speeds = new Map<string, number>();
    for (const z of this.zones.values()) {
      if (z.type !== 'speedLimit' || z.maxSpeed === undefined) continue;
      for (const id of z.covered.edges) {
        const e = ends.get(id);
        if (!e) continue;
        const key = e.from < e.to ? `${e.from}\u0000${e.to}` : `${e.to}\u0000${e.from}`;
        speeds.set(key, Math.min(speeds.get(key) ?? Number.POSITIVE_INFINITY, z.maxSpeed));
      }
    }
    this.speeds = speeds;
    this.o.occupancy.setLimits(
      [...this.zones.values()].filter((z) => z.type === 'maxOccupancy').map((z) => ({ id: z.id, nodes: new Set(z.covered.nodes), maxAgvs: z.maxAgvs ?? 1 })),
    );
  }

  private async record(severity: EventSeverity, type: string, message: string, by: string, data: Record<string, unknown>): Promise<void> {
    try {
      await this.o.events.append({ at: this.o.clock.now(), severity, type, message, agvId: null, taskId: null, data: { by, ...data } });
    } catch (err) {
      this.o.logger?.error({ err, type }, 'event not stored');
    }
  }
}
