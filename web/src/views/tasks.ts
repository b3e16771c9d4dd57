import { api, canOperate } from '../api.ts';
import { h, time, toast } from '../dom.ts';
import type { LiveStore } from '../live.ts';
import type { SessionUser, TaskView } from '../types.ts';

const OPEN = (t: TaskView): boolean => !['completed', 'failed', 'cancelled', 'canceled'].includes(t.state);

/** Task list (live) with create and cancel for operators. */
export class TaskListView {
  readonly element: HTMLElement;
  private readonly from = h('select', { 'data-testid': 'task-from' });
  private readonly to = h('select', { 'data-testid': 'task-to' });
  private readonly priority = h('input', { type: 'number', min: 0, max: 9, value: 5, 'data-testid': 'task-priority' });
  private readonly onlyOpen = h('input', { type: 'checkbox' });
  private readonly body = h('tbody', { 'data-testid': 'task-rows' });
  private readonly summary = h('span', { class: 'muted' });
  private dirty = true;
  private visible = false;

  constructor(private readonly store: LiveStore, private readonly user: SessionUser) {
    const create = h('button', { class: 'primary', 'data-testid': 'task-create', disabled: !canOperate(user), onclick: () => void this.create() }, 'Create task');
    if (!canOperate(user)) create.title = 'operators and admins create tasks';
    this.onlyOpen.addEventListener('change', () => this.render());
    this.element = h(
      'div',
      { class: 'page' },
      h('div', { class: 'toolbar' }, 'pick at', this.from, 'drop at', this.to, 'priority', this.priority, create, h('span', { style: 'flex:1' }), h('label', {}, this.onlyOpen, ' open only'), this.summary),
      h('table', {}, h('thead', {}, h('tr', {}, ...['task', 'state', 'from', 'to', 'priority', 'AGV', 'created', 'updated', ''].map((t) => h('th', {}, t)))), this.body),
    );
    store.on((what) => {
      if (what === 'hello') this.fillPlaces();
      if (what === 'tasks') this.dirty = true;
    });
    setInterval(() => {
      if (this.visible && this.dirty) this.render();
    }, 300);
  }

  show(visible: boolean): void {
    this.visible = visible;
    if (visible) this.render();
  }

  private fillPlaces(): void {
    const map = this.store.map;
    if (!map) return;
    const places = [...map.stations.map((s) => s.id), ...map.parking.map((p) => p.id)];
    for (const [select, offset] of [[this.from, 0], [this.to, 1]] as const) {
      select.replaceChildren(...places.map((p) => h('option', { value: p }, p)));
      select.selectedIndex = Math.min(offset, places.length - 1);
    }
  }

  private async create(): Promise<void> {
    try {
      const { task } = await api<{ task: TaskView }>('POST', '/api/v1/dashboard/tasks', {
        from: this.from.value,
        to: this.to.value,
        priority: Number(this.priority.value),
      });
      this.store.tasks.set(task.id, task);
      this.dirty = true;
      this.render();
    } catch (err) {
      toast(`task not created: ${(err as Error).message}`);
    }
  }

  private async cancel(id: string): Promise<void> {
    try {
      const { task } = await api<{ task: TaskView }>('POST', `/api/v1/dashboard/tasks/${encodeURIComponent(id)}/cancel`);
      this.store.tasks.set(task.id, task);
      this.render();
    } catch (err) {
      toast(`task not cancelled: ${(err as Error).message}`);
    }
  }

  private render(): void {
    this.dirty = false;
    const all = this.store.openTasks();
    const shown = (this.onlyOpen.checked ? all.filter(OPEN) : all).slice(0, 300);
    this.summary.textContent = `${all.filter(OPEN).length} open · ${all.length} listed`;
    const operate = canOperate(this.user);
    this.body.replaceChildren(
      ...shown.map((t) =>
        h(
          'tr',
          { 'data-task': t.id, 'data-state': t.state },
          h('td', {}, t.id),
          h('td', { class: 'state' }, t.state),
          h('td', {}, t.from),
          h('td', {}, t.to),
          h('td', {}, String(t.priority)),
          h('td', {}, t.agvId ?? '–'),
          h('td', {}, time(t.createdAt)),
          h('td', {}, time(t.updatedAt)),
          h('td', {}, OPEN(t) && operate ? h('button', { onclick: () => void this.cancel(t.id) }, 'Cancel') : ''),
        ),
      ),
    );
  }
}
