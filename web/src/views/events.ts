import { api } from '../api.ts';
import { h, sevBadge, time, toast } from '../dom.ts';
import type { OpsEvent } from '../types.ts';

/** Log centre: recent events filtered by AGV, task and minimum severity. */
export class EventView {
  readonly element: HTMLElement;
  private readonly agv = h('input', { placeholder: 'AGV id', size: 14 });
  private readonly task = h('input', { placeholder: 'task id', size: 14 });
  private readonly severity = h('select', {}, h('option', { value: '' }, 'any severity'), ...['warning', 'error', 'critical'].map((s) => h('option', { value: s }, `≥ ${s}`)));
  private readonly body = h('tbody');

  constructor() {
    this.element = h(
      'div',
      { class: 'page' },
      h('div', { class: 'toolbar' }, this.agv, this.task, this.severity, h('button', { onclick: () => void this.load() }, 'Search')),
      h('table', {}, h('thead', {}, h('tr', {}, ...['time', 'severity', 'kind', 'AGV', 'task', 'message'].map((t) => h('th', {}, t)))), this.body),
    );
  }

  show(visible: boolean): void {
    if (visible) void this.load();
  }

  private async load(): Promise<void> {
    const q = new URLSearchParams({ limit: '300' });
    if (this.agv.value.trim()) q.set('agvId', this.agv.value.trim());
    if (this.task.value.trim()) q.set('taskId', this.task.value.trim());
    if (this.severity.value) q.set('severity', this.severity.value);
    try {
      const { events } = await api<{ events: OpsEvent[] }>('GET', `/api/v1/events?${q}`);
      this.body.replaceChildren(
        ...events.map((e) => h('tr', {}, h('td', {}, time(e.at)), h('td', {}, sevBadge(e.severity)), h('td', {}, e.type), h('td', {}, e.agvId ?? '–'), h('td', {}, e.taskId ?? '–'), h('td', {}, e.message))),
      );
    } catch (err) {
      toast((err as Error).message);
    }
  }
}
