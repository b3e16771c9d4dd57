import { vendorColour } from './dom.ts';
import type { AgvMotion, LiveStore } from './live.ts';
import type { AgvLive, SiteMapView } from './types.ts';

const STATE_RING: Record<string, string> = { error: '#e5533d', charging: '#3ecf8e', paused: '#e8b339' };
const DOOR_COLOUR: Record<string, string> = { fire: '#e5533d', roller: '#e8b339' };
const LIFT_COLOUR = '#b98cff';
const NAV_AREA_COLOUR: Record<string, string> = { qrCode: 'rgba(62, 207, 142, 0.35)', laserSlam: 'rgba(111, 140, 255, 0.35)' };
/** Below this many pixels a body drawn to scale is hard to see: it is drawn as a heading arrow instead. */
const MIN_BODY_PX = 7;
const SEV_RING: Record<string, string> = { warning: '#e8b339', error: '#e5533d', critical: '#ff2d6f' };

declare global {
  interface Window {
    /** Rendering statistics, read by the FPS benchmark and the browser test; `floor` is the map shown. */
    __unifleetMap?: { frames: number; drawnAgvs: number; drawMs: number; floor: string | null; drawnLifts: number; drawnDoors: number };
  }
}

/**
 * One floor of the site map and every AGV on it on one canvas. The map (thousands of nodes and edges) is drawn once
 * per pan/zoom or floor change into an offscreen layer, with the floor's lift cabins, doors and navigation areas;
 * each animation frame copies that layer and draws the AGVs in one path per vendor colour, each body to scale
 * (its registered length and width, turned to its heading), interpolated between feed updates, so 2,000 AGVs cost
 * a few fill calls rather than thousands. A pinned AGV is followed from floor to floor.
 */
export class MapView {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly layer = document.createElement('canvas');
  private layerDirty = true;
  private scale = 10;
  private ox = 0;
  private oy = 0;
  private fitted = false;
  private nodeXY = new Map<string, { x: number; y: number }>();
  /** The floor (map id) shown; null for a site of one map. */
  private floor: string | null = null;
  private mapOfNode = new Map<string, string>();
  private hover: string | null = null;
  private drag: { x: number; y: number; ox: number; oy: number; moved: boolean } | null = null;
  private running = false;
  onSelect: (agvId: string | null) => void = () => {};
  onHover: (agvId: string | null) => void = () => {};
  onFloor: (floor: string | null) => void = () => {};
  /** The AGV an operator pinned: the view follows it from floor to floor. */
  following: string | null = null;

  constructor(readonly canvas: HTMLCanvasElement, private readonly store: LiveStore) {
    this.ctx = canvas.getContext('2d', { alpha: false })!;
    window.__unifleetMap = { frames: 0, drawnAgvs: 0, drawMs: 0, floor: null, drawnLifts: 0, drawnDoors: 0 };
    new ResizeObserver(() => this.resize()).observe(canvas);
    canvas.addEventListener('wheel', (e) => this.zoom(e), { passive: false });
    canvas.addEventListener('pointerdown', (e) => {
      this.drag = { x: e.clientX, y: e.clientY, ox: this.ox, oy: this.oy, moved: false };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', (e) => this.pointerMove(e));
    canvas.addEventListener('pointerup', (e) => {
      if (this.drag && !this.drag.moved) this.onSelect(this.pick(e.offsetX, e.offsetY));
      this.drag = null;
    });
    canvas.addEventListener('pointerleave', () => this.setHover(null));
    canvas.addEventListener('dblclick', () => this.fit());
    // Lift and door states are drawn with the map layer: redraw it when they change (rarely, unlike AGVs).
    store.on((what) => {
      if (what === 'equipment') this.layerDirty = true;
    });
  }

  setMap(map: SiteMapView): void {
    this.nodeXY = new Map(map.nodes.map((n) => [n.id, n]));
    this.mapOfNode = new Map(map.nodes.flatMap((n) => (n.map === undefined ? [] : [[n.id, n.map] as const])));
    const floors = map.maps ?? [];
    this.floor = floors.length > 1 ? (floors.some((f) => f.id === this.floor) ? this.floor : floors[0]!.id) : null;
    window.__unifleetMap!.floor = this.floor;
    this.fitted = false;
    this.layerDirty = true;
    this.onFloor(this.floor);
  }

  /** The floor (map id) shown; null when the site has one map. */
  get currentFloor(): string | null {
    return this.floor;
  }

  /** Shows another floor of the site (keeping zoom and pan: floors of a building share their frame). */
  setFloor(floor: string): void {
    if (floor === this.floor || !this.store.map?.maps?.some((m) => m.id === floor)) return;
    this.floor = floor;
    window.__unifleetMap!.floor = floor;
    this.layerDirty = true;
    this.onFloor(floor);
  }

  /** Whether an element on map `map` (undefined: a single-map site) is on the floor shown. */
  private onFloorShown(map: string | undefined): boolean {
    return this.floor === null || map === undefined || map === this.floor;
  }

  private agvOnFloor(agv: AgvLive): boolean {
    return this.floor === null || agv.map === this.floor;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const frame = (): void => {
      if (!this.running) return;
      this.draw();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  stop(): void {
    this.running = false;
  }

  /** Centres the view on an AGV (from the AGV list). */
  focus(agvId: string): void {
    const m = this.store.agvs.get(agvId);
    if (!m) return;
    if (this.floor !== null) this.setFloor(m.agv.map);
    const { width, height } = this.size();
    this.scale = Math.max(this.scale, 25);
    this.ox = width / 2 - m.agv.x * this.scale;
    this.oy = height / 2 + m.agv.y * this.scale;
    this.layerDirty = true;
  }

  fit(): void {
    const map = this.store.map;
    const nodes = map?.nodes.filter((n) => this.onFloorShown(n.map)) ?? [];
    if (nodes.length === 0) return;
    const xs = nodes.map((n) => n.x);
    const ys = nodes.map((n) => n.y);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const { width, height } = this.size();
    const pad = 30;
    this.scale = Math.min((width - 2 * pad) / Math.max(1, maxX - minX), (height - 2 * pad) / Math.max(1, maxY - minY));
    this.ox = pad - minX * this.scale + (width - 2 * pad - (maxX - minX) * this.scale) / 2;
    this.oy = height - pad + minY * this.scale - (height - 2 * pad - (maxY - minY) * this.scale) / 2;
    this.fitted = true;
    this.layerDirty = true;
  }

  /** Screen position of an AGV (CSS pixels, relative to the canvas); used by tests to hover/click it. */
  screenOf(agvId: string): { x: number; y: number } | null {
    const m = this.store.agvs.get(agvId);
    if (!m) return null;
    const p = this.store.position(m, performance.now());
    return { x: this.ox + p.x * this.scale, y: this.oy - p.y * this.scale };
  }

  private size(): { width: number; height: number } {
    return { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = this.size();
    for (const c of [this.canvas, this.layer]) {
      c.width = Math.max(1, Math.round(width * dpr));
      c.height = Math.max(1, Math.round(height * dpr));
    }
    this.layerDirty = true;
    if (!this.fitted) this.fit();
  }

  private zoom(e: WheelEvent): void {
    e.preventDefault();
    const factor = Math.exp(-e.deltaY * 0.0015);
    const next = Math.min(400, Math.max(0.5, this.scale * factor));
    const k = next / this.scale;
    this.ox = e.offsetX - (e.offsetX - this.ox) * k;
    this.oy = e.offsetY - (e.offsetY - this.oy) * k;
    this.scale = next;
    this.layerDirty = true;
  }

  private pointerMove(e: PointerEvent): void {
    if (this.drag) {
      const dx = e.clientX - this.drag.x;
      const dy = e.clientY - this.drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) this.drag.moved = true;
      if (this.drag.moved) {
        this.ox = this.drag.ox + dx;
        this.oy = this.drag.oy + dy;
        this.layerDirty = true;
        this.canvas.style.cursor = 'grabbing';
      }
      return;
    }
    this.canvas.style.cursor = 'grab';
    this.setHover(this.pick(e.offsetX, e.offsetY));
  }

  private setHover(id: string | null): void {
    if (id === this.hover) return;
    this.hover = id;
    this.onHover(id);
  }

  private pick(sx: number, sy: number): string | null {
    const now = performance.now();
    const radius = Math.max(8, this.agvRadius() + 4);
    let best: string | null = null;
    let bestD = radius * radius;
    for (const m of this.store.agvs.values()) {
      if (!this.agvOnFloor(m.agv)) continue;
      const p = this.store.position(m, now);
      const dx = this.ox + p.x * this.scale - sx;
      const dy = this.oy - p.y * this.scale - sy;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = m.agv.id;
      }
    }
    return best;
  }

  /** Half the diagonal of an AGV's body on screen (px): what a ring around it must clear. */
  private bodyRadiusPx(agv: AgvLive): number {
    return (Math.hypot(agv.len, agv.wid) / 2) * this.scale;
  }

  private agvRadius(): number {
    return Math.min(14, Math.max(2.5, this.scale * 0.45));
  }

  private drawLayer(): void {
    const map = this.store.map;
    const dpr = window.devicePixelRatio || 1;
    const g = this.layer.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = '#0f1419';
    g.fillRect(0, 0, this.layer.width, this.layer.height);
    if (!map) return;
    const X = (x: number): number => this.ox + x * this.scale;
    const Y = (y: number): number => this.oy - y * this.scale;
    const shown = (node: string): boolean => this.onFloorShown(this.mapOfNode.get(node));
    this.drawNavigationAreas(g, X, Y);
    g.strokeStyle = '#2c3846';
    g.lineWidth = Math.max(1, Math.min(3, this.scale * 0.08));
    g.beginPath();
    for (const e of map.edges) {
      // A lift ride joins two floors: the cabins stand for it.
      if (e.kind === 'lift' || !shown(e.from)) continue;
      const a = this.nodeXY.get(e.from);
      const b = this.nodeXY.get(e.to);
      if (!a || !b) continue;
      g.moveTo(X(a.x), Y(a.y));
      g.lineTo(X(b.x), Y(b.y));
    }
    g.stroke();
    if (this.scale > 4) {
      g.fillStyle = '#3a4857';
      const r = Math.min(3, this.scale * 0.08);
      g.beginPath();
      for (const n of map.nodes) if (this.onFloorShown(n.map)) g.rect(X(n.x) - r, Y(n.y) - r, 2 * r, 2 * r);
      g.fill();
    }
    const mark = (points: { node: string }[], colour: string, shape: 'square' | 'circle'): void => {
      const s = Math.max(4, Math.min(10, this.scale * 0.35));
      g.strokeStyle = colour;
      g.lineWidth = 2;
      for (const p of points) {
        const n = this.nodeXY.get(p.node);
        if (!n || !shown(p.node)) continue;
        g.beginPath();
        if (shape === 'square') g.rect(X(n.x) - s, Y(n.y) - s, 2 * s, 2 * s);
        else g.arc(X(n.x), Y(n.y), s, 0, 2 * Math.PI);
        g.stroke();
      }
    };
    mark(map.stations, '#6f8cff', 'square');
    mark(map.parking, '#6b7785', 'square');
    mark(map.chargers, '#3ecf8e', 'circle');
    this.drawLifts(g, X, Y);
    this.drawDoors(g, X, Y);
    this.layerDirty = false;
  }

  /** Nodes of navigation areas, tinted by the mode they need. */
  private drawNavigationAreas(g: CanvasRenderingContext2D, X: (x: number) => number, Y: (y: number) => number): void {
    const r = Math.max(3, this.scale * 0.7);
    for (const area of this.store.map?.navigationAreas ?? []) {
      g.fillStyle = NAV_AREA_COLOUR[area.modes[0] ?? ''] ?? 'rgba(200, 200, 200, 0.25)';
      g.beginPath();
      for (const id of area.nodes) {
        const n = this.nodeXY.get(id);
        if (!n || !this.onFloorShown(this.mapOfNode.get(id))) continue;
        g.moveTo(X(n.x) + r, Y(n.y));
        g.arc(X(n.x), Y(n.y), r, 0, 2 * Math.PI);
      }
      g.fill();
    }
  }

  /**
   * Each lift's cabin on this floor, to scale, with its name: filled when the cabin stands here (outlined green while
   * its doors are open), with an arrow while it moves and the length of its queue; red when it is out of AGV service
   * or reports a fault.
   */
  private drawLifts(g: CanvasRenderingContext2D, X: (x: number) => number, Y: (y: number) => number): void {
    g.lineWidth = 2;
    g.font = '11px system-ui';
    let drawn = 0;
    for (const lift of this.store.map?.lifts ?? []) {
      const state = this.store.lifts.get(lift.id);
      for (const stop of lift.stops) {
        const n = this.nodeXY.get(stop.node);
        if (!n || !this.onFloorShown(stop.map)) continue;
        const w = Math.max(8, lift.cabin.lengthM * this.scale);
        const h = Math.max(8, lift.cabin.widthM * this.scale);
        const [left, top] = [X(n.x) - w / 2, Y(n.y) - h / 2];
        const here = state?.floor === stop.map;
        const unavailable = state !== undefined && (state.fault !== null || state.mode !== 'agv');
        const colour = unavailable ? DOOR_COLOUR.fire! : LIFT_COLOUR;
        if (here) {
          g.fillStyle = 'rgba(185, 140, 255, 0.35)';
          g.fillRect(left, top, w, h);
        }
        g.strokeStyle = here && (state.door === 'open' || state.door === 'opening') ? '#3ecf8e' : colour;
        g.strokeRect(left, top, w, h);
        g.strokeStyle = colour;
        g.beginPath();
        g.moveTo(left, top);
        g.lineTo(left + w, top + h);
        g.moveTo(left + w, top);
        g.lineTo(left, top + h);
        g.stroke();
        if (this.scale > 3) {
          const motion = state?.motion === 'up' ? ' ▲' : state?.motion === 'down' ? ' ▼' : '';
          const queue = state && state.queue.length > 0 ? ` · ${state.queue.length} waiting` : '';
          g.fillStyle = colour;
          g.fillText(`${lift.name}${motion}${queue}`, left, top - 4);
        }
        drawn++;
      }
    }
    window.__unifleetMap!.drawnLifts = drawn;
  }

  /** Each door on this floor: a bar across its edge, red for fire doors, amber for roller doors; green while open. */
  private drawDoors(g: CanvasRenderingContext2D, X: (x: number) => number, Y: (y: number) => number): void {
    const edges = new Map((this.store.map?.edges ?? []).map((e) => [e.id, e]));
    g.lineWidth = Math.max(3, this.scale * 0.25);
    let drawn = 0;
    for (const door of this.store.map?.doors ?? []) {
      const e = edges.get(door.edge);
      const a = e && this.nodeXY.get(e.from);
      const b = e && this.nodeXY.get(e.to);
      if (!e || !a || !b || !this.onFloorShown(this.mapOfNode.get(e.from))) continue;
      const state = this.store.doors.get(door.id);
      const mx = (X(a.x) + X(b.x)) / 2;
      const my = (Y(a.y) + Y(b.y)) / 2;
      const len = Math.hypot(X(b.x) - X(a.x), Y(b.y) - Y(a.y)) || 1;
      // Across the edge: its direction turned a quarter.
      const nx = -(Y(b.y) - Y(a.y)) / len;
      const ny = (X(b.x) - X(a.x)) / len;
      const half = Math.max(5, this.scale * 1.2);
      g.strokeStyle = state?.fault ? SEV_RING.critical! : state?.position === 'open' ? '#3ecf8e' : (DOOR_COLOUR[door.kind] ?? '#ffffff');
      g.setLineDash(state?.position === 'opening' || state?.position === 'closing' ? [4, 3] : []);
      g.beginPath();
      g.moveTo(mx - nx * half, my - ny * half);
      g.lineTo(mx + nx * half, my + ny * half);
      g.stroke();
      drawn++;
    }
    g.setLineDash([]);
    window.__unifleetMap!.drawnDoors = drawn;
  }

  private drawPath(nodes: string[], colour: string, dashed: boolean, from?: { x: number; y: number }): void {
    if (nodes.length === 0) return;
    const g = this.ctx;
    g.strokeStyle = colour;
    g.lineWidth = dashed ? 2 : 4;
    g.setLineDash(dashed ? [6, 5] : []);
    g.beginPath();
    let first = true;
    if (from) {
      g.moveTo(this.ox + from.x * this.scale, this.oy - from.y * this.scale);
      first = false;
    }
    for (const id of nodes) {
      const n = this.nodeXY.get(id);
      if (!n) continue;
      const [x, y] = [this.ox + n.x * this.scale, this.oy - n.y * this.scale];
      if (first) g.moveTo(x, y);
      else g.lineTo(x, y);
      first = false;
    }
    g.stroke();
    g.setLineDash([]);
  }

  private draw(): void {
    const started = performance.now();
    this.drawFrame();
    window.__unifleetMap!.drawMs += performance.now() - started;
  }

  private drawFrame(): void {
    if (!this.fitted && this.store.map && this.canvas.clientWidth > 0) this.fit();
    // A pinned AGV that rides a lift is followed to its new floor.
    const pinned = this.following ? this.store.agvs.get(this.following) : undefined;
    if (pinned && this.floor !== null && pinned.agv.map !== this.floor) this.setFloor(pinned.agv.map);
    if (this.layerDirty) this.drawLayer();
    const g = this.ctx;
    const dpr = window.devicePixelRatio || 1;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.drawImage(this.layer, 0, 0);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const now = performance.now();
    const detail = this.store.detail;
    const focus = this.store.selectedId ?? this.hover;
    if (detail && detail.agvId === focus) {
      const m = this.store.agvs.get(detail.agvId);
      const at = m ? this.store.position(m, now) : undefined;
      const last = detail.heldPath.at(-1);
      this.drawPath(detail.plannedPath, '#8fa3b8', true, last ? this.nodeXY.get(last) : at);
      this.drawPath(detail.heldPath, '#ffd24d', false, at);
    }

    const r = this.agvRadius();
    const byColour = new Map<string, AgvMotion[]>();
    const ringed: { m: AgvMotion; colour: string }[] = [];
    let drawn = 0;
    for (const m of this.store.agvs.values()) {
      if (!this.agvOnFloor(m.agv)) continue;
      drawn++;
      const colour = m.agv.conn ? vendorColour(m.agv.vendor) : '#55606b';
      let list = byColour.get(colour);
      if (!list) byColour.set(colour, (list = []));
      list.push(m);
      const ring = m.agv.estop ? SEV_RING.critical : m.agv.sev && SEV_RING[m.agv.sev] ? SEV_RING[m.agv.sev] : STATE_RING[m.agv.state];
      if (ring) ringed.push({ m, colour: ring });
    }
    const noses: { x: number; y: number; c: number; s: number; half: number }[] = [];
    for (const [colour, list] of byColour) {
      g.fillStyle = colour;
      g.beginPath();
      for (const m of list) {
        const p = this.store.position(m, now);
        const x = this.ox + p.x * this.scale;
        const y = this.oy - p.y * this.scale;
        const c = Math.cos(p.th);
        const s = Math.sin(p.th);
        const half = (m.agv.len * this.scale) / 2;
        const side = (m.agv.wid * this.scale) / 2;
        if (Math.min(half, side) * 2 >= MIN_BODY_PX) {
          // The body to scale: length along the heading, width across it (screen y is flipped).
          const corner = (along: number, across: number): [number, number] => [x + c * along - s * across, y - (s * along + c * across)];
          g.moveTo(...corner(half, side));
          g.lineTo(...corner(-half, side));
          g.lineTo(...corner(-half, -side));
          g.lineTo(...corner(half, -side));
          g.closePath();
          noses.push({ x, y, c, s, half });
          continue;
        }
        // Too small to see to scale: an arrowhead pointing along the heading.
        g.moveTo(x + c * r * 1.4, y - s * r * 1.4);
        g.lineTo(x - c * r + s * r * 0.9, y + s * r + c * r * 0.9);
        g.lineTo(x - c * r * 0.5, y + s * r * 0.5);
        g.lineTo(x - c * r - s * r * 0.9, y + s * r - c * r * 0.9);
        g.closePath();
      }
      g.fill();
    }
    // The heading of every body drawn to scale: a line from its centre to its front.
    g.strokeStyle = '#0f1419';
    g.lineWidth = 2;
    g.beginPath();
    for (const n of noses) {
      g.moveTo(n.x, n.y);
      g.lineTo(n.x + n.c * n.half, n.y - n.s * n.half);
    }
    g.stroke();
    g.lineWidth = 1.5;
    for (const { m, colour } of ringed) {
      const p = this.store.position(m, now);
      g.strokeStyle = colour;
      g.beginPath();
      g.arc(this.ox + p.x * this.scale, this.oy - p.y * this.scale, Math.max(r * 1.7, this.bodyRadiusPx(m.agv) + 3), 0, 2 * Math.PI);
      g.stroke();
    }
    for (const id of [this.hover, this.store.selectedId]) {
      const m = id ? this.store.agvs.get(id) : undefined;
      if (!m || !this.agvOnFloor(m.agv)) continue;
      const p = this.store.position(m, now);
      g.strokeStyle = '#ffffff';
      g.lineWidth = 2;
      g.beginPath();
      g.arc(this.ox + p.x * this.scale, this.oy - p.y * this.scale, Math.max(r * 2.2, this.bodyRadiusPx(m.agv) + 6), 0, 2 * Math.PI);
      g.stroke();
      if (this.scale > 6 || id === this.hover) {
        g.fillStyle = '#ffffff';
        g.font = '12px system-ui';
        g.fillText(m.agv.id, this.ox + p.x * this.scale + r * 2.4, this.oy - p.y * this.scale - r * 2.4);
      }
    }
    window.__unifleetMap!.frames++;
    window.__unifleetMap!.drawnAgvs = drawn;
  }
}
