import type { AgvLive, Alarm, DetailMessage, DoorStatusView, HelloMessage, LiftStatusView, ServerMessage, SiteMapView, TaskView } from './types.ts';

/** Where each AGV was and is going, for drawing it smoothly between the 10 Hz updates. */
export interface AgvMotion {
  agv: AgvLive;
  fromX: number;
  fromY: number;
  fromTh: number;
  at: number;
}

type Listener = (what: 'agvs' | 'tasks' | 'alarms' | 'detail' | 'hello' | 'connection' | 'equipment') => void;

const MAX_TASKS = 1000;

/** Client state of the live feed: the WebSocket, the fleet as last reported, reconnection with backoff. */
export class LiveStore {
  map: SiteMapView | null = null;
  readonly agvs = new Map<string, AgvMotion>();
  readonly tasks = new Map<string, TaskView>();
  readonly alarms = new Map<number, Alarm>();
  /** Lifts and doors with their state, riders and queue, as last reported. */
  readonly lifts = new Map<string, LiftStatusView>();
  readonly doors = new Map<string, DoorStatusView>();
  detail: DetailMessage | null = null;
  throttleMs = 100;
  connected = false;
  /** Deltas received, for the benchmark and the status line. */
  deltas = 0;
  private ws: WebSocket | null = null;
  private seq = 0;
  private selected: string | null = null;
  private readonly listeners = new Set<Listener>();
  private retryMs = 500;
  private closedByUs = false;

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connect(): void {
    this.closedByUs = false;
    const url = new URL('/api/v1/live', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.connected = true;
      this.retryMs = 500;
      this.emit('connection');
      if (this.selected) this.send({ type: 'select', agvId: this.selected });
    };
    ws.onmessage = (e) => this.receive(JSON.parse(String(e.data)) as ServerMessage);
    ws.onclose = () => {
      this.connected = false;
      this.emit('connection');
      if (this.closedByUs) return;
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }

  close(): void {
    this.closedByUs = true;
    this.ws?.close();
  }

  select(agvId: string | null): void {
    this.selected = agvId;
    if (agvId !== this.detail?.agvId) this.detail = null;
    this.send({ type: 'select', agvId });
    this.emit('detail');
  }

  get selectedId(): string | null {
    return this.selected;
  }

  openTasks(): TaskView[] {
    return [...this.tasks.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  private send(message: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private receive(m: ServerMessage): void {
    const now = performance.now();
    switch (m.type) {
      case 'hello':
        this.onHello(m);
        break;
      case 'snapshot':
        this.seq = m.seq;
        this.agvs.clear();
        for (const a of m.agvs) this.agvs.set(a.id, { agv: a, fromX: a.x, fromY: a.y, fromTh: a.th, at: now });
        this.tasks.clear();
        for (const t of m.tasks) this.tasks.set(t.id, t);
        this.alarms.clear();
        for (const a of m.alarms) this.alarms.set(a.id, a);
        this.lifts.clear();
        for (const l of m.lifts ?? []) this.lifts.set(l.id, l);
        this.doors.clear();
        for (const d of m.doors ?? []) this.doors.set(d.id, d);
        this.emit('agvs');
        this.emit('tasks');
        this.emit('alarms');
        this.emit('equipment');
        break;
      case 'delta':
        this.seq = m.seq;
        this.deltas++;
        for (const a of m.agvs) {
          const prev = this.agvs.get(a.id);
          // Start the new motion from where the AGV is drawn now, so a late update never makes it jump back.
          // On another floor (a lift ride) there is nothing to interpolate from.
          const pos = prev && prev.agv.map === a.map ? this.position(prev, now) : { x: a.x, y: a.y, th: a.th };
          this.agvs.set(a.id, { agv: a, fromX: pos.x, fromY: pos.y, fromTh: pos.th, at: now });
        }
        for (let i = 0; i + 3 < m.moves.length; i += 4) {
          const prev = this.agvs.get(String(m.moves[i]));
          if (!prev) continue;
          const pos = this.position(prev, now);
          const agv = { ...prev.agv, x: Number(m.moves[i + 1]), y: Number(m.moves[i + 2]), th: Number(m.moves[i + 3]) };
          this.agvs.set(agv.id, { agv, fromX: pos.x, fromY: pos.y, fromTh: pos.th, at: now });
        }
        for (const id of m.removedAgvs) this.agvs.delete(id);
        for (const t of m.tasks) this.tasks.set(t.id, t);
        this.trimTasks();
        for (const a of m.alarms) {
          if (a.state === 'cleared') this.alarms.delete(a.id);
          else this.alarms.set(a.id, a);
        }
        if (m.agvs.length || m.moves.length || m.removedAgvs.length) this.emit('agvs');
        if (m.tasks.length) this.emit('tasks');
        if (m.alarms.length) this.emit('alarms');
        for (const l of m.lifts ?? []) this.lifts.set(l.id, l);
        for (const d of m.doors ?? []) this.doors.set(d.id, d);
        if (m.lifts?.length || m.doors?.length) this.emit('equipment');
        break;
      case 'detail':
        if (m.agvId === this.selected) {
          this.detail = m;
          this.emit('detail');
        }
        break;
    }
  }

  /** Interpolated pose at time now (performance.now()). */
  position(m: AgvMotion, now: number): { x: number; y: number; th: number } {
    const t = Math.min(1, (now - m.at) / this.throttleMs);
    let dth = m.agv.th - m.fromTh;
    if (dth > Math.PI) dth -= 2 * Math.PI;
    if (dth < -Math.PI) dth += 2 * Math.PI;
    return { x: m.fromX + (m.agv.x - m.fromX) * t, y: m.fromY + (m.agv.y - m.fromY) * t, th: m.fromTh + dth * t };
  }

  private onHello(m: HelloMessage): void {
    this.map = m.map;
    this.throttleMs = m.throttleMs;
    this.emit('hello');
  }

  private trimTasks(): void {
    if (this.tasks.size <= MAX_TASKS) return;
    const done = [...this.tasks.values()].filter((t) => ['completed', 'failed', 'cancelled'].includes(t.state)).sort((a, b) => a.updatedAt - b.updatedAt);
    for (const t of done.slice(0, this.tasks.size - MAX_TASKS)) this.tasks.delete(t.id);
  }

  private emit(what: Parameters<Listener>[0]): void {
    for (const l of this.listeners) l(what);
  }
}
