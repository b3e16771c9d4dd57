import { vendorColour } from './dom.ts';
import type { AgvMotion, LiveStore } from './live.ts';
import type { SiteMapView } from './types.ts';

const STATE_RING: Record<string, string> = { error: '#e5533d', charging: '#3ecf8e', paused: '#e8b339' };
const SEV_RING: Record<string, string> = { warning: '#e8b339', error: '#e5533d', critical: '#ff2d6f' };

declare global {
  interface Window {
    /** Rendering statistics, read by the FPS benchmark and the browser test. */
    __unifleetMap?: { frames: number; drawnAgvs: number; drawMs: number };
  }
}

/**
 * The site map and every AGV on one canvas. The map (thousands of nodes and edges) is drawn once per pan/zoom into
 * an offscreen layer; each animation frame copies that layer and draws the AGVs in one path per vendor colour,
 * interpolated between feed updates, so 2,000 AGVs cost a few fill calls rather than thousands.
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
  private hover: string | null = null;
  private drag: { x: number; y: number; ox: number; oy: number; moved: boolean } | null = null;
  private running = false;
  onSelect: (agvId: string | null) => void = () => {};
  onHover: (agvId: string | null) => void = () => {};
  /** A click on the map in site metres; return true to take it (e.g. drawing a zone) instead of selecting an AGV. */
  onMapClick: (at: { x: number; y: number }) => boolean = () => false;
  /** Drawn over the map, under the AGVs, every frame (zones, a polygon being drawn); X/Y map metres to the screen. */
  readonly overlays: ((g: CanvasRenderingContext2D, X: (x: number) => number, Y: (y: number) => number) => void)[] = [];

  constructor(readonly canvas: HTMLCanvasElement, private readonly store: LiveStore) {
    this.ctx = canvas.getContext('2d', { alpha: false })!;
    window.__unifleetMap = { frames: 0, drawnAgvs: 0, drawMs: 0 };
    new ResizeObserver(() => this.resize()).observe(canvas);
    canvas.addEventListener('wheel', (e) => this.zoom(e), { passive: false });
    canvas.addEventListener('pointerdown', (e) => {
      this.drag = { x: e.clientX, y: e.clientY, ox: this.ox, oy: this.oy, moved: false };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', (e) => this.pointerMove(e));
    canvas.addEventListener('pointerup', (e) => {
      if (this.drag && !this.drag.moved && !this.onMapClick({ x: (e.offsetX - this.ox) / this.scale, y: (this.oy - e.offsetY) / this.scale })) {
        this.onSelect(this.pick(e.offsetX, e.offsetY));
      }
      this.drag = null;
    });
    canvas.addEventListener('pointerleave', () => this.setHover(null));
    canvas.addEventListener('dblclick', () => this.fit());
  }

  setMap(map: SiteMapView): void {
    this.nodeXY = new Map(map.nodes.map((n) => [n.id, n]));
    this.fitted = false;
    this.layerDirty = true;
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
    const { width, height } = this.size();
    this.scale = Math.max(this.scale, 25);
    this.ox = width / 2 - m.agv.x * this.scale;
    this.oy = height / 2 + m.agv.y * this.scale;
    this.layerDirty = true;
  }

  fit(): void {
    const map = this.store.map;
    if (!map || map.nodes.length === 0) return;
    const xs = map.nodes.map((n) => n.x);
    const ys = map.nodes.map((n) => n.y);
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
    g.strokeStyle = '#2c3846';
    g.lineWidth = Math.max(1, Math.min(3, this.scale * 0.08));
    g.beginPath();
    for (const e of map.edges) {
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
      for (const n of map.nodes) g.rect(X(n.x) - r, Y(n.y) - r, 2 * r, 2 * r);
      g.fill();
    }
    const mark = (points: { node: string }[], colour: string, shape: 'square' | 'circle'): void => {
      const s = Math.max(4, Math.min(10, this.scale * 0.35));
      g.strokeStyle = colour;
      g.lineWidth = 2;
      for (const p of points) {
        const n = this.nodeXY.get(p.node);
        if (!n) continue;
        g.beginPath();
        if (shape === 'square') g.rect(X(n.x) - s, Y(n.y) - s, 2 * s, 2 * s);
        else g.arc(X(n.x), Y(n.y), s, 0, 2 * Math.PI);
        g.stroke();
      }
    };
    mark(map.stations, '#6f8cff', 'square');
    mark(map.parking, '#6b7785', 'square');
    mark(map.chargers, '#3ecf8e', 'circle');
    this.layerDirty = false;
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
    if (this.layerDirty) this.drawLayer();
    const g = this.ctx;
    const dpr = window.devicePixelRatio || 1;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.drawImage(this.layer, 0, 0);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    for (const overlay of this.overlays) overlay(g, (x) => this.ox + x * this.scale, (y) => this.oy - y * this.scale);
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
    for (const m of this.store.agvs.values()) {
      const colour = m.agv.conn ? vendorColour(m.agv.vendor) : '#55606b';
      let list = byColour.get(colour);
      if (!list) byColour.set(colour, (list = []));
      list.push(m);
      const ring = m.agv.estop ? SEV_RING.critical : m.agv.sev && SEV_RING[m.agv.sev] ? SEV_RING[m.agv.sev] : STATE_RING[m.agv.state];
      if (ring) ringed.push({ m, colour: ring });
    }
    for (const [colour, list] of byColour) {
      g.fillStyle = colour;
      g.beginPath();
      for (const m of list) {
        const p = this.store.position(m, now);
        const x = this.ox + p.x * this.scale;
        const y = this.oy - p.y * this.scale;
        const c = Math.cos(p.th);
        const s = Math.sin(p.th);
        // An arrowhead pointing along the heading (screen y is flipped).
        g.moveTo(x + c * r * 1.4, y - s * r * 1.4);
        g.lineTo(x - c * r + s * r * 0.9, y + s * r + c * r * 0.9);
        g.lineTo(x - c * r * 0.5, y + s * r * 0.5);
        g.lineTo(x - c * r - s * r * 0.9, y + s * r - c * r * 0.9);
        g.closePath();
      }
      g.fill();
    }
    g.lineWidth = 1.5;
    for (const { m, colour } of ringed) {
      const p = this.store.position(m, now);
      g.strokeStyle = colour;
      g.beginPath();
      g.arc(this.ox + p.x * this.scale, this.oy - p.y * this.scale, r * 1.7, 0, 2 * Math.PI);
      g.stroke();
    }
    for (const id of [this.hover, this.store.selectedId]) {
      const m = id ? this.store.agvs.get(id) : undefined;
      if (!m) continue;
      const p = this.store.position(m, now);
      g.strokeStyle = '#ffffff';
      g.lineWidth = 2;
      g.beginPath();
      g.arc(this.ox + p.x * this.scale, this.oy - p.y * this.scale, r * 2.2, 0, 2 * Math.PI);
      g.stroke();
      if (this.scale > 6 || id === this.hover) {
        g.fillStyle = '#ffffff';
        g.font = '12px system-ui';
        g.fillText(m.agv.id, this.ox + p.x * this.scale + r * 2.4, this.oy - p.y * this.scale - r * 2.4);
      }
    }
    window.__unifleetMap!.frames++;
    window.__unifleetMap!.drawnAgvs = this.store.agvs.size;
  }
}
