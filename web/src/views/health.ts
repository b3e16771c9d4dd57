import { api, canOperate } from '../api.ts';
import { h, time, toast } from '../dom.ts';
import type { Finding, HealthComparison, HealthRun, SessionUser } from '../types.ts';

type RunSummary = Omit<HealthRun, 'findings'> & { findingCount?: number };

/** Fleet health: run the diagnosis, read score and findings, compare any two runs. */
export class HealthView {
  readonly element: HTMLElement;
  private readonly current = h('div', { 'data-testid': 'health-current' });
  private readonly runs = h('tbody');
  private readonly compareOut = h('div');
  private readonly fromRun = h('select');
  private readonly toRun = h('select');

  constructor(user: SessionUser) {
    const run = h('button', { class: 'primary', 'data-testid': 'health-run', disabled: !canOperate(user), onclick: () => void this.run() }, 'Run diagnosis');
    this.element = h(
      'div',
      { class: 'page' },
      h('div', { class: 'toolbar' }, run, h('span', { class: 'muted' }, 'checks AGVs, chargers, the site map, tasks and the platform')),
      h(
        'div',
        { class: 'cols' },
        this.current,
        h(
          'div',
          {},
          h('h3', {}, 'Runs'),
          h('table', {}, h('thead', {}, h('tr', {}, ...['#', 'when', 'trigger', 'score', 'findings'].map((t) => h('th', {}, t)))), this.runs),
          h('h3', {}, 'Compare'),
          h('div', { class: 'toolbar' }, this.fromRun, '→', this.toRun, h('button', { onclick: () => void this.compare() }, 'Compare')),
          this.compareOut,
        ),
      ),
    );
  }

  show(visible: boolean): void {
    if (visible) void this.load();
  }

  private async load(): Promise<void> {
    const { runs } = await api<{ runs: RunSummary[] }>('GET', '/api/v1/health/runs?limit=50');
    this.runs.replaceChildren(
      ...runs.map((r) =>
        h('tr', {}, h('td', {}, h('a', { href: '#health', onclick: () => void this.open(r.id) }, String(r.id))), h('td', {}, time(r.startedAt)), h('td', {}, r.trigger), h('td', {}, String(r.score)), h('td', {}, String(r.findingCount ?? ''))),
      ),
    );
    for (const [select, pick] of [[this.fromRun, 1], [this.toRun, 0]] as const) {
      select.replaceChildren(...runs.map((r) => h('option', { value: r.id }, `#${r.id} (${r.score})`)));
      select.selectedIndex = Math.min(pick, runs.length - 1);
    }
    if (runs[0] && !this.current.hasChildNodes()) await this.open(runs[0].id);
  }

  private async run(): Promise<void> {
    try {
      const { run } = await api<{ run: HealthRun }>('POST', '/api/v1/health/runs');
      this.showRun(run);
      await this.load();
    } catch (err) {
      toast(`diagnosis failed: ${(err as Error).message}`);
    }
  }

  private async open(id: number): Promise<void> {
    this.showRun((await api<{ run: HealthRun }>('GET', `/api/v1/health/runs/${id}`)).run);
  }

  private showRun(run: HealthRun): void {
    const grade = run.score >= 85 ? 'good' : run.score >= 60 ? 'fair' : 'bad';
    this.current.replaceChildren(
      h('h3', {}, `Run #${run.id} · ${time(run.startedAt)} · ${run.checksRun} checks`),
      h('div', { class: `score ${grade}`, 'data-testid': 'health-score' }, String(run.score)),
      h('div', { class: 'muted' }, `${run.findings.filter((f) => f.risk === 'high').length} high risk · ${run.findings.filter((f) => f.risk === 'low').length} low risk`),
      ...(run.findings.length ? run.findings.map((f) => this.finding(f)) : [h('p', {}, 'No findings: the fleet looks healthy.')]),
    );
  }

  private finding(f: Finding, tag = ''): HTMLElement {
    return h(
      'div',
      { class: 'finding', 'data-check': f.check },
      h('div', { class: 'title' }, h('span', { class: `risk-${f.risk}` }, `${f.risk.toUpperCase()} `), tag, f.title),
      h('div', { class: 'meta' }, `${f.area} · ${f.check}`),
      h('div', {}, h('b', {}, 'Impact: '), f.impact),
      h('div', {}, h('b', {}, 'Fix: '), f.fix),
      f.subjects.length ? h('div', { class: 'meta' }, f.subjects.join(', ')) : null,
    );
  }

  private async compare(): Promise<void> {
    try {
      const { comparison: c } = await api<{ comparison: HealthComparison }>('GET', `/api/v1/health/compare?from=${this.fromRun.value}&to=${this.toRun.value}`);
      this.compareOut.replaceChildren(
        h('p', {}, `Score ${c.from.score} → ${c.to.score} (${c.scoreDelta >= 0 ? '+' : ''}${c.scoreDelta})`),
        ...c.newFindings.map((f) => this.finding(f, 'new: ')),
        ...c.resolvedFindings.map((f) => this.finding(f, 'resolved: ')),
        ...c.persistingFindings.map((f) => this.finding(f, 'still: ')),
      );
    } catch (err) {
      toast((err as Error).message);
    }
  }
}
