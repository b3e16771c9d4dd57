import { api, canOperate, currentUser } from './api.ts';
import { h, sevBadge, toast, vendorColour } from './dom.ts';
import { LiveStore } from './live.ts';
import { login } from './login.ts';
import { MapView } from './map-view.ts';
import type { SessionUser } from './types.ts';
import { AgvListView, protocolLabel } from './views/agvs.ts';
import { AlarmView } from './views/alarms.ts';
import { EventView } from './views/events.ts';
import { HealthView } from './views/health.ts';
import { PendingAgvList } from './views/pending-agvs.ts';
import { TaskListView } from './views/tasks.ts';
import { AgvDataPanel } from './views/agv-data.ts';
import { ZonePanel } from './views/zones.ts';
import { SpacePanel } from './views/space.ts';

declare global {
  interface Window {
    __unifleet?: { store: LiveStore; mapView: MapView };
  }
}

interface Page {
  element: HTMLElement;
  show(visible: boolean): void;
}

function agvPanel(store: LiveStore, user: SessionUser, panel: HTMLElement, legend: HTMLElement): void {
  const render = (): void => {
    const id = store.selectedId;
    const m = id ? store.agvs.get(id) : undefined;
    if (!m) {
      panel.replaceChildren(h('h3', {}, 'AGV'), h('p', { class: 'muted' }, 'Hover over an AGV to see its paths; click to pin it.'));
      return;
    }
    const a = m.agv;
    const d = store.detail?.agvId === a.id ? store.detail : null;
    const floorName = store.map?.maps?.find((f) => f.id === a.map)?.name ?? a.map;
    const alarms = [...store.alarms.values()].filter((al) => al.agvId === a.id);
    panel.replaceChildren(
      h('h3', {}, a.id),
      h(
        'dl',
        { class: 'kv', 'data-testid': 'agv-detail' },
        h('dt', {}, 'vendor'), h('dd', {}, `${a.vendor} ${a.model}`),
        h('dt', {}, 'state'), h('dd', { 'data-testid': 'agv-state' }, a.estop ? 'emergency stop' : a.state),
        h('dt', {}, 'control'), h('dd', { 'data-testid': 'agv-control' }, [a.paused ? 'paused' : 'running', a.inService ? 'in service' : 'out of service'].join(' · ')),
        h('dt', {}, 'battery'), h('dd', {}, `${a.battery}%${a.charging ? ' (charging)' : ''}`),
        h('dt', {}, 'task'), h('dd', {}, a.task ?? '–'),
        h('dt', {}, 'map'), h('dd', { 'data-testid': 'agv-map' }, floorName),
        h('dt', {}, 'navigation'), h('dd', { 'data-testid': 'agv-nav' }, a.nav || '–'),
        h('dt', {}, 'body'), h('dd', { 'data-testid': 'agv-body' }, a.len > 0 ? `${a.len} × ${a.wid} m` : '–'),
        h('dt', {}, 'position'), h('dd', {}, `${a.x.toFixed(1)}, ${a.y.toFixed(1)} · ${Math.round((a.th * 180) / Math.PI)}°`),
        h('dt', {}, 'connection'), h('dd', {}, `${a.conn ? 'online' : 'offline'} · ${protocolLabel(a)}`),
        h('dt', {}, 'held path'), h('dd', { 'data-testid': 'agv-held' }, d ? d.heldPath.join(' → ') || '–' : '…'),
        h('dt', {}, 'planned'), h('dd', {}, d ? d.plannedPath.slice(0, 8).join(' → ') + (d.plannedPath.length > 8 ? ' …' : '') || '–' : '…'),
      ),
      ...alarms.map((al) => h('p', {}, sevBadge(al.severity), ` ${al.code}: ${al.message}`)),
      // Held in a lift cabin after the automatic relocalisation attempts failed: an operator sends the switch again.
      a.conn && canOperate(user) && alarms.some((al) => al.code === 'RELOCALISATION_FAILED')
        ? h('button', { 'data-testid': 'agv-map-switch-retry', onclick: () => void control(a.id, 'map-switch/retry') }, 'Retry map switch')
        : '',
      // An offline AGV keeps its reservations until an operator confirms it has been moved off the route.
      !a.conn && canOperate(user) && d && d.heldPath.length > 0
        ? h('button', { 'data-testid': 'clear-reservations', onclick: () => void clearReservations(a.id) }, 'Clear reservations')
        : '',
      a.conn && canOperate(user) ? agvControls(a.id, a.paused, a.estop, a.inService) : '',
    );
  };
  const agvControls = (id: string, paused: boolean, estop: boolean, inService: boolean): HTMLElement => {
    const button = (action: string, label: string) => h('button', { 'data-testid': `agv-${action.replace('/', '-')}`, onclick: () => void control(id, action) }, label);
    return h(
      'div',
      { class: 'controls', 'data-testid': 'agv-controls' },
      estop ? button('estop/release', 'Release e-stop') : button('estop', 'E-stop'),
      estop ? '' : paused ? button('resume', 'Resume') : button('pause', 'Pause'),
      inService ? button('out-of-service', 'Out of service') : button('in-service', 'Back in service'),
      button('charge', 'Charge'),
      button('park', 'Park'),
    );
  };
  const control = async (id: string, action: string): Promise<void> => {
    if (action === 'out-of-service' && !confirm(`Take ${id} out of service? It finishes its current task and gets no new ones.`)) return;
    try {
      await api('POST', `/api/v1/agvs/${encodeURIComponent(id)}/${action}`);
    } catch (err) {
      toast(`${action} refused: ${(err as Error).message}`);
    }
  };
  const fleetControl = async (command: 'pause' | 'resume' | 'stop', vendor?: string): Promise<void> => {
    const what = vendor ? `every ${vendor} AGV` : 'every AGV';
    if (command === 'stop' && !confirm(`Emergency-stop ${what}?`)) return;
    try {
      const result = await api<{ confirmed: string[]; unconfirmed: { id: string; code: string }[]; offline: string[] }>('POST', `/api/v1/fleet/${command}`, vendor ? { vendor } : undefined);
      const missing = result.unconfirmed.map((u) => `${u.id} (${u.code})`).join(', ');
      const away = result.offline.length > 0 ? `; offline, held for their return: ${result.offline.join(', ')}` : '';
      toast(`${vendor ?? 'fleet'} ${command}: ${result.confirmed.length} confirmed${missing ? `; not confirmed: ${missing}` : ''}${away}`);
    } catch (err) {
      toast(`${vendor ?? 'fleet'} ${command} refused: ${(err as Error).message}`);
    }
  };
  const clearReservations = async (id: string): Promise<void> => {
    if (!confirm(`Free the nodes held by ${id}? Only do this once the AGV is off the route.`)) return;
    try {
      await api('POST', `/api/v1/agvs/${encodeURIComponent(id)}/clear-reservations`);
    } catch (err) {
      toast(`reservations not cleared: ${(err as Error).message}`);
    }
  };
  const renderLegend = (): void => {
    const vendors = new Map<string, number>();
    let online = 0;
    for (const { agv } of store.agvs.values()) {
      vendors.set(agv.vendor, (vendors.get(agv.vendor) ?? 0) + 1);
      if (agv.conn) online++;
    }
    legend.replaceChildren(
      h('h3', {}, 'Fleet'),
      h('p', { 'data-testid': 'fleet-count' }, `${store.agvs.size} AGVs · ${online} online`),
      ...[...vendors].sort().map(([v, n]) => {
        const sw = h('span', { class: 'swatch' });
        sw.style.background = vendorColour(v);
        // A vendor's AGVs as one group: pause (e.g. a vendor's software update) and resume them together.
        const group = canOperate(user)
          ? [h('button', { class: 'mini', 'data-testid': `vendor-pause-${v}`, title: `pause every ${v} AGV`, onclick: () => void fleetControl('pause', v) }, '⏸'),
             h('button', { class: 'mini', 'data-testid': `vendor-resume-${v}`, title: `resume every ${v} AGV`, onclick: () => void fleetControl('resume', v) }, '▶')]
          : [];
        return h('div', {}, sw, `${v} (${n})`, ...group);
      }),
      ...liftRows(),
      h('div', { class: 'muted', style: 'margin-top:8px' }, '▢ station · ◯ charger · ☒ lift · red bar: fire door · amber bar: roller door · green / blue dots: QR / SLAM area · yellow: held path · dashed: planned'),
      canOperate(user)
        ? h(
            'div',
            { class: 'controls', 'data-testid': 'fleet-controls' },
            h('button', { 'data-testid': 'fleet-stop', onclick: () => void fleetControl('stop') }, 'Stop fleet'),
            h('button', { 'data-testid': 'fleet-pause', onclick: () => void fleetControl('pause') }, 'Pause fleet'),
            h('button', { 'data-testid': 'fleet-resume', onclick: () => void fleetControl('resume') }, 'Resume fleet'),
          )
        : '',
    );
  };
  /** One line per lift: where the cabin is, its doors, motion and mode, who rides and who waits. */
  const liftRows = (): HTMLElement[] => {
    const lifts = store.map?.lifts ?? [];
    if (lifts.length === 0) return [];
    const floorName = (id: string) => store.map?.maps?.find((f) => f.id === id)?.name ?? id;
    return [
      h('h3', { style: 'margin-top:12px' }, 'Lifts'),
      ...lifts.map((lift) => {
        const s = store.lifts.get(lift.id);
        const text = s
          ? [
              floorName(s.floor),
              `door ${s.door}`,
              s.motion === 'idle' ? 'idle' : `moving ${s.motion}`,
              s.mode === 'agv' ? '' : s.mode,
              s.fault ? `fault: ${s.fault}` : '',
              s.riders.length > 0 ? `riding: ${s.riders.join(', ')}` : '',
              s.queue.length > 0 ? `queue: ${s.queue.join(', ')}` : 'no queue',
            ].filter(Boolean).join(' · ')
          : 'state not reported';
        return h('p', { 'data-testid': `lift-${lift.id}` }, h('b', {}, lift.name), ` ${text}`);
      }),
    ];
  };
  let legendDue = 0;
  store.on((what) => {
    if (what === 'equipment') renderLegend();
    if (what === 'detail') render();
    if (what === 'agvs' && performance.now() > legendDue) {
      legendDue = performance.now() + 1000;
      renderLegend();
      render();
    }
  });
  render();
  renderLegend();
}

function shell(root: HTMLElement, user: SessionUser): void {
  const store = new LiveStore();
  const canvas = h('canvas', { 'data-testid': 'map' });
  const panel = h('div', { 'data-testid': 'agv-panel' });
  const legend = h('div', { class: 'legend' });
  const mapView = new MapView(canvas, store);
  let pinned: string | null = null;
  mapView.onHover = (id) => {
    if (!pinned) store.select(id);
  };
  mapView.onSelect = (id) => {
    pinned = id;
    mapView.following = id;
    store.select(id);
  };
  const agvData = new AgvDataPanel(store, user);
  const zones = new ZonePanel(store, mapView, user);
  const floorBar = h('div', { class: 'floors', 'data-testid': 'floors' });
  const renderFloors = (): void => {
    const floors = store.map?.maps ?? [];
    const shown = mapView.currentFloor;
    const count = (floor: string) => [...store.agvs.values()].filter((m) => m.agv.map === floor).length;
    floorBar.style.display = floors.length > 1 ? '' : 'none';
    floorBar.replaceChildren(
      ...floors.map((f) =>
        h('button', { 'data-testid': `floor-${f.id}`, class: f.id === shown ? 'active' : '', onclick: () => mapView.setFloor(f.id) }, `${f.name} (${count(f.id)})`),
      ),
    );
  };
  mapView.onFloor = renderFloors;
  let floorsDue = 0;
  store.on((what) => {
    if (what === 'agvs' && performance.now() > floorsDue) {
      floorsDue = performance.now() + 1000;
      renderFloors();
    }
  });
  const mapPage: Page = { element: h('div', { class: 'map-view' }, canvas, floorBar, h('div', { class: 'side' }, panel, agvData.element, legend, zones.element, new SpacePanel(store, mapView, user).element)), show: () => {} };
  agvPanel(store, user, panel, legend);
  const pick = (id: string): void => {
    pinned = id;
    mapView.following = id;
    store.select(id);
    mapView.focus(id);
  };
  const pages: Record<string, Page> = {
    map: mapPage,
    agvs: new AgvListView(store, pick, new PendingAgvList(user)),
    tasks: new TaskListView(store, user),
    alarms: new AlarmView(store, user),
    health: new HealthView(user),
    events: new EventView(),
  };
  const titles: Record<string, string> = { map: 'Map', agvs: 'AGVs', tasks: 'Tasks', alarms: 'Alarms', health: 'Health', events: 'Events' };
  const alarmBadge = h('span', { class: 'badge', 'data-testid': 'alarm-count' });
  const links = Object.keys(pages).map((k) => h('a', { href: `#${k}`, 'data-nav': k }, titles[k]!, k === 'alarms' ? alarmBadge : null));
  const dot = h('span', { class: 'status-dot' });
  const status = h('span', { class: 'muted', 'data-testid': 'live-status' }, 'connecting…');
  const logout = h('button', { onclick: () => void api('DELETE', '/api/v1/session').then(() => location.reload()) }, 'Log out');
  const main = h('main', {}, ...Object.entries(pages).map(([k, p]) => h('div', { class: 'view', 'data-view': k }, p.element)));
  root.replaceChildren(
    h('header', {}, h('h1', {}, 'Uni', h('span', {}, 'Fleet')), h('nav', {}, ...links), h('span', { class: 'spacer' }), dot, status, h('span', { class: 'who', 'data-testid': 'who' }, `${user.username} (${user.role})`), logout),
    main,
  );

  const route = (): void => {
    const key = location.hash.slice(1) in pages ? location.hash.slice(1) : 'map';
    for (const [k, p] of Object.entries(pages)) {
      const active = k === key;
      main.querySelector(`[data-view="${k}"]`)!.classList.toggle('active', active);
      p.show(active);
    }
    for (const a of links) a.classList.toggle('active', a.dataset.nav === key);
  };
  window.addEventListener('hashchange', route);
  route();

  store.on((what) => {
    if (what === 'hello' && store.map) mapView.setMap(store.map);
    if (what === 'connection') {
      dot.classList.toggle('live', store.connected);
      status.textContent = store.connected ? 'live' : 'reconnecting…';
    }
    if (what === 'alarms') {
      const n = [...store.alarms.values()].filter((a) => a.state === 'raised').length;
      alarmBadge.textContent = n ? String(n) : '';
      alarmBadge.style.display = n ? '' : 'none';
    }
  });
  store.connect();
  mapView.start();
  // Read-only hooks for the browser test and the benchmark.
  window.__unifleet = { store, mapView };
}

async function boot(): Promise<void> {
  const root = document.getElementById('app')!;
  const user = (await currentUser()) ?? (await login(root));
  shell(root, user);
}

void boot();
