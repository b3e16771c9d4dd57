import { api, canOperate } from '../api.ts';
import { h, toast } from '../dom.ts';
import type { LiveStore } from '../live.ts';
import type { MapView } from '../map-view.ts';
import type { BlockageItem, LeaseItem, SessionUser } from '../types.ts';
import { drawCoverage, mapIndex, type Coverage } from './coverage.ts';

// Autonomous space on the map page: the space each AGV was granted for a detour (coloured by AGV, labelled with
// its id and the lease time left) and the blockages AGVs reported, drawn over the map and listed; an operator takes
// a lease back or clears a blockage once the obstacle is gone.

const BLOCKAGE_COLOUR = '#e5533d';
const POLL_MS = 2_000;

export class SpacePanel {
  readonly element = h('div', { class: 'zones space', 'data-testid': 'space' });
  private leases: LeaseItem[] = [];
  private blockages: BlockageItem[] = [];

  constructor(private readonly store: LiveStore, private readonly mapView: MapView, private readonly user: SessionUser) {
    mapView.overlays.push((g, X, Y) => this.draw(g, X, Y));
    this.render();
    void this.refresh();
    setInterval(() => void this.refresh(), POLL_MS);
  }

  async refresh(): Promise<void> {
    try {
      const [space, blockages] = await Promise.all([
        api<{ leases: LeaseItem[] }>('GET', '/api/v1/space/leases'),
        api<BlockageItem[]>('GET', '/api/v1/blockages'),
      ]);
      this.leases = space.leases;
      this.blockages = blockages;
      this.render();
    } catch {
      // The next poll tries again; the live feed shows the connection state.
    }
  }

  private render(): void {
    const operate = canOperate(this.user);
    this.element.replaceChildren(
      h('h3', {}, 'Space and blockages'),
      ...this.leases.map((l) =>
        h(
          'div',
          { class: 'zone', 'data-testid': 'lease-item', 'data-lease': String(l.leaseId), 'data-agv': l.agvId },
          h('span', { class: 'swatch', style: `background:${agvColour(l.agvId)}` }),
          h('span', { class: 'zone-name' }, `${l.agvId} · ${l.state === 'granted' ? `lease ${timeLeft(l.expiresAt)}` : 'lost, until it stands still'} · ${l.nodes.length} nodes`),
          operate && l.state === 'granted' ? h('button', { 'data-testid': 'lease-revoke', title: 'take the space back', onclick: () => void this.revoke(l) }, '✕') : '',
        ),
      ),
      ...this.blockages.map((b) =>
        h(
          'div',
          { class: 'zone', 'data-testid': 'blockage-item', 'data-blockage': b.id },
          h('span', { class: 'swatch', style: `background:${BLOCKAGE_COLOUR}` }),
          h('span', { class: 'zone-name' }, `blocked: ${[...b.nodes, ...b.edges].join(', ') || 'area'} · by ${b.reportedBy}${b.detail ? ` (${b.detail})` : ''}`),
          operate ? h('button', { 'data-testid': 'blockage-clear', title: 'the obstacle is gone', onclick: () => void this.clear(b) }, '✕') : '',
        ),
      ),
      this.leases.length + this.blockages.length === 0 ? h('p', { class: 'muted' }, 'No granted space, no blockages.') : '',
    );
  }

  private async revoke(lease: LeaseItem): Promise<void> {
    if (!confirm(`Take back the space granted to ${lease.agvId}? It acts as its grant says (${lease.onLeaseLoss}).`)) return;
    try {
      await api('POST', `/api/v1/space/leases/${lease.leaseId}/revoke`);
      await this.refresh();
    } catch (err) {
      toast(`lease not revoked: ${(err as Error).message}`);
    }
  }

  private async clear(blockage: BlockageItem): Promise<void> {
    if (!confirm('Clear this blockage? Only once the obstacle is gone: AGVs will be planned through it again.')) return;
    try {
      await api('DELETE', `/api/v1/blockages/${encodeURIComponent(blockage.id)}`);
      await this.refresh();
    } catch (err) {
      toast(`blockage not cleared: ${(err as Error).message}`);
    }
  }

  private draw(g: CanvasRenderingContext2D, X: (x: number) => number, Y: (y: number) => number): void {
    const map = this.store.map;
    if (!map) return;
    const index = mapIndex(map);
    const floor = this.mapView.currentFloor;
    // A shape named by nodes shows on their floor; an outline alone shows on every floor.
    const shown = (c: Coverage) => floor === null || c.nodes.length === 0 || c.nodes.some((id) => (index.at.get(id)?.map ?? floor) === floor);
    const shape = (c: Coverage, colour: string, label: string) => {
      const points = drawCoverage(g, X, Y, index, c, colour, 'outline');
      const anchor = c.polygon[0] ?? points[0];
      if (!anchor) return;
      g.fillStyle = colour;
      g.font = '12px system-ui, sans-serif';
      g.fillText(label, X(anchor.x) + 9, Y(anchor.y) - 9);
    };
    for (const l of this.leases) if (shown(l)) shape(l, agvColour(l.agvId), l.state === 'granted' ? `${l.agvId} ${timeLeft(l.expiresAt)}` : `${l.agvId} lost`);
    for (const b of this.blockages) if (shown(b)) shape(b, BLOCKAGE_COLOUR, 'blocked');
  }
}

/** Stable colour per AGV, so its granted space is told apart from its neighbour's. */
function agvColour(agvId: string): string {
  let hash = 0;
  for (const ch of agvId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 80% 60%)`;
}

/** Lease time left, from the browser's clock (platform and dashboard share the site's time). */
function timeLeft(expiresAt: string): string {
  const s = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 1000));
  return `${s} s left`;
}
