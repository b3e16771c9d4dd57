import { api, canOperate } from '../api.ts';
import { h, toast } from '../dom.ts';
import type { LiveStore } from '../live.ts';
import type { MapView } from '../map-view.ts';
import type { SessionUser, ZoneItem } from '../types.ts';
import { drawCoverage, mapIndex } from './coverage.ts';

// Operator zones on the map page: every zone drawn over the map and listed with what it does; an operator draws a
// new one (click the corners on the map) or names its nodes, picks the type, and creates or removes zones.

const COLOURS: Record<ZoneItem['type'], string> = { blocked: '#e5533d', speedLimit: '#e8b339', oneWay: '#3ecf8e', maxOccupancy: '#a66bff' };
const LABELS: Record<ZoneItem['type'], string> = { blocked: 'blocked', speedLimit: 'speed limit', oneWay: 'one way', maxOccupancy: 'max occupancy' };

export class ZonePanel {
  readonly element = h('div', { class: 'zones', 'data-testid': 'zones' });
  private zones: ZoneItem[] = [];
  private drawing: { x: number; y: number }[] | null = null;
  private readonly form = {
    type: h('select', { 'data-testid': 'zone-type' }, ...Object.entries(LABELS).map(([v, l]) => h('option', { value: v }, l))),
    name: h('input', { 'data-testid': 'zone-name', placeholder: 'name', maxLength: 100 }),
    nodes: h('input', { 'data-testid': 'zone-nodes', placeholder: 'nodes (comma-separated) or draw' }),
    value: h('input', { 'data-testid': 'zone-value', placeholder: 'm/s, AGVs or stop/leave' }),
  };

  constructor(private readonly store: LiveStore, private readonly mapView: MapView, private readonly user: SessionUser) {
    mapView.overlays.push((g, X, Y) => this.draw(g, X, Y));
    mapView.onMapClick = (at) => {
      if (!this.drawing) return false;
      this.drawing.push(at);
      this.render();
      return true;
    };
    this.render();
    void this.refresh();
    setInterval(() => void this.refresh(), 5_000);
  }

  async refresh(): Promise<void> {
    try {
      this.zones = (await api<{ items: ZoneItem[] }>('GET', '/api/v1/zones')).items;
      this.render();
    } catch {
      // The next poll tries again; the live feed shows the connection state.
    }
  }

  private render(): void {
    const operate = canOperate(this.user);
    this.element.replaceChildren(
      h('h3', {}, 'Zones'),
      ...this.zones.map((z) =>
        h(
          'div',
          { class: 'zone', 'data-testid': 'zone-item', 'data-zone': z.id },
          h('span', { class: 'swatch', style: `background:${COLOURS[z.type]}` }),
          h('span', { class: 'zone-name' }, `${z.name} · ${LABELS[z.type]}${detail(z)}`),
          operate ? h('button', { 'data-testid': 'zone-remove', onclick: () => void this.remove(z) }, '✕') : '',
        ),
      ),
      this.zones.length === 0 ? h('p', { class: 'muted' }, 'No zones.') : '',
      operate ? this.editor() : '',
    );
  }

  private editor(): HTMLElement {
    const drawing = this.drawing;
    return h(
      'div',
      { class: 'controls zone-form' },
      this.form.type,
      this.form.name,
      this.form.nodes,
      this.form.value,
      drawing
        ? h('button', { 'data-testid': 'zone-draw-cancel', onclick: () => ((this.drawing = null), this.render()) }, `Drawing: ${drawing.length} corners (cancel)`)
        : h('button', { 'data-testid': 'zone-draw', onclick: () => ((this.drawing = []), this.render()) }, 'Draw area'),
      h('button', { class: 'primary', 'data-testid': 'zone-create', onclick: () => void this.create() }, 'Create zone'),
    );
  }

  private async create(): Promise<void> {
    const type = this.form.type.value as ZoneItem['type'];
    const nodes = this.form.nodes.value.split(',').map((n) => n.trim()).filter(Boolean);
    const value = this.form.value.value.trim();
    const body: Record<string, unknown> = { type, name: this.form.name.value.trim() };
    if (type === 'oneWay') body.path = nodes;
    else if (nodes.length > 0) body.nodes = nodes;
    if (this.drawing && this.drawing.length > 0) body.polygon = this.drawing.map((p) => ({ x: round(p.x), y: round(p.y) }));
    if (type === 'speedLimit') body.maxSpeed = Number(value);
    if (type === 'maxOccupancy') body.maxAgvs = Number(value);
    if (type === 'blocked' && value) body.mode = value;
    try {
      await api('POST', '/api/v1/zones', body);
      this.drawing = null;
      this.form.name.value = '';
      this.form.nodes.value = '';
      this.form.value.value = '';
      await this.refresh();
    } catch (err) {
      toast(`zone refused: ${(err as Error).message}`);
    }
  }

  private async remove(zone: ZoneItem): Promise<void> {
    if (!confirm(`Remove zone '${zone.name}'?`)) return;
    try {
      await api('DELETE', `/api/v1/zones/${encodeURIComponent(zone.id)}`);
      await this.refresh();
    } catch (err) {
      toast(`zone not removed: ${(err as Error).message}`);
    }
  }

  private draw(g: CanvasRenderingContext2D, X: (x: number) => number, Y: (y: number) => number): void {
    const map = this.store.map;
    if (!map) return;
    const index = mapIndex(map);
    for (const z of this.zones) drawCoverage(g, X, Y, index, { polygon: z.polygon, ...z.covered }, COLOURS[z.type], 'fill');
    if (this.drawing && this.drawing.length > 0) {
      g.strokeStyle = '#ffffff';
      g.setLineDash([4, 4]);
      g.beginPath();
      this.drawing.forEach((p, i) => (i === 0 ? g.moveTo(X(p.x), Y(p.y)) : g.lineTo(X(p.x), Y(p.y))));
      g.closePath();
      g.stroke();
      g.setLineDash([]);
    }
  }
}

function detail(z: ZoneItem): string {
  if (z.type === 'blocked') return z.mode === 'stop' ? ' (stop inside)' : '';
  if (z.type === 'speedLimit') return ` ≤ ${z.maxSpeed} m/s`;
  if (z.type === 'maxOccupancy') return ` ${z.occupants?.length ?? 0}/${z.maxAgvs}`;
  return z.effective === 'nextStart' ? ' (from next start)' : '';
}

const round = (v: number): number => Math.round(v * 100) / 100;
