import type { Clock } from '../../../core/clock.ts';
import type { AlarmEngine } from '../alarms/engine.ts';
import type { Alarm } from '../alarms/types.ts';
import { SEVERITIES, TERMINAL_TASK_STATES, type AgvDetail, type FleetSource, type Severity, type TaskView } from '../ports.ts';
import type { AgvLive, ClientMessage, DeltaMessage, DoorStatusView, LiftStatusView, SnapshotMessage } from './schema.ts';

/** The part of a WebSocket the feed needs (the `ws` WebSocket satisfies it). */
export interface FeedSocket {
  send(data: string): void;
  readonly bufferedAmount: number;
}

interface Client {
  socket: FeedSocket;
  /** Set when deltas were dropped for a slow client: it gets a fresh snapshot once its buffer drains. */
  behind: boolean;
  selected: string | null;
  lastDetail: string;
}

export interface LiveFeedOptions {
  /** Minimum time between deltas (default 100 ms = 10 Hz). */
  throttleMs?: number;
  /** A client with more than this many bytes unsent gets no deltas until it catches up. */
  maxBufferedBytes?: number;
  /** Terminal tasks included in a snapshot (newest first); open tasks are always included. */
  recentTasks?: number;
}

const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function worst(alarms: Alarm[] | undefined): Severity | null {
  if (!alarms?.length) return null;
  return alarms.reduce((w, a) => (SEVERITIES.indexOf(a.severity) > SEVERITIES.indexOf(w) ? a.severity : w), alarms[0]!.severity);
}

function toLive(agv: AgvDetail, alarms: Alarm[] | undefined): AgvLive {
  return {
    id: agv.id,
    vendor: agv.vendor,
    model: agv.model,
    x: round(agv.pose?.x ?? 0, 2),
    y: round(agv.pose?.y ?? 0, 2),
    th: round(agv.pose?.theta ?? 0, 2),
    map: agv.mapId,
    nav: agv.navMode ?? '',
    len: agv.body?.lengthM ?? 0,
    wid: agv.body?.widthM ?? 0,
    state: agv.state,
    battery: Math.round(agv.battery),
    task: agv.currentTaskId ?? null,
    mode: agv.mode,
    conn: agv.connection === 'online',
    estop: agv.emergencyStop,
    paused: agv.paused ?? false,
    inService: agv.inService ?? true,
    charging: agv.charging,
    alarms: alarms?.length ?? 0,
    sev: worst(alarms),
  };
}

const samePose = (a: AgvLive, b: AgvLive): boolean => a.x === b.x && a.y === b.y && a.th === b.th;

function sameExceptPose(a: AgvLive, b: AgvLive): boolean {
  return (
    a.state === b.state && a.battery === b.battery && a.task === b.task &&
    a.conn === b.conn && a.mode === b.mode && a.estop === b.estop && a.paused === b.paused && a.inService === b.inService && a.charging === b.charging && a.alarms === b.alarms &&
    a.sev === b.sev && a.vendor === b.vendor && a.model === b.model && a.nav === b.nav && a.len === b.len && a.wid === b.wid &&
    // A move carries x, y and heading only: a change of floor goes out as a full record.
    a.map === b.map
  );
}

const taskSignature = (t: TaskView): string => `${t.state}|${t.agvId ?? ''}|${t.updatedAt}`;

/**
 * Server side of the dashboard's live view. Every throttle interval it diffs the fleet against what it last sent
 * and broadcasts one delta — serialised once for all clients — with only the AGVs, tasks and alarms that changed.
 * Nothing is sent when nothing changed. Slow clients are skipped and resynchronised with a snapshot instead of
 * queueing an ever-growing backlog in the server.
 */
export class LiveFeed {
  private readonly clients = new Set<Client>();
  private lastAgvs = new Map<string, AgvLive>();
  /** JSON of every lift and door as last sent. */
  private readonly lastEquipment = new Map<string, string>();
  private lastTasks = new Map<string, string>();
  private pendingAlarms = new Map<number, Alarm>();
  private seq = 0;
  private cancelTick: (() => void) | null = null;
  private readonly throttleMs: number;
  private readonly maxBuffered: number;
  private readonly recentTasks: number;
  private readonly unsubscribe: () => void;
  /** Bytes of deltas and snapshots sent, for the benchmark and tests. */
  bytesSent = 0;

  constructor(
    private readonly fleet: FleetSource,
    private readonly alarms: AlarmEngine,
    private readonly clock: Clock,
    options: LiveFeedOptions = {},
  ) {
    this.throttleMs = options.throttleMs ?? 100;
    this.maxBuffered = options.maxBufferedBytes ?? 4 * 2 ** 20;
    this.recentTasks = options.recentTasks ?? 200;
    this.unsubscribe = alarms.onChange(({ alarm }) => this.pendingAlarms.set(alarm.id, { ...alarm }));
  }

  get throttle(): number {
    return this.throttleMs;
  }

  /** Sequence number of the last delta sent. */
  get sequence(): number {
    return this.seq;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  start(): void {
    if (this.cancelTick) return;
    const loop = (): void => {
      const started = performance.now();
      this.tick();
      // The feed may use at most a fifth of the process: with a very large fleet a diff can take tens of ms, and
      // then the dashboard gets fewer updates rather than the AGVs slower service.
      const spent = performance.now() - started;
      this.cancelTick = this.clock.setTimeout(loop, Math.max(this.throttleMs, spent * 5));
    };
    this.cancelTick = this.clock.setTimeout(loop, this.throttleMs);
  }

  stop(): void {
    this.cancelTick?.();
    this.cancelTick = null;
    this.unsubscribe();
  }

  /** Adds a client; it receives a snapshot now and deltas from the next tick. Returns the detach function. */
  attach(socket: FeedSocket): { detach: () => void; receive: (message: ClientMessage) => void } {
    const client: Client = { socket, behind: false, selected: null, lastDetail: '' };
    this.clients.add(client);
    this.sendTo(client, JSON.stringify(this.snapshot()));
    return {
      detach: () => this.clients.delete(client),
      receive: (message) => {
        if (message.type === 'select') {
          client.selected = typeof message.agvId === 'string' ? message.agvId : null;
          client.lastDetail = '';
          this.sendDetail(client);
        }
      },
    };
  }

  /** Full state as of the last tick (what a new client builds on). */
  snapshot(): SnapshotMessage {
    const tasks = [...this.fleet.tasks()];
    const open = tasks.filter((t) => !TERMINAL_TASK_STATES.has(t.state));
    const done = tasks.filter((t) => TERMINAL_TASK_STATES.has(t.state)).sort((a, b) => b.updatedAt - a.updatedAt);
    if (this.lastAgvs.size === 0) this.collectAgvs();
    if (this.lastTasks.size === 0) for (const t of tasks) this.lastTasks.set(t.id, taskSignature(t));
    return {
      type: 'snapshot',
      seq: this.seq,
      at: this.clock.now(),
      agvs: [...this.lastAgvs.values()],
      tasks: [...open, ...done.slice(0, this.recentTasks)],
      alarms: this.alarms.active(),
      ...this.collectEquipment(true),
    };
  }

  /** One diff-and-broadcast step; public so tests can drive it without timers. */
  tick(): DeltaMessage | null {
    if (this.clients.size === 0) {
      // Nobody watching: do no work, and let the next client start from a fresh snapshot.
      this.lastAgvs.clear();
      this.lastTasks.clear();
      this.pendingAlarms.clear();
      return null;
    }
    const delta = this.diff();
    if (delta) {
      const text = JSON.stringify(delta);
      for (const client of this.clients) {
        if (client.behind) continue;
        this.sendTo(client, text);
      }
    }
    for (const client of this.clients) {
      if (client.behind && client.socket.bufferedAmount < this.maxBuffered / 16) {
        client.behind = false;
        this.sendTo(client, JSON.stringify(this.snapshot()));
      }
      this.sendDetail(client);
    }
    return delta;
  }

  private collectAgvs(): Map<string, AgvLive> {
    const byAgv = new Map<string, Alarm[]>();
    for (const a of this.alarms.active()) {
      if (!a.agvId) continue;
      if (!byAgv.has(a.agvId)) byAgv.set(a.agvId, []);
      byAgv.get(a.agvId)!.push(a);
    }
    const next = new Map<string, AgvLive>();
    for (const agv of this.fleet.agvs()) next.set(agv.id, toLive(agv, byAgv.get(agv.id)));
    if (this.lastAgvs.size === 0) this.lastAgvs = next;
    return next;
  }

  private diff(): DeltaMessage | null {
    const next = this.collectAgvs();
    const agvs: AgvLive[] = [];
    const moves: (string | number)[] = [];
    for (const [id, live] of next) {
      const before = this.lastAgvs.get(id);
      if (!before || !sameExceptPose(before, live)) agvs.push(live);
      else if (!samePose(before, live)) moves.push(id, live.x, live.y, live.th);
    }
    const removedAgvs = [...this.lastAgvs.keys()].filter((id) => !next.has(id));
    this.lastAgvs = next;

    const tasks: TaskView[] = [];
    const seenTasks = new Map<string, string>();
    for (const t of this.fleet.tasks()) {
      const sig = taskSignature(t);
      seenTasks.set(t.id, sig);
      if (this.lastTasks.get(t.id) !== sig) tasks.push(t);
    }
    this.lastTasks = seenTasks;

    const alarms = [...this.pendingAlarms.values()];
    this.pendingAlarms.clear();
    const { lifts, doors } = this.collectEquipment(false);
    if (agvs.length === 0 && moves.length === 0 && removedAgvs.length === 0 && tasks.length === 0 && alarms.length === 0 && lifts.length === 0 && doors.length === 0) return null;
    this.seq++;
    return {
      type: 'delta', seq: this.seq, at: this.clock.now(), agvs, moves, removedAgvs, tasks, alarms,
      ...(lifts.length > 0 ? { lifts } : {}),
      ...(doors.length > 0 ? { doors } : {}),
    };
  }

  /**
   * The lifts and doors: all of them (`all`, for a snapshot, which leaves what was last broadcast alone so the other
   * clients still get the change), or those that changed since the last delta.
   */
  private collectEquipment(all: boolean): { lifts: LiftStatusView[]; doors: DoorStatusView[] } {
    const now = this.fleet.equipment?.() ?? { lifts: [], doors: [] };
    if (all) return now;
    const changed = <T extends { id: string }>(items: T[], kind: string): T[] =>
      items.filter((item) => {
        const key = `${kind}:${item.id}`;
        const sig = JSON.stringify(item);
        const same = this.lastEquipment.get(key) === sig;
        this.lastEquipment.set(key, sig);
        return !same;
      });
    return { lifts: changed(now.lifts, 'lift'), doors: changed(now.doors, 'door') };
  }

  private sendDetail(client: Client): void {
    if (!client.selected || client.behind) return;
    const agv = [...this.fleet.agvs()].find((a) => a.id === client.selected);
    if (!agv) return;
    const text = JSON.stringify({ type: 'detail', agvId: agv.id, heldPath: agv.heldNodes, plannedPath: agv.plannedPath });
    if (text === client.lastDetail) return;
    client.lastDetail = text;
    this.sendTo(client, text);
  }

  private sendTo(client: Client, text: string): void {
    if (client.socket.bufferedAmount > this.maxBuffered) {
      client.behind = true;
      return;
    }
    try {
      client.socket.send(text);
      this.bytesSent += text.length;
    } catch {
      // A socket that fails to send is closing; its close handler detaches it.
      this.clients.delete(client);
    }
  }
}
