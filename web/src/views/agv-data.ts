import { api, canOperate } from '../api.ts';
import { h, toast } from '../dom.ts';
import type { LiveStore } from '../live.ts';
import type { RunningDataItem, SessionUser } from '../types.ts';

// The selected AGV's running data as a small SVG line chart (one metric at a time, from the stored samples) and its
// basic parameters, read from the AGV on demand; an operator can change one.

const METRICS: Record<string, { label: string; of: (s: RunningDataItem) => number }> = {
  odometerM: { label: 'odometer (m)', of: (s) => s.odometerM },
  drivingS: { label: 'driving time (s)', of: (s) => s.drivingS },
  batteryTemperature: { label: 'battery temperature (°C)', of: (s) => s.batteryTemperature / 10 },
  liftCycles: { label: 'lift cycles', of: (s) => s.liftCycles },
  chargeCycles: { label: 'charge cycles', of: (s) => s.chargeCycles },
};

const SVG = 'http://www.w3.org/2000/svg';

export class AgvDataPanel {
  readonly element = h('div', { class: 'agv-data', 'data-testid': 'agv-data' });
  private agvId: string | null = null;
  private samples: RunningDataItem[] = [];
  private params: { param: string; value: number; unit: string }[] | null = null;
  private readonly metric = h('select', { 'data-testid': 'running-metric', onchange: () => this.render() }, ...Object.entries(METRICS).map(([k, m]) => h('option', { value: k }, m.label)));

  constructor(private readonly store: LiveStore, private readonly user: SessionUser) {
    store.on((what) => {
      if (what === 'detail' && store.selectedId !== this.agvId) this.select(store.selectedId);
    });
    setInterval(() => void this.load(), 10_000);
  }

  private select(agvId: string | null): void {
    this.agvId = agvId;
    this.samples = [];
    this.params = null;
    this.render();
    void this.load();
  }

  private async load(): Promise<void> {
    const id = this.agvId;
    if (!id) return;
    try {
      const { samples } = await api<{ samples: RunningDataItem[] }>('GET', `/api/v1/agvs/${encodeURIComponent(id)}/running-data?limit=200`);
      if (id === this.agvId) this.samples = samples;
      this.render();
    } catch {
      // Shown as "no samples"; the next refresh tries again.
    }
  }

  private async readParams(): Promise<void> {
    const id = this.agvId;
    if (!id) return;
    try {
      this.params = (await api<{ params: { param: string; value: number; unit: string }[] }>('GET', `/api/v1/agvs/${encodeURIComponent(id)}/params`)).params;
      this.render();
    } catch (err) {
      toast(`parameters not read: ${(err as Error).message}`);
    }
  }

  private async setParam(param: string, current: number): Promise<void> {
    const raw = prompt(`New value for ${param}`, String(current));
    if (raw === null || !this.agvId) return;
    const value = Number(raw);
    if (!Number.isInteger(value)) return toast(`${param}: an integer is needed`);
    try {
      await api('PATCH', `/api/v1/agvs/${encodeURIComponent(this.agvId)}/params`, { params: [{ param, value }] });
      await this.readParams();
    } catch (err) {
      toast(`parameter refused: ${(err as Error).message}`);
    }
  }

  private async sampleNow(): Promise<void> {
    if (!this.agvId) return;
    try {
      await api('POST', `/api/v1/agvs/${encodeURIComponent(this.agvId)}/running-data`);
      await this.load();
    } catch (err) {
      toast(`no running data: ${(err as Error).message}`);
    }
  }

  private render(): void {
    if (!this.agvId) {
      this.element.replaceChildren();
      return;
    }
    const operate = canOperate(this.user);
    this.element.replaceChildren(
      h('h3', {}, 'Running data'),
      h('div', { class: 'controls' }, this.metric, operate ? h('button', { 'data-testid': 'running-sample', onclick: () => void this.sampleNow() }, 'Sample now') : ''),
      this.samples.length === 0 ? h('p', { class: 'muted' }, 'No samples yet.') : this.chart(),
      h('h3', {}, 'Parameters'),
      this.params
        ? h('dl', { class: 'kv', 'data-testid': 'agv-params' }, ...this.params.flatMap((p) => [
            h('dt', {}, p.param),
            h('dd', {}, `${p.value} ${p.unit} `, operate ? h('button', { 'data-testid': `param-${p.param}`, onclick: () => void this.setParam(p.param, p.value) }, 'set') : ''),
          ]))
        : h('button', { 'data-testid': 'params-read', onclick: () => void this.readParams() }, 'Read parameters'),
    );
  }

  private chart(): SVGSVGElement {
    const metric = METRICS[this.metric.value]!;
    const [w, hgt, pad] = [270, 110, 4];
    const xs = this.samples.map((s) => s.at);
    const ys = this.samples.map(metric.of);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const px = (x: number) => pad + ((x - x0) / Math.max(1, x1 - x0)) * (w - 2 * pad);
    const py = (y: number) => hgt - pad - ((y - y0) / Math.max(1e-9, y1 - y0 || 1)) * (hgt - 2 * pad);
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${w} ${hgt + 14}`);
    svg.setAttribute('width', String(w));
    svg.setAttribute('data-testid', 'running-chart');
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', this.samples.map((s, i) => `${px(xs[i]!).toFixed(1)},${py(ys[i]!).toFixed(1)}`).join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', '#3fa7ff');
    line.setAttribute('stroke-width', '1.5');
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', '4');
    label.setAttribute('y', String(hgt + 12));
    label.setAttribute('fill', '#8897a6');
    label.setAttribute('font-size', '10');
    label.textContent = `${metric.label}: ${y0} – ${y1} · ${this.samples.length} samples`;
    svg.append(line, label);
    return svg;
  }
}
