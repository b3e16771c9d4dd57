import type { AgvView, FleetFilter, FleetView } from '../api/fleet-view.ts';
import type { AgvFootprint, AgvIdentity, AgvLink, AgvStatus } from './types.ts';

// The live fleet: who is connected, in which mode, and what each AGV last reported. The session server writes it,
// the coordinator and the API read it. Reservations live in the traffic controller; heldNodes is read from there.

export interface LiveAgv {
  identity: AgvIdentity;
  link: AgvLink | undefined;
  mode: 'normal' | 'secure';
  status: AgvStatus | undefined;
  lastSeen: number;
  currentTaskId: string | undefined;
  /** The protocol of the last link, kept while the AGV is offline. */
  protocol?: { name: string; version: string };
}

export type FleetEvent =
  | { type: 'online'; agvId: string }
  | { type: 'offline'; agvId: string; reason: string }
  | { type: 'status'; agvId: string; status: AgvStatus; previous: AgvStatus | undefined };

export class FleetRegistry implements FleetView {
  private readonly agvs = new Map<string, LiveAgv>();
  private listeners: ((event: FleetEvent) => void)[] = [];

  constructor(
    private readonly heldNodes: (agvId: string) => readonly string[] = () => [],
    private readonly defaultMapId = '',
    /** Operator controls on the AGV (out of service, paused); read from the fleet loop. */
    private readonly controls: (agvId: string) => { inService: boolean; paused: boolean } = () => ({ inService: true, paused: false }),
  ) {}

  /** A registered session came up: replaces any previous link of the same AGV. */
  connect(identity: AgvIdentity, link: AgvLink, now: number): LiveAgv {
    const existing = this.agvs.get(identity.id);
    const previousLink = existing?.link;
    const agv: LiveAgv = existing ?? { identity, link, mode: link.mode, status: undefined, lastSeen: now, currentTaskId: undefined };
    agv.identity = identity;
    agv.link = link;
    agv.mode = link.mode;
    agv.protocol = link.protocol;
    agv.lastSeen = now;
    this.agvs.set(identity.id, agv);
    if (previousLink && previousLink !== link) previousLink.close('replaced by a new session');
    this.emit({ type: 'online', agvId: identity.id });
    return agv;
  }

  /** The session ended; only the link that is current may take the AGV offline. */
  disconnect(agvId: string, link: AgvLink, reason: string): void {
    const agv = this.agvs.get(agvId);
    if (!agv || agv.link !== link) return;
    agv.link = undefined;
    this.emit({ type: 'offline', agvId, reason });
  }

  updateStatus(agvId: string, status: AgvStatus): void {
    const agv = this.agvs.get(agvId);
    if (!agv) return;
    const previous = agv.status;
    agv.status = status;
    agv.lastSeen = status.at;
    this.emit({ type: 'status', agvId, status, previous });
  }

  touch(agvId: string, now: number): void {
    const agv = this.agvs.get(agvId);
    if (agv) agv.lastSeen = now;
  }

  setTask(agvId: string, taskId: string | undefined): void {
    const agv = this.agvs.get(agvId);
    if (agv) agv.currentTaskId = taskId;
  }

  live(agvId: string): LiveAgv | undefined {
    return this.agvs.get(agvId);
  }

  /** The body the AGV last registered with (metres); undefined for an AGV not registered since the platform started. */
  footprintOf(agvId: string): AgvFootprint | undefined {
    return this.agvs.get(agvId)?.identity.footprint;
  }

  all(): IterableIterator<LiveAgv> {
    return this.agvs.values();
  }

  onEvent(listener: (event: FleetEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  get size(): number {
    return this.agvs.size;
  }

  onlineCount(): number {
    let n = 0;
    for (const agv of this.agvs.values()) if (agv.link) n++;
    return n;
  }

  list(filter: FleetFilter = {}): AgvView[] {
    const result: AgvView[] = [];
    for (const agv of this.agvs.values()) {
      const view = this.view(agv);
      if (filter.vendor !== undefined && view.vendor !== filter.vendor) continue;
      if (filter.connection !== undefined && view.connection !== filter.connection) continue;
      if (filter.type !== undefined && view.type !== filter.type) continue;
      result.push(view);
    }
    return result.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Where the platform says why an AGV is not driving toward its goal (lifts, doors), for the AGV view. */
  explainWaits(reasonFor: (agvId: string) => string | undefined): void {
    this.waitReason = reasonFor;
  }

  private waitReason: (agvId: string) => string | undefined = () => undefined;

  get(id: string): AgvView | undefined {
    const agv = this.agvs.get(id);
    return agv ? this.view(agv) : undefined;
  }

  /** The one AgvView builder: the API lists these, and operations extends them with its readings. */
  view(agv: LiveAgv): AgvView {
    const s = agv.status;
    const waitingFor = this.waitReason(agv.identity.id);
    return {
      id: agv.identity.id,
      vendor: agv.identity.vendor,
      model: agv.identity.model,
      type: agv.identity.type,
      connection: agv.link ? 'online' : 'offline',
      mode: agv.mode,
      state: agv.link ? (s?.state ?? 'unknown') : 'offline',
      pose: { x: s?.x ?? 0, y: s?.y ?? 0, theta: s?.theta ?? 0, mapId: s?.mapId ?? this.defaultMapId },
      battery: s?.battery ?? 0,
      ...(s?.navMode ? { navMode: s.navMode } : {}),
      ...(waitingFor !== undefined ? { waitingFor } : {}),
      currentTaskId: agv.currentTaskId,
      heldNodes: [...this.heldNodes(agv.identity.id)],
      lastSeen: agv.lastSeen,
      ...(agv.link?.protocol ?? agv.protocol ? { protocol: (agv.link?.protocol ?? agv.protocol)!.name, protocolVersion: (agv.link?.protocol ?? agv.protocol)!.version } : {}),
      ...this.controls(agv.identity.id),
    };
  }

  private emit(event: FleetEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
