import { h, sevBadge } from '../dom.ts';
import type { LiveStore } from '../live.ts';
import type { AgvLive } from '../types.ts';
import type { PendingAgvList } from './pending-agvs.ts';

const ROW_HEIGHT = 26;

/** All AGVs, filterable, virtualised: only the rows on screen exist in the DOM, so 2,000 AGVs scroll smoothly. */
export class AgvListView {
  readonly element: HTMLElement;
  private readonly filter = h('input', { placeholder: 'filter: id, vendor, state, task…', 'data-testid': 'agv-filter', size: 30 });
  private readonly body = h('tbody');
  private readonly spacer = h('div');
  private readonly scroller: HTMLElement;
  private readonly count = h('span', { class: 'muted' });
  private rows: AgvLive[] = [];
  private dirty = true;
  private visible = false;

  constructor(private readonly store: LiveStore, private readonly onPick: (id: string) => void, private readonly pending: PendingAgvList) {
    const table = h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...['AGV', 'vendor / model', 'state', 'map · navigation', 'battery', 'task', 'alarms', 'connection'].map((t) => h('th', {}, t)))),
      this.body,
    );
    table.style.position = 'absolute';
    table.style.top = '0';
    this.scroller = h('div', { class: 'virtual' }, this.spacer, table);
    this.scroller.addEventListener('scroll', () => this.render());
    this.filter.addEventListener('input', () => {
      this.dirty = true;
      this.render();
    });
    this.element = h('div', { class: 'page agv-page' }, pending.element, h('div', { class: 'toolbar' }, this.filter, this.count), this.scroller);
    store.on((what) => {
      if (what === 'agvs') this.dirty = true;
    });
    // The list refreshes at 2 Hz at most: a table changing 10 times a second cannot be read anyway.
    setInterval(() => {
      if (this.visible && this.dirty) this.render();
    }, 500);
  }

  show(visible: boolean): void {
    this.visible = visible;
    this.pending.show(visible);
    if (visible) this.render();
  }

  private render(): void {
    if (this.dirty) {
      const q = this.filter.value.trim().toLowerCase();
      this.rows = [...this.store.agvs.values()]
        .map((m) => m.agv)
        .filter((a) => !q || [a.id, a.vendor, a.model, a.state, a.task ?? '', a.mode, a.map, a.nav, a.proto].some((s) => s.toLowerCase().includes(q)))
        .sort((a, b) => a.id.localeCompare(b.id));
      this.count.textContent = `${this.rows.length} of ${this.store.agvs.size} AGVs`;
      this.dirty = false;
    }
    this.spacer.style.height = `${(this.rows.length + 1) * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - 5);
    const count = Math.ceil(this.scroller.clientHeight / ROW_HEIGHT) + 10;
    const table = this.body.parentElement!;
    table.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    this.body.replaceChildren(...this.rows.slice(first, first + count).map((a) => this.row(a)));
  }

  private row(a: AgvLive): HTMLElement {
    const battery = h('span', { class: 'battery' }, h('i'));
    const fill = battery.firstElementChild as HTMLElement;
    fill.style.width = `${a.battery}%`;
    if (a.battery < 20) fill.style.background = 'var(--error)';
    const tr = h(
      'tr',
      { 'data-agv': a.id, class: this.store.selectedId === a.id ? 'selected' : '' },
      h('td', {}, h('a', { href: '#map', onclick: () => this.onPick(a.id) }, a.id)),
      h('td', {}, `${a.vendor} ${a.model}`),
      h('td', {}, a.estop ? 'e-stop' : a.state),
      h('td', { 'data-testid': 'agv-map-nav' }, `${this.store.map?.maps?.find((f) => f.id === a.map)?.name ?? a.map} · ${a.nav || '–'}`),
      h('td', {}, battery, `${a.battery}%${a.charging ? ' charging' : ''}`),
      h('td', {}, a.task ?? '–'),
      h('td', {}, a.alarms ? h('span', {}, sevBadge(a.sev ?? 'info'), ` ${a.alarms}`) : '–'),
      h('td', {}, a.conn ? 'online' : h('span', { class: 'error-text' }, 'offline'), ` · ${protocolLabel(a)}`),
    );
    tr.style.height = `${ROW_HEIGHT}px`;
    return tr;
  }
}

/** How an AGV talks to the platform: VDA 5050 over MQTT, or the guide protocol in normal or secure mode. */
export function protocolLabel(a: Pick<AgvLive, 'proto' | 'mode'>): string {
  if (a.proto.startsWith('vda5050')) return `VDA 5050 ${a.proto.slice('vda5050'.length).trim()}`;
  const version = a.proto.startsWith('unifleet') ? ` ${a.proto.slice('unifleet'.length).trim()}` : '';
  return `${a.mode === 'secure' ? 'secure (SM2/SM4)' : 'normal'}${version}`;
}
