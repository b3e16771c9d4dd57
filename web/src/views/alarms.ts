import { api, canOperate } from '../api.ts';
import { h, sevBadge, time, toast } from '../dom.ts';
import type { LiveStore } from '../live.ts';
import type { Alarm, SessionUser } from '../types.ts';

const SEVERITY_ORDER = ['info', 'warning', 'error', 'critical'];

/** Alarm centre: open alarms (live) with acknowledge, and the history from the API, both filterable. */
export class AlarmView {
  readonly element: HTMLElement;
  private readonly mode = h('select', { 'data-testid': 'alarm-mode' }, h('option', { value: 'open' }, 'open'), h('option', { value: 'history' }, 'history'));
  private readonly severity = h(
    'select',
    { 'data-testid': 'alarm-severity' },
    h('option', { value: '' }, 'any severity'),
    ...SEVERITY_ORDER.map((s) => h('option', { value: s }, `≥ ${s}`)),
  );
  private readonly agv = h('input', { placeholder: 'AGV id', size: 14, 'data-testid': 'alarm-agv' });
  private readonly body = h('tbody', { 'data-testid': 'alarm-rows' });
  private readonly summary = h('span', { class: 'muted' });
  private history: Alarm[] = [];
  private visible = false;
  private dirty = true;

  constructor(private readonly store: LiveStore, private readonly user: SessionUser) {
    for (const el of [this.mode, this.severity]) el.addEventListener('change', () => void this.reload());
    this.agv.addEventListener('change', () => void this.reload());
    this.element = h(
      'div',
      { class: 'page' },
      h('div', { class: 'toolbar' }, this.mode, this.severity, this.agv, this.summary),
      h('table', {}, h('thead', {}, h('tr', {}, ...['#', 'severity', 'code', 'AGV', 'task', 'message', 'state', 'raised', 'count', ''].map((t) => h('th', {}, t)))), this.body),
    );
    store.on((what) => {
      if (what === 'alarms') this.dirty = true;
    });
    setInterval(() => {
      if (this.visible && this.dirty && this.mode.value === 'open') this.render();
    }, 300);
  }

  show(visible: boolean): void {
    this.visible = visible;
    if (visible) void this.reload();
  }

  private async reload(): Promise<void> {
    if (this.mode.value === 'history') {
      const q = new URLSearchParams({ limit: '500' });
      if (this.severity.value) q.set('severity', this.severity.value);
      if (this.agv.value.trim()) q.set('agvId', this.agv.value.trim());
      try {
        this.history = (await api<{ alarms: Alarm[] }>('GET', `/api/v1/alarms?${q}`)).alarms;
      } catch (err) {
        toast((err as Error).message);
      }
    }
    this.render();
  }

  private filtered(): Alarm[] {
    if (this.mode.value === 'history') return this.history;
    const min = this.severity.value ? SEVERITY_ORDER.indexOf(this.severity.value) : 0;
    const agv = this.agv.value.trim();
    return [...this.store.alarms.values()]
      .filter((a) => SEVERITY_ORDER.indexOf(a.severity) >= min && (!agv || a.agvId === agv))
      .sort((a, b) => SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity) || b.id - a.id);
  }

  private async acknowledge(id: number): Promise<void> {
    try {
      const { alarm } = await api<{ alarm: Alarm }>('POST', `/api/v1/alarms/${id}/acknowledge`);
      this.store.alarms.set(alarm.id, alarm);
      this.render();
    } catch (err) {
      toast(`not acknowledged: ${(err as Error).message}`);
    }
  }

  private render(): void {
    this.dirty = false;
    const alarms = this.filtered();
    const operate = canOperate(this.user);
    this.summary.textContent = `${alarms.length} ${this.mode.value === 'open' ? 'open' : 'in history'}`;
    this.body.replaceChildren(
      ...alarms.slice(0, 500).map((a) =>
        h(
          'tr',
          { 'data-alarm': a.id, 'data-code': a.code, 'data-state': a.state },
          h('td', {}, String(a.id)),
          h('td', {}, sevBadge(a.severity)),
          h('td', {}, a.code),
          h('td', {}, a.agvId ?? '–'),
          h('td', {}, a.taskId ?? '–'),
          h('td', {}, a.message),
          h('td', { class: 'state' }, a.state + (a.acknowledgedBy ? ` (${a.acknowledgedBy})` : '')),
          h('td', {}, time(a.raisedAt)),
          h('td', {}, String(a.occurrences)),
          h('td', {}, a.state === 'raised' && operate ? h('button', { onclick: () => void this.acknowledge(a.id), 'data-testid': 'alarm-ack' }, 'Acknowledge') : ''),
        ),
      ),
    );
  }
}
