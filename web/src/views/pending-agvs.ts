import { api, canOperate } from '../api.ts';
import { h, time, toast } from '../dom.ts';
import type { SessionUser } from '../types.ts';

/** The fields of GET /api/v1/agvs this section shows. */
interface RegisteredAgv {
  id: string;
  vendor: string;
  model: string;
  type: string;
  firstSeen: string | null;
  admission: 'pending' | 'approved' | 'rejected';
}

// Pending AGVs are kept out of the live fleet (no tasks, no reservations), so the live feed never carries them:
// this section polls the API instead, only while the AGV page is open.
const POLL_MS = 3000;

/** "Waiting for approval": AGVs that registered on first contact, with Approve / Reject for operators. */
export class PendingAgvList {
  readonly element: HTMLElement;
  private readonly body = h('tbody', { 'data-testid': 'pending-rows' });
  private readonly table: HTMLElement;
  private readonly summary = h('span', { class: 'muted', 'data-testid': 'pending-count' });
  private timer: ReturnType<typeof setInterval> | undefined;
  private loading = false;

  constructor(private readonly user: SessionUser) {
    const columns = ['AGV', 'vendor', 'model', 'type', 'first seen', ...(canOperate(user) ? [''] : [])];
    this.table = h('table', {}, h('thead', {}, h('tr', {}, ...columns.map((t) => h('th', {}, t)))), this.body);
    this.element = h(
      'section',
      { class: 'pending', 'data-testid': 'pending-agvs' },
      h('div', { class: 'toolbar' }, h('h3', {}, 'Waiting for approval'), this.summary, h('button', { 'data-testid': 'pending-refresh', onclick: () => void this.refresh() }, 'Refresh')),
      this.table,
    );
  }

  show(visible: boolean): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!visible) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
  }

  async refresh(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      const { items } = await api<{ items: RegisteredAgv[] }>('GET', '/api/v1/agvs');
      this.render(items.filter((a) => a.admission === 'pending'));
    } catch (err) {
      toast(`AGVs waiting for approval not loaded: ${(err as Error).message}`);
    } finally {
      this.loading = false;
    }
  }

  private async decide(id: string, action: 'approve' | 'reject'): Promise<void> {
    if (action === 'reject' && !confirm(`Reject ${id}? Its access is refused from now on.`)) return;
    try {
      await api('POST', `/api/v1/agvs/${encodeURIComponent(id)}/${action}`);
    } catch (err) {
      toast(`${action} refused: ${(err as Error).message}`);
    }
    await this.refresh();
  }

  private render(pending: RegisteredAgv[]): void {
    const operate = canOperate(this.user);
    this.summary.textContent = pending.length ? `${pending.length} AGV${pending.length === 1 ? '' : 's'}` : 'none';
    this.table.style.display = pending.length ? '' : 'none';
    // Every string here comes from the AGV's registration: the dom helpers set it as text, never as HTML.
    this.body.replaceChildren(
      ...pending.map((a) =>
        h(
          'tr',
          { 'data-pending': a.id },
          h('td', {}, a.id),
          h('td', {}, a.vendor),
          h('td', {}, a.model),
          h('td', {}, a.type),
          h('td', {}, time(a.firstSeen ? Date.parse(a.firstSeen) : null)),
          operate
            ? h(
                'td',
                {},
                h('button', { class: 'primary', 'data-testid': 'pending-approve', onclick: () => void this.decide(a.id, 'approve') }, 'Approve'),
                ' ',
                h('button', { 'data-testid': 'pending-reject', onclick: () => void this.decide(a.id, 'reject') }, 'Reject'),
              )
            : null,
        ),
      ),
    );
  }
}
